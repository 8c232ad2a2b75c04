package dev.strata.sandbox.linux;

import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@code linux.*} options of a spec, checked; see the package documentation. */
record LinuxOptions(
    @Nullable String runtime,
    @Nullable Path rootfs,
    boolean userNamespace,
    boolean runtimeExec,
    long tmpBytes,
    long maxOpenFiles) {

  static final Set<String> RUNTIMES = Set.of("runc", "crun", "bwrap");
  static final long DEFAULT_TMP_BYTES = 64L << 20;
  static final long DEFAULT_MAX_OPEN_FILES = 1024;

  private static final Set<String> KEYS =
      Set.of("linux.runtime", "linux.rootfs", "linux.userns", "linux.exec", "linux.tmpSize", "linux.maxOpenFiles");

  /** Paths a spec mount or the scratch dir may not cover: the sandbox needs them as they are. */
  private static final List<String> RESERVED = List.of("/", "/proc", "/dev", "/sys", "/usr", "/etc");

  /**
   * @throws InvalidSpecException naming the bad option or mount and what would be accepted
   */
  static LinuxOptions of(SandboxSpec spec) {
    for (String key : spec.options().keySet()) {
      if (key.startsWith("linux.") && !KEYS.contains(key)) {
        throw new InvalidSpecException(
            "unknown option " + key + ": the linux backend knows " + String.join(", ", KEYS.stream().sorted().toList()));
      }
    }
    Map<String, String> o = spec.options();
    String runtime = o.get("linux.runtime");
    if (runtime != null && !RUNTIMES.contains(runtime)) {
      throw new InvalidSpecException(
          "linux.runtime (" + runtime + ") must be one of runc, crun, bwrap");
    }
    Path rootfs = null;
    if (o.containsKey("linux.rootfs")) {
      rootfs = Path.of(o.get("linux.rootfs")).toAbsolutePath();
      if (!Files.isDirectory(rootfs)) {
        throw new InvalidSpecException(
            "linux.rootfs (" + rootfs + ") is not a directory: give an unpacked root file system");
      }
    }
    String userns = o.getOrDefault("linux.userns", "false");
    if (!userns.equals("true") && !userns.equals("false")) {
      throw new InvalidSpecException("linux.userns (" + userns + ") must be true or false");
    }
    String exec = o.getOrDefault("linux.exec", "agent");
    if (!exec.equals("agent") && !exec.equals("runtime")) {
      throw new InvalidSpecException("linux.exec (" + exec + ") must be agent or runtime");
    }
    long tmp = positive(o, "linux.tmpSize", DEFAULT_TMP_BYTES, 4096);
    long nofile = positive(o, "linux.maxOpenFiles", DEFAULT_MAX_OPEN_FILES, 16);

    for (Mount m : spec.mounts()) {
      if (!Files.exists(m.hostPath())) {
        throw new InvalidSpecException(
            "mount source " + m.hostPath() + " (for " + m.sandboxPath() + ") does not exist on the host");
      }
      reserved(m.sandboxPath(), "mount target");
    }
    spec.scratch().ifPresent(s -> reserved(s.sandboxPath(), "scratch directory"));
    return new LinuxOptions(runtime, rootfs, userns.equals("true"), exec.equals("runtime"), tmp, nofile);
  }

  private static void reserved(String path, String what) {
    String p = path.replaceAll("/+", "/");
    if (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    for (String r : RESERVED) {
      if (p.equals(r) || (!r.equals("/") && p.startsWith(r + "/") && !r.equals("/usr") && !r.equals("/etc"))) {
        throw new InvalidSpecException(
            "the " + what + " " + path + " would hide " + r + ", which the sandbox needs: choose another path such as /data");
      }
    }
  }

  private static long positive(Map<String, String> o, String key, long dflt, long min) {
    String v = o.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw new InvalidSpecException(key + " (" + v + ") must be a whole number of at least " + min);
  }
}
