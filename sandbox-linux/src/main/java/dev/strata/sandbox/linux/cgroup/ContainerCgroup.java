package dev.strata.sandbox.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A container's cgroup as the runtime's cgroupfs driver lays it out for {@code cgroupsPath}
 * {@code /strata/<id>}: one directory per v1 controller ({@code /sys/fs/cgroup/memory/strata/<id>},
 * ...) on v1 and hybrid hosts (runc drives the v1 controllers there; the v2 mount is empty), or one
 * directory in the unified tree on v2 hosts. Reads what the sandbox reports: OOM kills, memory,
 * CPU time. Internal.
 */
public final class ContainerCgroup {

  /** Whether the host's controllers are v1 (legacy or hybrid) or v2 (unified). */
  public enum Mode {
    V1,
    V2,
    NONE
  }

  /** Where cgroups are mounted. */
  public static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final Mode mode;
  private final String relative;

  private ContainerCgroup(Mode mode, String relative) {
    this.mode = mode;
    this.relative = relative.startsWith("/") ? relative.substring(1) : relative;
  }

  /** The cgroup for {@code cgroupsPath} on this host. */
  public static ContainerCgroup of(String cgroupsPath) {
    return new ContainerCgroup(detectMode(), cgroupsPath);
  }

  /** V2 when {@code /sys/fs/cgroup} itself is the unified hierarchy, V1 when controllers are. */
  public static Mode detectMode() {
    if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
      return Mode.V2;
    }
    if (Files.isDirectory(ROOT.resolve("memory")) || Files.isDirectory(ROOT.resolve("pids"))) {
      return Mode.V1;
    }
    return Mode.NONE;
  }

  public Mode mode() {
    return mode;
  }

  /** The controller directory (v1) or the unified directory (v2). */
  public Path dir(String controller) {
    return mode == Mode.V2 ? ROOT.resolve(relative) : ROOT.resolve(controller).resolve(relative);
  }

  /** Every directory of this cgroup that exists now (for the leak check and cleanup). */
  public List<Path> existingDirs() {
    if (mode == Mode.V2) {
      return Files.isDirectory(dir("")) ? List.of(dir("")) : List.of();
    }
    try (var controllers = Files.list(ROOT)) {
      return controllers.map(c -> c.resolve(relative)).filter(Files::isDirectory).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** How many processes the kernel's OOM killer has killed in this cgroup so far; -1 if unknown. */
  public long oomKills() {
    if (mode == Mode.V2) {
      return keyed(dir("").resolve("memory.events"), "oom_kill");
    }
    long kills = keyed(dir("memory").resolve("memory.oom_control"), "oom_kill");
    if (kills >= 0) {
      return kills;
    }
    // kernels before 4.13 lack oom_kill: failcnt counts limit hits, close enough to "it hit OOM"
    return single(dir("memory").resolve("memory.failcnt"));
  }

  /** Memory charged to the cgroup now, in bytes; null if unknown. */
  public @Nullable Long memoryBytes() {
    long v =
        mode == Mode.V2
            ? single(dir("").resolve("memory.current"))
            : single(dir("memory").resolve("memory.usage_in_bytes"));
    return v < 0 ? null : v;
  }

  /** The most memory charged at once so far; null if unknown. */
  public @Nullable Long peakMemoryBytes() {
    long v =
        mode == Mode.V2
            ? single(dir("").resolve("memory.peak"))
            : single(dir("memory").resolve("memory.max_usage_in_bytes"));
    return v < 0 ? null : v;
  }

  /** CPU time used by everything in the cgroup, in nanoseconds; -1 if unknown. */
  public long cpuNanos() {
    if (mode == Mode.V2) {
      long micros = keyed(dir("").resolve("cpu.stat"), "usage_usec");
      return micros < 0 ? -1 : micros * 1000;
    }
    return single(dir("cpuacct").resolve("cpuacct.usage"));
  }

  /** The pids controller's count now; -1 if unknown. */
  public long pidsCurrent() {
    return single(dir("pids").resolve("pids.current"));
  }

  /** The pids limit's hits so far ({@code pids.events max}); -1 if unknown. */
  public long pidsRefused() {
    return keyed(dir("pids").resolve("pids.events"), "max");
  }

  /** Removes the shared parent ({@code /strata}) in every hierarchy where it is empty. */
  public static void removeEmptyParents(String parent) {
    String rel = parent.startsWith("/") ? parent.substring(1) : parent;
    try (var controllers = Files.list(ROOT)) {
      for (Path c : controllers.toList()) {
        Path p = c.resolve(rel);
        if (Files.isDirectory(p)) {
          try {
            Files.delete(p); // rmdir: succeeds only if no child cgroup is left
          } catch (IOException busy) {
            // still in use by another sandbox or another JVM
          }
        }
      }
      Path unified = ROOT.resolve("unified").resolve(rel);
      if (Files.isDirectory(unified)) {
        try {
          Files.delete(unified);
        } catch (IOException busy) {
          // in use
        }
      }
    } catch (IOException e) {
      // no cgroup file system
    }
  }

  private static long single(Path file) {
    try {
      return Long.parseLong(Files.readString(file).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static long keyed(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        String[] kv = line.trim().split("\\s+");
        if (kv.length == 2 && kv[0].equals(key)) {
          return Long.parseLong(kv[1]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
