package dev.strata.sandbox.internal;

import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.HardwareProfile.Arch;
import dev.strata.sandbox.HardwareProfile.CgroupLayout;
import dev.strata.sandbox.HardwareProfile.HostClass;
import dev.strata.sandbox.HardwareProfile.Support;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the host's facts from {@code /proc}, {@code /sys}, {@code /dev} and the PATH. The roots
 * are parameters so that tests can feed a made-up host. Every read is allowed to fail.
 */
public final class HostProbe {

  /** Runtimes looked for on the PATH, in report order. */
  public static final List<String> RUNTIMES =
      List.of(
          "runc",
          "crun",
          "bwrap",
          "qemu-system-x86_64",
          "qemu-system-aarch64",
          "qemu-system-riscv64");

  private static final long EDGE_MEMORY_BYTES = 8L << 30;
  private static final List<String> VM_VENDORS =
      List.of(
          "qemu", "kvm", "amazon ec2", "google", "microsoft corporation", "vmware", "xen",
          "innotek", "parallels", "openstack", "digitalocean", "hetzner", "bochs", "firecracker");

  private final Path proc;
  private final Path sys;
  private final Path dev;
  private final String pathEnv;
  private final String osArch;
  private final int availableProcessors;

  public HostProbe(
      Path proc, Path sys, Path dev, String pathEnv, String osArch, int availableProcessors) {
    this.proc = proc;
    this.sys = sys;
    this.dev = dev;
    this.pathEnv = pathEnv;
    this.osArch = osArch;
    this.availableProcessors = availableProcessors;
  }

  public static HostProbe system() {
    String path = System.getenv("PATH");
    return new HostProbe(
        Path.of("/proc"),
        Path.of("/sys"),
        Path.of("/dev"),
        // root's tools (runc) live in sbin, often missing from a service account's PATH
        (path == null ? "" : path) + ":/usr/local/sbin:/usr/sbin:/sbin",
        System.getProperty("os.arch", ""),
        Runtime.getRuntime().availableProcessors());
  }

  public HardwareProfile probe() {
    HardwareProfile.Builder b = HardwareProfile.builder();
    List<String> notes = new ArrayList<>();
    Arch arch = Arch.fromName(osArch);
    b.withArch(arch);
    b.withCpus(Math.max(1, availableProcessors));
    long memory = memoryBytes(notes);
    b.withMemoryBytes(memory);
    b.withKvm(kvm(notes));
    b.withUserNamespaces(userNamespaces(notes));
    b.withCgroups(cgroups(notes));
    b.withSeccomp(seccomp());
    for (String name : RUNTIMES) {
      findOnPath(name).ifPresent(p -> b.withRuntime(name, p));
    }
    b.withHostClass(hostClass(arch, memory));
    b.withKernelRelease(read(proc.resolve("sys/kernel/osrelease")).map(String::trim).orElse(""));
    b.withRoot(effectiveUid().map(uid -> uid == 0).orElse(false));
    notes.forEach(b::withNote);
    return b.build();
  }

  private long memoryBytes(List<String> notes) {
    Optional<String> meminfo = read(proc.resolve("meminfo"));
    if (meminfo.isEmpty()) {
      notes.add("memory unknown: " + proc.resolve("meminfo") + " unreadable");
      return 0;
    }
    for (String line : meminfo.get().split("\n")) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring(9).trim().split("\\s+");
        try {
          return Long.parseLong(parts[0]) * 1024;
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    notes.add("memory unknown: no MemTotal in meminfo");
    return 0;
  }

  private Support kvm(List<String> notes) {
    Path kvm = dev.resolve("kvm");
    if (!Files.exists(kvm)) {
      return Support.NO;
    }
    if (Files.isReadable(kvm) && Files.isWritable(kvm)) {
      return Support.YES;
    }
    notes.add(kvm + " exists but this user may not open it (add the user to the kvm group)");
    return Support.NO;
  }

  private Support userNamespaces(List<String> notes) {
    Optional<Long> max = readLong(proc.resolve("sys/user/max_user_namespaces"));
    if (max.isPresent() && max.get() == 0) {
      notes.add("user namespaces disabled: user.max_user_namespaces = 0");
      return Support.NO;
    }
    Optional<Long> debian = readLong(proc.resolve("sys/kernel/unprivileged_userns_clone"));
    if (debian.isPresent() && debian.get() == 0) {
      notes.add("unprivileged user namespaces disabled: kernel.unprivileged_userns_clone = 0");
      return Support.NO;
    }
    Optional<Long> apparmor =
        readLong(proc.resolve("sys/kernel/apparmor_restrict_unprivileged_userns"));
    if (apparmor.isPresent() && apparmor.get() == 1) {
      notes.add(
          "unprivileged user namespaces restricted by AppArmor"
              + " (kernel.apparmor_restrict_unprivileged_userns = 1)");
      return Support.NO;
    }
    if (max.isPresent()) {
      return Support.YES;
    }
    return Files.exists(proc.resolve("self/ns/user")) ? Support.YES : Support.UNKNOWN;
  }

  private CgroupLayout cgroups(List<String> notes) {
    Optional<String> mounts = read(proc.resolve("self/mounts"));
    if (mounts.isEmpty()) {
      notes.add("cgroup layout unknown: " + proc.resolve("self/mounts") + " unreadable");
      return CgroupLayout.UNKNOWN;
    }
    boolean v1 = false;
    boolean v2 = false;
    for (String line : mounts.get().split("\n")) {
      String[] f = line.split(" ");
      if (f.length < 3) {
        continue;
      }
      if (f[2].equals("cgroup")) {
        v1 = true;
      } else if (f[2].equals("cgroup2")) {
        v2 = true;
      }
    }
    if (v1 && v2) {
      return CgroupLayout.HYBRID;
    }
    if (v1) {
      return CgroupLayout.V1;
    }
    if (v2) {
      return CgroupLayout.V2;
    }
    return CgroupLayout.NONE;
  }

  private Support seccomp() {
    Optional<String> status = read(proc.resolve("self/status"));
    if (status.isEmpty()) {
      return Support.UNKNOWN;
    }
    return status.get().contains("\nSeccomp:") ? Support.YES : Support.NO;
  }

  private Optional<Integer> effectiveUid() {
    Optional<String> status = read(proc.resolve("self/status"));
    if (status.isPresent()) {
      for (String line : status.get().split("\n")) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).trim().split("\\s+");
          if (f.length >= 2) {
            try {
              return Optional.of(Integer.parseInt(f[1]));
            } catch (NumberFormatException e) {
              return Optional.empty();
            }
          }
        }
      }
    }
    return "root".equals(System.getProperty("user.name")) ? Optional.of(0) : Optional.empty();
  }

  private HostClass hostClass(Arch arch, long memory) {
    if ((arch == Arch.AARCH64 || arch == Arch.RISCV64) && memory > 0 && memory < EDGE_MEMORY_BYTES) {
      return HostClass.EDGE_DEVICE;
    }
    Optional<String> cpuinfo = read(proc.resolve("cpuinfo"));
    if (cpuinfo.isPresent() && hasHypervisorFlag(cpuinfo.get())) {
      return HostClass.VIRTUAL_MACHINE;
    }
    Optional<String> vendor = read(sys.resolve("class/dmi/id/sys_vendor"));
    Optional<String> product = read(sys.resolve("class/dmi/id/product_name"));
    String dmi = (vendor.orElse("") + " " + product.orElse("")).toLowerCase(Locale.ROOT);
    for (String v : VM_VENDORS) {
      if (dmi.contains(v)) {
        return HostClass.VIRTUAL_MACHINE;
      }
    }
    if (Files.exists(proc.resolve("xen")) || Files.exists(sys.resolve("hypervisor/type"))) {
      return HostClass.VIRTUAL_MACHINE;
    }
    if (vendor.isPresent() || (cpuinfo.isPresent() && arch == Arch.X86_64)) {
      // x86 without the hypervisor flag and no VM vendor: bare metal
      return HostClass.PHYSICAL_SERVER;
    }
    return HostClass.UNKNOWN;
  }

  private static boolean hasHypervisorFlag(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags") || line.startsWith("Features")) {
        Set<String> flags =
            new LinkedHashSet<>(List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
        if (flags.contains("hypervisor")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The first executable named {@code name} on the PATH (for {@link #system()}: plus the sbin dirs). */
  public Optional<Path> findOnPath(String name) {
    for (String dir : pathEnv.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      try {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      } catch (RuntimeException e) {
        // a malformed PATH entry: skip it
      }
    }
    return Optional.empty();
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> readLong(Path file) {
    return read(file)
        .map(String::trim)
        .flatMap(
            s -> {
              try {
                return Optional.of(Long.parseLong(s));
              } catch (NumberFormatException e) {
                return Optional.<Long>empty();
              }
            });
  }
}
