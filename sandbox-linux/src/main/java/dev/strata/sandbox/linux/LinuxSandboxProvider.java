package dev.strata.sandbox.linux;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sandbox.Availability;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxUnavailableException;
import dev.strata.sandbox.linux.cgroup.ContainerCgroup;
import dev.strata.sandbox.linux.oci.OciRuntime;
import dev.strata.sandbox.linux.seccomp.SeccompProfile;
import dev.strata.sandbox.spi.SandboxIds;
import dev.strata.sandbox.spi.SandboxProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROCESS tier: each sandbox is a long-lived OCI container (runc, or crun where it works)
 * with its own PID, mount, IPC, UTS, network and cgroup namespaces (and a user namespace when not
 * root), a read-only root, no capabilities, {@code no_new_privs}, a seccomp filter, and cgroup
 * limits for memory, CPU and processes. Found by {@link java.util.ServiceLoader} under the name
 * {@code linux}.
 *
 * <pre>{@code
 * try (SandboxFactory factory = SandboxFactory.builder().build();
 *     Sandbox sb = factory.create(SandboxSpec.exactly(IsolationLevel.PROCESS).build())) {
 *   ExecResult r = sb.exec(Command.of("sh", "-c", "echo hi"));
 * }
 * }</pre>
 *
 * <p>At first use the provider tries each OCI runtime on the PATH with a real tiny container and
 * keeps the fastest that works; {@code linux.runtime} in a spec forces one. It also removes the
 * containers and bundles that JVMs which have died left behind.
 */
public final class LinuxSandboxProvider implements SandboxProvider {

  private static final Logger LOG = LoggerFactory.getLogger(LinuxSandboxProvider.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> OCI_RUNTIMES = List.of("crun", "runc");

  /** What probing found, once per JVM (the host does not change under it). */
  record Probe(
      Map<String, LinuxSandbox.Host> working,
      BwrapLauncher.@Nullable Host bwrap,
      Map<String, String> failures,
      Map<String, Long> probeMillis,
      @Nullable String chosen,
      List<String> notes) {}

  private static @Nullable Probe probe;

  /** Why bubblewrap is not used by a root JVM. */
  static final String BWRAP_AS_ROOT =
      "bubblewrap is for non-root JVMs: run by root its sandbox is host root without a user-namespace"
          + " shift, so root-owned files such as /proc/sys stay writable (an OCI runtime makes those"
          + " read-only)";

  public LinuxSandboxProvider() {}

  @Override
  public String name() {
    return "linux";
  }

  @Override
  public IsolationLevel isolationLevel() {
    return IsolationLevel.PROCESS;
  }

  @Override
  public Availability availability(HardwareProfile host) {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return Availability.unavailable(
          "the PROCESS tier needs Linux (namespaces, cgroups, seccomp); this is " + System.getProperty("os.name"),
          "run on Linux, or use the wasm or kvm backend");
    }
    return availabilityOf(probe(), Posix.euid() == 0);
  }

  /** What a probe's outcome means for the user: the runtime used, or why none and the fix. */
  static Availability availabilityOf(Probe p, boolean root) {
    if (p.chosen() == null) {
      return Availability.unavailable(unavailableReason(p), fixFor(p, root));
    }
    return Availability.ok(p.notes());
  }

  @Override
  public Sandbox create(SandboxSpec spec, HardwareProfile hw) {
    if (!spec.acceptsLevel(IsolationLevel.PROCESS)) {
      throw new InvalidSpecException(
          "the linux backend gives PROCESS isolation, but the spec asks for " + (spec.exactIsolation() ? "exactly " : "at least ") + spec.isolation());
    }
    LinuxOptions options = LinuxOptions.of(spec);
    long hostMemory = hw.memoryBytes();
    if (hostMemory > 0 && spec.limits().memoryBytes() > hostMemory) {
      throw new InvalidSpecException(
          "memoryBytes (" + spec.limits().memoryBytes() + ") is more than this host has (" + hostMemory + ")");
    }
    if (hw.cpus() > 0 && spec.limits().cpuMillis() > hw.cpus() * 1000) {
      throw new InvalidSpecException(
          "cpuMillis (" + spec.limits().cpuMillis() + ") is more than this host's " + hw.cpus() + " CPUs (" + hw.cpus() * 1000 + ")");
    }
    Probe p = probe();
    String runtime = options.runtime() != null ? options.runtime() : p.chosen();
    if (runtime == null) {
      throw new SandboxUnavailableException(
          "the linux backend is unavailable: " + availabilityOf(p, Posix.euid() == 0).describe(), List.of());
    }
    if (runtime.equals("bwrap") && p.bwrap() != null) {
      return BwrapLauncher.start(SandboxIds.newId("linux"), spec, options, p.bwrap());
    }
    LinuxSandbox.Host host = p.working().get(runtime);
    if (host == null) {
      String why = p.failures().getOrDefault(runtime, runtime + " was not tried");
      throw new InvalidSpecException(
          "linux.runtime=" + runtime + " cannot be used on this host: " + why
              + (p.chosen() == null ? "" : ". Leave linux.runtime unset to use " + p.chosen()));
    }
    return LinuxSandbox.start(SandboxIds.newId("linux"), spec, options, host);
  }

  /** The probe's outcome, for tests and the benchmarks: which runtime, and why not the others. */
  static synchronized Probe probe() {
    if (probe == null) {
      probe = runProbe();
    }
    return probe;
  }

  private static Probe runProbe() {
    boolean root = Posix.euid() == 0;
    Path base = baseDir(root);
    Map<String, LinuxSandbox.Host> working = new LinkedHashMap<>();
    Map<String, String> failures = new LinkedHashMap<>();
    Map<String, Long> millis = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    ContainerCgroup.Mode mode = ContainerCgroup.detectMode();
    boolean hybrid = mode == ContainerCgroup.Mode.V1 && Files.isDirectory(Path.of("/sys/fs/cgroup/unified"));
    // Rootless runc cannot create cgroups on v1 (no delegation); on v2 it needs systemd's
    // delegation, which we do not assume: rlimits are the bound left then.
    boolean cgroups = root && mode != ContainerCgroup.Mode.NONE;
    boolean swap =
        mode == ContainerCgroup.Mode.V2
            || Files.exists(ContainerCgroup.ROOT.resolve("memory/memory.memsw.limit_in_bytes"));

    Optional<byte[]> init = InitBinary.forArch(System.getProperty("os.arch", ""));
    if (init.isEmpty()) {
      failures.put("init", "no built-in init for " + System.getProperty("os.arch") + " (only x86_64)");
      return new Probe(working, null, failures, millis, null, notes);
    }
    Path initFile;
    try {
      Files.createDirectories(base.resolve("bundles"));
      // named by content: JVMs of different versions on one host each get their own
      initFile = base.resolve("strata-init-" + sha256(init.get()).substring(0, 16));
      if (!Files.exists(initFile) || Files.size(initFile) != init.get().length) {
        Path tmp = Files.createTempFile(base, ".init", ".tmp");
        Files.write(tmp, init.get());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.move(tmp, initFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      failures.put("state", "cannot write to " + base + ": " + e.getMessage());
      return new Probe(working, null, failures, millis, null, notes);
    }

    for (String name : OCI_RUNTIMES) {
      Optional<Path> bin = onPath(name);
      if (bin.isEmpty()) {
        failures.put(name, name + " is not installed");
        continue;
      }
      OciRuntime rt = new OciRuntime(name, bin.get(), base.resolve(name + "-state"), !root);
      LinuxSandbox.Host host =
          new LinuxSandbox.Host(
              rt, base.resolve("bundles"), base.resolve("rootfs"), initFile, JSON, root, cgroups, swap,
              SeccompProfile.architecturesFor(System.getProperty("os.arch", "")));
      reapStale(rt, base.resolve("bundles"));
      long t0 = System.nanoTime();
      String error = tryContainer(host);
      long took = (System.nanoTime() - t0) / 1_000_000;
      if (error == null) {
        working.put(name, host);
        millis.put(name, took);
      } else {
        failures.put(name, rt.version() + " failed a test container: " + error);
      }
    }
    if (working.isEmpty()) {
      reapStale(null, base.resolve("bundles")); // no runtime reaped above: still clear bundles
    }
    BwrapLauncher.@Nullable Host bwrap = null;
    Optional<Path> bwrapBin = BwrapLauncher.binary();
    Optional<byte[]> bpf = dev.strata.sandbox.linux.seccomp.SeccompBpf.forArch(System.getProperty("os.arch", ""));
    if (root) {
      failures.put("bwrap", BWRAP_AS_ROOT);
    } else if (bwrapBin.isEmpty()) {
      failures.put("bwrap", "bwrap is not installed");
    } else if (bpf.isEmpty()) {
      failures.put("bwrap", "no seccomp program for " + System.getProperty("os.arch"));
    } else {
      BwrapLauncher.Host bh = new BwrapLauncher.Host(bwrapBin.get(), base.resolve("bundles"), initFile, bpf.get(), JSON);
      long t0 = System.nanoTime();
      String error = tryBwrap(bh);
      if (error == null) {
        bwrap = bh;
        millis.put("bwrap", (System.nanoTime() - t0) / 1_000_000);
      } else {
        failures.put("bwrap", "bubblewrap failed a test sandbox: " + error);
      }
    }
    // an OCI runtime when one works (it gives cgroup limits), bwrap only as the fallback
    String chosen =
        millis.entrySet().stream()
            .filter(e -> !e.getKey().equals("bwrap"))
            .min(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse(bwrap != null ? "bwrap" : null);
    if ("bwrap".equals(chosen)) {
      notes.add("runtime: bubblewrap (test sandbox in " + millis.get("bwrap") + " ms), as no OCI runtime works here");
      failures.forEach((n, why) -> notes.add(n + " not used: " + why));
      notes.add(
          "bubblewrap: namespaces, no capabilities, seccomp and no_new_privs as with an OCI runtime;"
              + " no cgroup limits: memory by RLIMIT_AS, processes by RLIMIT_NPROC, no CPU quota, no OOM status");
    } else if (chosen != null) {
      OciRuntime rt = working.get(chosen).runtime();
      notes.add("runtime: " + rt.version() + " (test container in " + millis.get(chosen) + " ms)");
      failures.forEach((n, why) -> notes.add(n + " not used: " + why));
      if (bwrap != null) {
        notes.add("bwrap works too (linux.runtime=bwrap), without cgroup limits");
      }
      notes.add("cgroups: " + (hybrid ? "hybrid (v1 controllers)" : mode.toString().toLowerCase(java.util.Locale.ROOT)));
      if (!root) {
        notes.add(
            "rootless (uid " + Posix.uid() + "): user namespace; no cgroup limits"
                + (mode == ContainerCgroup.Mode.V1 ? " (cgroup v1 cannot be delegated)" : " (no delegated cgroup)")
                + ": memory by RLIMIT_AS, processes by RLIMIT_NPROC, no CPU quota, no OOM status");
      } else if (!swap) {
        notes.add("no swap accounting (memory.memsw): swap is not limited");
      }
    }
    LOG.debug("linux backend probe: working={}, failures={}, times={}", working.keySet(), failures, millis);
    return new Probe(working, bwrap, failures, millis, chosen, notes);
  }

  private static @Nullable String tryBwrap(BwrapLauncher.Host host) {
    SandboxSpec spec = SandboxSpec.exactly(IsolationLevel.PROCESS).build();
    try (LinuxSandbox sb = BwrapLauncher.start(SandboxIds.newId("linux"), spec, LinuxOptions.of(spec), host)) {
      ExecResult r = sb.exec(Command.of("/bin/true"));
      return r.isSuccess() ? null : "/bin/true in it ended " + r + ": " + r.stderrText().strip();
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code /bin/true} in a container with the default spec; null when it worked. */
  private static @Nullable String tryContainer(LinuxSandbox.Host host) {
    SandboxSpec spec = SandboxSpec.exactly(IsolationLevel.PROCESS).build();
    try (LinuxSandbox sb = LinuxSandbox.start(SandboxIds.newId("linux"), spec, LinuxOptions.of(spec), host)) {
      ExecResult r = sb.exec(Command.of("/bin/true"));
      if (!r.isSuccess()) {
        return "/bin/true in it ended " + r + ": " + r.stderrText().strip();
      }
      return null;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /**
   * Deletes what JVMs that are no longer alive left: their containers in {@code rt}'s state
   * directory (null: none to ask), their bundles, and their cgroups.
   */
  static void reapStale(@Nullable OciRuntime rt, Path bundles) {
    if (rt != null) {
      for (String id : rt.list(JSON)) {
        if (SandboxIds.isStale(id)) {
          LOG.info("removing stale container {} of a dead JVM", id);
          rt.deleteForce(id);
        }
      }
    }
    try (var dirs = Files.list(bundles)) {
      for (Path d : dirs.toList()) {
        String id = d.getFileName().toString();
        if (SandboxIds.isStale(id)) {
          if (rt != null) {
            rt.deleteForce(id);
          }
          LinuxSandbox.deleteTree(d);
        }
      }
    } catch (IOException e) {
      // nothing to reap
    }
    // cgroups whose container state is already gone (a JVM killed in the middle of a close)
    try (var controllers = Files.list(ContainerCgroup.ROOT)) {
      for (Path c : controllers.toList()) {
        Path parent = c.resolve(LinuxSandbox.CGROUP_PARENT.substring(1));
        if (!Files.isDirectory(parent)) {
          continue;
        }
        try (var groups = Files.list(parent)) {
          for (Path g : groups.toList()) {
            if (Files.isDirectory(g) && SandboxIds.isStale(g.getFileName().toString())) {
              try {
                Files.delete(g);
              } catch (IOException busy) {
                LOG.debug("stale cgroup {} still busy", g);
              }
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup file system, or not ours to touch
    }
    ContainerCgroup.removeEmptyParents(LinuxSandbox.CGROUP_PARENT);
  }

  /** {@code /run/strata} for root; for others {@code $XDG_RUNTIME_DIR/strata} or a temp dir. */
  static Path baseDir(boolean root) {
    if (root) {
      return Path.of("/run/strata");
    }
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    if (xdg != null && Files.isWritable(Path.of(xdg))) {
      return Path.of(xdg, "strata");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "strata-" + Posix.uid());
  }

  static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin")); // runc lives in /usr/sbin on Debian
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static String unavailableReason(Probe p) {
    if (p.failures().isEmpty()) {
      return "no OCI runtime (runc or crun) is installed";
    }
    List<String> parts = new ArrayList<>();
    p.failures().forEach((n, why) -> parts.add(n + ": " + why));
    return "no OCI runtime could run a container (" + String.join("; ", parts) + ")";
  }

  private static String fixFor(Probe p, boolean root) {
    boolean none = p.failures().values().stream().allMatch(v -> v.endsWith("is not installed"));
    if (none) {
      return "apt-get install runc";
    }
    if (!root) {
      return "run as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)";
    }
    return "apt-get install runc (1.1 or newer)";
  }
}
