package dev.strata.sandbox.linux.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An OCI runtime-spec {@code config.json} (spec 1.0.x), filled in field by field and written with
 * Jackson. It starts from the isolation every Strata container gets: pid, mount, ipc, uts,
 * network and cgroup namespaces, no capabilities, {@code noNewPrivileges}, a read-only root, the
 * runtime defaults for masked and read-only {@code /proc} paths, and only the {@code /proc},
 * {@code /dev} and {@code /dev/*} mounts a program expects. Internal.
 */
public final class OciConfig {

  /** What runc and the OCI default spec mask: files of the host kernel a container must not read. */
  public static final List<String> MASKED_PATHS =
      List.of(
          "/proc/acpi",
          "/proc/asound",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware");

  /** What runc and the OCI default spec make read-only. */
  public static final List<String> READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** One entry of {@code mounts}. */
  public record MountEntry(String destination, String type, String source, List<String> options) {
    public MountEntry {
      options = List.copyOf(options);
    }

    /** A read-only (or writable) bind mount that does not follow mounts below the source. */
    public static MountEntry bind(Path source, String destination, boolean readOnly) {
      return new MountEntry(
          destination,
          "bind",
          source.toString(),
          readOnly
              ? List.of("bind", "ro", "nosuid", "nodev")
              : List.of("bind", "rw", "nosuid", "nodev"));
    }

    /** A tmpfs capped at {@code bytes}. */
    public static MountEntry tmpfs(String destination, long bytes, String mode) {
      return new MountEntry(
          destination,
          "tmpfs",
          "tmpfs",
          List.of("nosuid", "nodev", "mode=" + mode, "size=" + bytes));
    }
  }

  /** One rlimit. */
  public record Rlimit(String type, long soft, long hard) {}

  private final ObjectMapper json;
  private final List<String> args = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private String cwd = "/";
  private int uid;
  private int gid;
  private Path rootfs = Path.of("rootfs");
  private boolean readonlyRoot = true;
  private String hostname = "sandbox";
  private final List<MountEntry> mounts = new ArrayList<>();
  private final List<Rlimit> rlimits = new ArrayList<>();
  private boolean userNamespace;
  private int hostUid;
  private int hostGid;
  private int idMapSize = 1;
  private @Nullable String cgroupsPath;
  private @Nullable Long memoryBytes;
  private @Nullable Long swapBytes;
  private @Nullable Long cpuQuotaMicros;
  private long cpuPeriodMicros = 100_000;
  private @Nullable Long pids;
  private @Nullable ObjectNode seccomp;
  private @Nullable Path networkNamespace;

  public OciConfig(ObjectMapper json) {
    this.json = json;
  }

  /** PID 1's argv. */
  public OciConfig args(List<String> args) {
    this.args.clear();
    this.args.addAll(args);
    return this;
  }

  public OciConfig env(Map<String, String> env) {
    this.env.clear();
    this.env.putAll(env);
    return this;
  }

  public OciConfig cwd(String cwd) {
    this.cwd = cwd;
    return this;
  }

  /** The uid and gid inside the container. */
  public OciConfig user(int uid, int gid) {
    this.uid = uid;
    this.gid = gid;
    return this;
  }

  public OciConfig root(Path rootfs, boolean readonly) {
    this.rootfs = rootfs;
    this.readonlyRoot = readonly;
    return this;
  }

  public OciConfig hostname(String hostname) {
    this.hostname = hostname;
    return this;
  }

  public OciConfig mount(MountEntry mount) {
    mounts.add(mount);
    return this;
  }

  public OciConfig rlimit(String type, long value) {
    rlimits.add(new Rlimit(type, value, value));
    return this;
  }

  /** Adds a user namespace mapping container ids 0.. to the host's {@code uid}/{@code gid}.. */
  public OciConfig userNamespace(int hostUid, int hostGid, int size) {
    this.userNamespace = true;
    this.hostUid = hostUid;
    this.hostGid = hostGid;
    this.idMapSize = size;
    return this;
  }

  /** The cgroup to create, such as {@code /strata/<id>}; null for none (rootless on v1). */
  public OciConfig cgroupsPath(@Nullable String path) {
    this.cgroupsPath = path;
    return this;
  }

  /**
   * Cgroup limits; each null leaves that limit out.
   *
   * @param swapBytes memory plus swap, as {@code memory.swap} means in the OCI spec
   */
  public OciConfig resources(
      @Nullable Long memoryBytes, @Nullable Long swapBytes, @Nullable Integer cpuMillis, @Nullable Long pids) {
    this.memoryBytes = memoryBytes;
    this.swapBytes = swapBytes;
    this.cpuQuotaMicros = cpuMillis == null ? null : cpuMillis * cpuPeriodMicros / 1000;
    this.pids = pids;
    return this;
  }

  /** Joins this network namespace instead of making one (runc would bring its loopback up). */
  public OciConfig networkNamespace(@Nullable Path nsFile) {
    this.networkNamespace = nsFile;
    return this;
  }

  public OciConfig seccomp(@Nullable ObjectNode profile) {
    this.seccomp = profile;
    return this;
  }

  /** The whole {@code config.json} tree. */
  public ObjectNode toJson() {
    ObjectNode root = json.createObjectNode();
    root.put("ociVersion", "1.0.2");
    root.set("process", process(args, env, cwd, uid, gid, rlimits));

    ObjectNode r = root.putObject("root");
    r.put("path", rootfs.toString());
    r.put("readonly", readonlyRoot);
    root.put("hostname", hostname);

    ArrayNode ms = root.putArray("mounts");
    for (MountEntry m : standardMounts()) {
      addMount(ms, m);
    }
    for (MountEntry m : mounts) {
      addMount(ms, m);
    }

    ObjectNode linux = root.putObject("linux");
    ArrayNode ns = linux.putArray("namespaces");
    for (String type : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) {
      ObjectNode n = ns.addObject().put("type", type);
      if (type.equals("network") && networkNamespace != null) {
        n.put("path", networkNamespace.toString());
      }
    }
    if (userNamespace) {
      ns.addObject().put("type", "user");
      linux.putArray("uidMappings").addObject().put("containerID", 0).put("hostID", hostUid).put("size", idMapSize);
      linux.putArray("gidMappings").addObject().put("containerID", 0).put("hostID", hostGid).put("size", idMapSize);
    }
    if (cgroupsPath != null) {
      linux.put("cgroupsPath", cgroupsPath);
    }
    ObjectNode res = linux.putObject("resources");
    res.putArray("devices").addObject().put("allow", false).put("access", "rwm");
    if (memoryBytes != null) {
      ObjectNode mem = res.putObject("memory");
      mem.put("limit", memoryBytes);
      if (swapBytes != null) {
        mem.put("swap", swapBytes);
      }
    }
    if (cpuQuotaMicros != null) {
      res.putObject("cpu").put("quota", cpuQuotaMicros).put("period", cpuPeriodMicros);
    }
    if (pids != null) {
      res.putObject("pids").put("limit", pids);
    }
    ArrayNode masked = linux.putArray("maskedPaths");
    MASKED_PATHS.forEach(masked::add);
    ArrayNode ro = linux.putArray("readonlyPaths");
    READONLY_PATHS.forEach(ro::add);
    if (seccomp != null) {
      linux.set("seccomp", seccomp);
    }
    return root;
  }

  /** A {@code process} object for {@code config.json} or for {@code runc exec --process}. */
  public ObjectNode process(
      List<String> args, Map<String, String> env, String cwd, int uid, int gid, List<Rlimit> rlimits) {
    ObjectNode p = json.createObjectNode();
    p.put("terminal", false);
    p.putObject("user").put("uid", uid).put("gid", gid);
    ArrayNode a = p.putArray("args");
    args.forEach(a::add);
    ArrayNode e = p.putArray("env");
    env.forEach((k, v) -> e.add(k + "=" + v));
    p.put("cwd", cwd);
    ObjectNode caps = p.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
      caps.putArray(set);
    }
    ArrayNode rl = p.putArray("rlimits");
    for (Rlimit limit : rlimits) {
      rl.addObject().put("type", limit.type()).put("soft", limit.soft()).put("hard", limit.hard());
    }
    p.put("noNewPrivileges", true);
    return p;
  }

  /** The rlimits given so far, for exec'd processes. */
  public List<Rlimit> rlimits() {
    return List.copyOf(rlimits);
  }

  public void write(Path file) throws IOException {
    Files.write(file, json.writeValueAsBytes(toJson()));
  }

  private List<MountEntry> standardMounts() {
    List<MountEntry> list = new ArrayList<>();
    list.add(new MountEntry("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
    list.add(
        new MountEntry(
            "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
    List<String> pts = new ArrayList<>(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
    if (!userNamespace) {
      pts.add("gid=5"); // tty; not mapped in a user namespace
    }
    list.add(new MountEntry("/dev/pts", "devpts", "devpts", pts));
    list.add(
        new MountEntry(
            "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
    list.add(new MountEntry("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
    return list;
  }

  private static void addMount(ArrayNode ms, MountEntry m) {
    ObjectNode o = ms.addObject();
    o.put("destination", m.destination());
    o.put("type", m.type());
    o.put("source", m.source());
    ArrayNode opts = o.putArray("options");
    m.options().forEach(opts::add);
  }
}
