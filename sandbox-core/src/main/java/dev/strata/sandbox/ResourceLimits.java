package dev.strata.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What a sandbox may consume. Immutable; start from {@link #defaults()} or {@link #small()} and
 * change what you need with {@link #toBuilder()}.
 *
 * <pre>{@code
 * ResourceLimits limits = ResourceLimits.defaults().toBuilder()
 *     .withMemoryBytes(64L << 20)
 *     .withTimeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 *
 * <p>Each tier enforces what its mechanism can: the WASM tier caps linear memory, fuel and output
 * but has no processes to count; the PROCESS tier uses cgroups (or rlimits where cgroups cannot be
 * delegated); the HARDWARE tier sizes the VM.
 */
public final class ResourceLimits {

  /** 256 MiB. */
  public static final long DEFAULT_MEMORY_BYTES = 256L << 20;
  /** One CPU. */
  public static final int DEFAULT_CPU_MILLIS = 1000;
  /** 256 processes. */
  public static final int DEFAULT_MAX_PROCESSES = 256;
  /** 60 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  /** 16 MiB for stdout and 16 MiB for stderr. */
  public static final long DEFAULT_MAX_OUTPUT_BYTES = 16L << 20;

  private static final ResourceLimits DEFAULTS = new Builder().build();
  private static final ResourceLimits SMALL =
      new Builder()
          .withMemoryBytes(64L << 20)
          .withCpuMillis(500)
          .withMaxProcesses(32)
          .withTimeout(Duration.ofSeconds(10))
          .withMaxOutputBytes(1L << 20)
          .build();

  private final long memoryBytes;
  private final int cpuMillis;
  private final int maxProcesses;
  private final Duration timeout;
  private final long maxOutputBytes;
  private final @Nullable Long fuel;

  private ResourceLimits(Builder b) {
    this.memoryBytes = b.memoryBytes;
    this.cpuMillis = b.cpuMillis;
    this.maxProcesses = b.maxProcesses;
    this.timeout = b.timeout;
    this.maxOutputBytes = b.maxOutputBytes;
    this.fuel = b.fuel;
  }

  /** 256 MiB, one CPU, 256 processes, 60 s, 16 MiB of output per stream, no fuel limit. */
  public static ResourceLimits defaults() {
    return DEFAULTS;
  }

  /** 64 MiB, half a CPU, 32 processes, 10 s, 1 MiB of output per stream: for short functions. */
  public static ResourceLimits small() {
    return SMALL;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.memoryBytes = memoryBytes;
    b.cpuMillis = cpuMillis;
    b.maxProcesses = maxProcesses;
    b.timeout = timeout;
    b.maxOutputBytes = maxOutputBytes;
    b.fuel = fuel;
    return b;
  }

  /** Memory for the payload: a cgroup limit, the VM's RAM, or the cap on WASM linear memory. */
  public long memoryBytes() {
    return memoryBytes;
  }

  /** CPU share in thousandths of a CPU: 500 is half a CPU, 2000 two CPUs (a VM gets ceil vCPUs). */
  public int cpuMillis() {
    return cpuMillis;
  }

  /** The most processes (and threads) that may live at once. */
  public int maxProcesses() {
    return maxProcesses;
  }

  /** Wall-clock time allowed for one command unless the {@link Command} sets its own. */
  public Duration timeout() {
    return timeout;
  }

  /** Bytes kept from each of stdout and stderr; past that the payload is stopped. */
  public long maxOutputBytes() {
    return maxOutputBytes;
  }

  /** WASM instruction budget per command; empty for no budget. Other tiers ignore it. */
  public OptionalLong fuel() {
    return fuel == null ? OptionalLong.empty() : OptionalLong.of(fuel);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceLimits other
        && memoryBytes == other.memoryBytes
        && cpuMillis == other.cpuMillis
        && maxProcesses == other.maxProcesses
        && timeout.equals(other.timeout)
        && maxOutputBytes == other.maxOutputBytes
        && Objects.equals(fuel, other.fuel);
  }

  @Override
  public int hashCode() {
    return Objects.hash(memoryBytes, cpuMillis, maxProcesses, timeout, maxOutputBytes, fuel);
  }

  @Override
  public String toString() {
    return "ResourceLimits{memory="
        + memoryBytes
        + ", cpuMillis="
        + cpuMillis
        + ", maxProcesses="
        + maxProcesses
        + ", timeout="
        + timeout
        + ", maxOutputBytes="
        + maxOutputBytes
        + (fuel == null ? "" : ", fuel=" + fuel)
        + '}';
  }

  /** Builds {@link ResourceLimits}; every value starts at its default. */
  public static final class Builder {
    private long memoryBytes = DEFAULT_MEMORY_BYTES;
    private int cpuMillis = DEFAULT_CPU_MILLIS;
    private int maxProcesses = DEFAULT_MAX_PROCESSES;
    private Duration timeout = DEFAULT_TIMEOUT;
    private long maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
    private @Nullable Long fuel;

    private Builder() {}

    public Builder withMemoryBytes(long memoryBytes) {
      this.memoryBytes = memoryBytes;
      return this;
    }

    public Builder withCpuMillis(int cpuMillis) {
      this.cpuMillis = cpuMillis;
      return this;
    }

    public Builder withMaxProcesses(int maxProcesses) {
      this.maxProcesses = maxProcesses;
      return this;
    }

    public Builder withTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public Builder withMaxOutputBytes(long maxOutputBytes) {
      this.maxOutputBytes = maxOutputBytes;
      return this;
    }

    /** An instruction budget for WASM; {@code null} removes it. */
    public Builder withFuel(@Nullable Long fuel) {
      this.fuel = fuel;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the bad value and the allowed range
     */
    public ResourceLimits build() {
      if (memoryBytes < (1L << 20)) {
        throw new IllegalArgumentException(
            "memoryBytes (" + memoryBytes + ") must be at least 1 MiB (1048576)");
      }
      if (cpuMillis < 1) {
        throw new IllegalArgumentException("cpuMillis (" + cpuMillis + ") must be positive");
      }
      if (maxProcesses < 1) {
        throw new IllegalArgumentException("maxProcesses (" + maxProcesses + ") must be positive");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
      }
      if (maxOutputBytes < 0) {
        throw new IllegalArgumentException(
            "maxOutputBytes (" + maxOutputBytes + ") must be zero or positive");
      }
      if (fuel != null && fuel <= 0) {
        throw new IllegalArgumentException("fuel (" + fuel + ") must be positive, or null for none");
      }
      return new ResourceLimits(this);
    }
  }
}
