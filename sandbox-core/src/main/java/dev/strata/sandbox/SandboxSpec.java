package dev.strata.sandbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a sandbox must be: the isolation it needs, its limits, what it may see. Immutable.
 *
 * <p>Deny by default: a spec starts with no mounts, no environment (nothing from the host), no
 * network and {@link ResourceLimits#defaults()}.
 *
 * <pre>{@code
 * SandboxSpec spec = SandboxSpec.atLeast(IsolationLevel.PROCESS)
 *     .withLimits(ResourceLimits.small())
 *     .withMount(Mount.readOnly(Path.of("/srv/data"), "/data"))
 *     .withScratch("/work", 64L << 20)
 *     .withEnv("LANG", "C.UTF-8")
 *     .build();
 * }</pre>
 */
public final class SandboxSpec {

  /**
   * A writable directory private to the sandbox, gone when it closes.
   *
   * @param sandboxPath where it appears inside
   * @param maxBytes how much may be written into it
   */
  public record Scratch(String sandboxPath, long maxBytes) {
    public Scratch {
      Objects.requireNonNull(sandboxPath, "sandboxPath");
      if (!sandboxPath.startsWith("/")) {
        throw new IllegalArgumentException(
            "scratch path (" + sandboxPath + ") must be absolute, for example /scratch");
      }
      if (maxBytes < 4096) {
        throw new IllegalArgumentException(
            "scratch maxBytes (" + maxBytes + ") must be at least 4096");
      }
    }
  }

  private final IsolationLevel isolation;
  private final boolean exactIsolation;
  private final ResourceLimits limits;
  private final List<Mount> mounts;
  private final @Nullable Scratch scratch;
  private final Map<String, String> environment;
  private final @Nullable String workingDirectory;
  private final NetworkPolicy network;
  private final Map<String, String> labels;
  private final Map<String, String> options;

  private SandboxSpec(Builder b) {
    this.isolation = b.isolation;
    this.exactIsolation = b.exactIsolation;
    this.limits = b.limits;
    this.mounts = List.copyOf(b.mounts);
    this.scratch = b.scratch;
    this.environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
    this.workingDirectory = b.workingDirectory;
    this.network = b.network;
    this.labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
    this.options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
  }

  /** A spec for exactly this level: no stronger backend will do. */
  public static Builder exactly(IsolationLevel level) {
    return new Builder(level, true);
  }

  /** A spec for this level or a stronger one, whichever available backend is cheapest. */
  public static Builder atLeast(IsolationLevel level) {
    return new Builder(level, false);
  }

  /** The level asked for; see {@link #exactIsolation()}. */
  public IsolationLevel isolation() {
    return isolation;
  }

  /** True when only {@link #isolation()} itself will do; false when stronger is fine. */
  public boolean exactIsolation() {
    return exactIsolation;
  }

  /** Whether a backend of {@code level} satisfies this spec. */
  public boolean acceptsLevel(IsolationLevel level) {
    return exactIsolation ? level == isolation : level.isAtLeast(isolation);
  }

  public ResourceLimits limits() {
    return limits;
  }

  public List<Mount> mounts() {
    return mounts;
  }

  public Optional<Scratch> scratch() {
    return Optional.ofNullable(scratch);
  }

  /** The payload's whole environment. Nothing is inherited from the host. */
  public Map<String, String> environment() {
    return environment;
  }

  /** The directory commands start in; empty for the backend's default ({@code /}). */
  public Optional<String> workingDirectory() {
    return Optional.ofNullable(workingDirectory);
  }

  public NetworkPolicy network() {
    return network;
  }

  /** Free-form labels, shown in events and status; they do not change behaviour. */
  public Map<String, String> labels() {
    return labels;
  }

  /**
   * Backend-specific options, keyed {@code backend.name}: for example {@code kvm.kernel} or
   * {@code linux.runtime}. A backend reads only its own keys; each backend documents them.
   */
  public Map<String, String> options() {
    return options;
  }

  /** One backend option, if set. */
  public Optional<String> option(String key) {
    return Optional.ofNullable(options.get(key));
  }

  public Builder toBuilder() {
    Builder b = new Builder(isolation, exactIsolation);
    b.limits = limits;
    b.mounts.addAll(mounts);
    b.scratch = scratch;
    b.environment.putAll(environment);
    b.workingDirectory = workingDirectory;
    b.network = network;
    b.labels.putAll(labels);
    b.options.putAll(options);
    return b;
  }

  @Override
  public String toString() {
    return "SandboxSpec{"
        + (exactIsolation ? "exactly " : "at least ")
        + isolation
        + ", "
        + limits
        + ", mounts="
        + mounts
        + (scratch == null ? "" : ", scratch=" + scratch)
        + ", env="
        + environment.keySet()
        + ", network="
        + network
        + (labels.isEmpty() ? "" : ", labels=" + labels)
        + (options.isEmpty() ? "" : ", options=" + options)
        + '}';
  }

  /** Builds a {@link SandboxSpec}; validation happens in {@link #build()}. */
  public static final class Builder {
    private IsolationLevel isolation;
    private boolean exactIsolation;
    private ResourceLimits limits = ResourceLimits.defaults();
    private final List<Mount> mounts = new ArrayList<>();
    private @Nullable Scratch scratch;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private @Nullable String workingDirectory;
    private NetworkPolicy network = NetworkPolicy.NONE;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> options = new LinkedHashMap<>();

    private Builder(IsolationLevel isolation, boolean exact) {
      this.isolation = Objects.requireNonNull(isolation, "isolation");
      this.exactIsolation = exact;
    }

    public Builder withIsolation(IsolationLevel level, boolean exact) {
      this.isolation = Objects.requireNonNull(level, "level");
      this.exactIsolation = exact;
      return this;
    }

    public Builder withLimits(ResourceLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public Builder withMount(Mount mount) {
      mounts.add(Objects.requireNonNull(mount, "mount"));
      return this;
    }

    public Builder withMounts(List<Mount> mounts) {
      this.mounts.clear();
      mounts.forEach(this::withMount);
      return this;
    }

    /** A private writable directory at {@code sandboxPath}, capped at {@code maxBytes}. */
    public Builder withScratch(String sandboxPath, long maxBytes) {
      this.scratch = new Scratch(sandboxPath, maxBytes);
      return this;
    }

    public Builder withoutScratch() {
      this.scratch = null;
      return this;
    }

    public Builder withEnv(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder withEnvironment(Map<String, String> environment) {
      this.environment.clear();
      environment.forEach(this::withEnv);
      return this;
    }

    public Builder withWorkingDirectory(@Nullable String workingDirectory) {
      this.workingDirectory = workingDirectory;
      return this;
    }

    public Builder withNetwork(NetworkPolicy network) {
      this.network = Objects.requireNonNull(network, "network");
      return this;
    }

    public Builder withLabel(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** A backend-specific option such as {@code kvm.kernel=/path/to/vmlinuz}. */
    public Builder withOption(String key, String value) {
      if (!key.contains(".")) {
        throw new IllegalArgumentException(
            "option key (" + key + ") must name its backend, for example kvm.kernel");
      }
      options.put(key, Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong: a bad variable name, two mounts at
     *     one path, a relative working directory
     */
    public SandboxSpec build() {
      for (String name : environment.keySet()) {
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
          throw new IllegalArgumentException(
              "environment variable name (" + name + ") must be non-empty, without '=' or NUL");
        }
      }
      for (String value : environment.values()) {
        if (value.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("environment values must not contain NUL");
        }
      }
      Set<String> targets = new HashSet<>();
      for (Mount m : mounts) {
        if (!targets.add(normalize(m.sandboxPath()))) {
          throw new IllegalArgumentException(
              "two mounts target " + m.sandboxPath() + ": each sandbox path may be mounted once");
        }
      }
      if (scratch != null && targets.contains(normalize(scratch.sandboxPath()))) {
        throw new IllegalArgumentException(
            "the scratch directory " + scratch.sandboxPath() + " is also a mount target");
      }
      if (workingDirectory != null && !workingDirectory.startsWith("/")) {
        throw new IllegalArgumentException(
            "workingDirectory (" + workingDirectory + ") must be absolute");
      }
      return new SandboxSpec(this);
    }

    private static String normalize(String path) {
      String p = path.replaceAll("/+", "/");
      return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
  }
}
