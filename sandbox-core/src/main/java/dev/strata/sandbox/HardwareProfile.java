package dev.strata.sandbox;

import dev.strata.sandbox.internal.HostProbe;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the host can do (the four-layer model's L1): architecture, cores, memory, KVM, user
 * namespaces, the cgroup layout, seccomp, the sandbox runtimes on the PATH, and the kind of host.
 *
 * <p>{@link #detect()} reads {@code /proc} and {@code /sys} and looks at the PATH; it never throws
 * on an odd host: what it cannot tell is {@link Support#UNKNOWN}. Tests build profiles with
 * {@link #builder()}.
 */
public final class HardwareProfile {

  /** CPU architecture. */
  public enum Arch {
    X86_64,
    AARCH64,
    RISCV64,
    OTHER;

    /** Maps {@code os.arch} or {@code uname -m} names: amd64, x86_64, arm64, aarch64, riscv64. */
    public static Arch fromName(String name) {
      switch (name.toLowerCase(java.util.Locale.ROOT)) {
        case "amd64":
        case "x86_64":
          return X86_64;
        case "aarch64":
        case "arm64":
          return AARCH64;
        case "riscv64":
          return RISCV64;
        default:
          return OTHER;
      }
    }

    /** The QEMU system emulator for this architecture, such as {@code qemu-system-x86_64}. */
    public Optional<String> qemuBinary() {
      switch (this) {
        case X86_64:
          return Optional.of("qemu-system-x86_64");
        case AARCH64:
          return Optional.of("qemu-system-aarch64");
        case RISCV64:
          return Optional.of("qemu-system-riscv64");
        default:
          return Optional.empty();
      }
    }
  }

  /** A three-way answer: detection never guesses. */
  public enum Support {
    YES,
    NO,
    UNKNOWN;

    public boolean isYes() {
      return this == YES;
    }
  }

  /** How cgroups are mounted. */
  public enum CgroupLayout {
    /** Only the legacy per-controller hierarchies. */
    V1,
    /** The unified hierarchy only. */
    V2,
    /** v1 controllers plus a (usually empty) v2 mount, as systemd's hybrid mode does. */
    HYBRID,
    /** No cgroup file system mounted. */
    NONE,
    UNKNOWN
  }

  /** The kind of host, as the four-layer model names them. */
  public enum HostClass {
    PHYSICAL_SERVER,
    /** A cloud instance or any virtual machine (DMI vendor or the {@code hypervisor} cpu flag). */
    VIRTUAL_MACHINE,
    /** ARM or RISC-V with little memory. */
    EDGE_DEVICE,
    UNKNOWN
  }

  private final Arch arch;
  private final int cpus;
  private final long memoryBytes;
  private final Support kvm;
  private final Support userNamespaces;
  private final CgroupLayout cgroups;
  private final Support seccomp;
  private final Map<String, Path> runtimes;
  private final HostClass hostClass;
  private final String kernelRelease;
  private final boolean root;
  private final List<String> notes;

  private HardwareProfile(Builder b) {
    this.arch = b.arch;
    this.cpus = b.cpus;
    this.memoryBytes = b.memoryBytes;
    this.kvm = b.kvm;
    this.userNamespaces = b.userNamespaces;
    this.cgroups = b.cgroups;
    this.seccomp = b.seccomp;
    this.runtimes = Collections.unmodifiableMap(new TreeMap<>(b.runtimes));
    this.hostClass = b.hostClass;
    this.kernelRelease = b.kernelRelease;
    this.root = b.root;
    this.notes = List.copyOf(b.notes);
  }

  /** Probes this host. Never throws; unknown facts are {@link Support#UNKNOWN}. */
  public static HardwareProfile detect() {
    return HostProbe.system().probe();
  }

  /** A profile to fill in by hand, for tests and for describing a remote host. */
  public static Builder builder() {
    return new Builder();
  }

  public Arch arch() {
    return arch;
  }

  /** Processors this JVM may use. */
  public int cpus() {
    return cpus;
  }

  /** Total memory of the host (or of this container's cgroup, if smaller); 0 if unknown. */
  public long memoryBytes() {
    return memoryBytes;
  }

  /**
   * Whether {@code /dev/kvm} exists and this user may open it. That a VM really runs is for the
   * HARDWARE backend to find out: under a nested hypervisor {@code /dev/kvm} can open and still
   * fail to run a guest, and the backend then falls back to emulation and says so.
   */
  public Support kvm() {
    return kvm;
  }

  /** Whether an unprivileged user may create user namespaces. */
  public Support userNamespaces() {
    return userNamespaces;
  }

  public CgroupLayout cgroups() {
    return cgroups;
  }

  /** Whether the kernel supports seccomp filters. */
  public Support seccomp() {
    return seccomp;
  }

  /**
   * The sandbox runtimes found, by name ({@code runc}, {@code crun}, {@code bwrap}, {@code
   * qemu-system-x86_64}, ...) to their path.
   */
  public Map<String, Path> runtimes() {
    return runtimes;
  }

  /** The path of a runtime, if found. */
  public Optional<Path> runtime(String name) {
    return Optional.ofNullable(runtimes.get(name));
  }

  public HostClass hostClass() {
    return hostClass;
  }

  /** {@code uname -r}, or empty if unknown. */
  public String kernelRelease() {
    return kernelRelease;
  }

  /** Whether this JVM runs as root (effective uid 0). */
  public boolean root() {
    return root;
  }

  /** What detection could not tell, and why; empty on a plain host. */
  public List<String> notes() {
    return notes;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.arch = arch;
    b.cpus = cpus;
    b.memoryBytes = memoryBytes;
    b.kvm = kvm;
    b.userNamespaces = userNamespaces;
    b.cgroups = cgroups;
    b.seccomp = seccomp;
    b.runtimes.putAll(runtimes);
    b.hostClass = hostClass;
    b.kernelRelease = kernelRelease;
    b.root = root;
    b.notes.addAll(notes);
    return b;
  }

  @Override
  public String toString() {
    return "HardwareProfile{arch="
        + arch
        + ", cpus="
        + cpus
        + ", memory="
        + (memoryBytes >> 20)
        + " MiB, kvm="
        + kvm
        + ", userNamespaces="
        + userNamespaces
        + ", cgroups="
        + cgroups
        + ", seccomp="
        + seccomp
        + ", runtimes="
        + runtimes.keySet()
        + ", hostClass="
        + hostClass
        + ", kernel="
        + kernelRelease
        + ", root="
        + root
        + '}';
  }

  /** Builds a {@link HardwareProfile}; everything starts unknown. */
  public static final class Builder {
    private Arch arch = Arch.OTHER;
    private int cpus = 1;
    private long memoryBytes;
    private Support kvm = Support.UNKNOWN;
    private Support userNamespaces = Support.UNKNOWN;
    private CgroupLayout cgroups = CgroupLayout.UNKNOWN;
    private Support seccomp = Support.UNKNOWN;
    private final Map<String, Path> runtimes = new TreeMap<>();
    private HostClass hostClass = HostClass.UNKNOWN;
    private String kernelRelease = "";
    private boolean root;
    private final java.util.ArrayList<String> notes = new java.util.ArrayList<>();

    private Builder() {}

    public Builder withArch(Arch arch) {
      this.arch = Objects.requireNonNull(arch);
      return this;
    }

    public Builder withCpus(int cpus) {
      if (cpus < 1) {
        throw new IllegalArgumentException("cpus (" + cpus + ") must be positive");
      }
      this.cpus = cpus;
      return this;
    }

    public Builder withMemoryBytes(long memoryBytes) {
      if (memoryBytes < 0) {
        throw new IllegalArgumentException("memoryBytes (" + memoryBytes + ") must not be negative");
      }
      this.memoryBytes = memoryBytes;
      return this;
    }

    public Builder withKvm(Support kvm) {
      this.kvm = Objects.requireNonNull(kvm);
      return this;
    }

    public Builder withUserNamespaces(Support userNamespaces) {
      this.userNamespaces = Objects.requireNonNull(userNamespaces);
      return this;
    }

    public Builder withCgroups(CgroupLayout cgroups) {
      this.cgroups = Objects.requireNonNull(cgroups);
      return this;
    }

    public Builder withSeccomp(Support seccomp) {
      this.seccomp = Objects.requireNonNull(seccomp);
      return this;
    }

    public Builder withRuntime(String name, Path path) {
      runtimes.put(Objects.requireNonNull(name), Objects.requireNonNull(path));
      return this;
    }

    public Builder withoutRuntime(String name) {
      runtimes.remove(name);
      return this;
    }

    public Builder withHostClass(HostClass hostClass) {
      this.hostClass = Objects.requireNonNull(hostClass);
      return this;
    }

    public Builder withKernelRelease(String kernelRelease) {
      this.kernelRelease = Objects.requireNonNull(kernelRelease);
      return this;
    }

    public Builder withRoot(boolean root) {
      this.root = root;
      return this;
    }

    public Builder withNote(String note) {
      notes.add(Objects.requireNonNull(note));
      return this;
    }

    public HardwareProfile build() {
      return new HardwareProfile(this);
    }
  }
}
