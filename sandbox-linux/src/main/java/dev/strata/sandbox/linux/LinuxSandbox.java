package dev.strata.sandbox.linux;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.ResourceUsage;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFailedException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxStartException;
import dev.strata.sandbox.linux.cgroup.ContainerCgroup;
import dev.strata.sandbox.linux.oci.OciConfig;
import dev.strata.sandbox.linux.oci.OciConfig.MountEntry;
import dev.strata.sandbox.linux.oci.OciRuntime;
import dev.strata.sandbox.linux.seccomp.SeccompProfile;
import dev.strata.sandbox.spi.AbstractSandbox;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-lived container whose PID 1 is {@link InitBinary}, started by an OCI runtime or by
 * bubblewrap ({@link BwrapLauncher}); each command is forked by PID 1 (or is one {@code runc
 * exec} with {@code linux.exec=runtime}). Its bundle lives in {@code <bundles>/<id>}, its cgroup at
 * {@code /strata/<id>}.
 */
final class LinuxSandbox extends AbstractSandbox {

  private static final Logger LOG = LoggerFactory.getLogger(LinuxSandbox.class);

  /** Parent of every sandbox cgroup. */
  static final String CGROUP_PARENT = "/strata";
  /** Where versions before 0.1 kept a NONE sandbox's network namespace (a bind mount). */
  static final String NETNS_FILE = "netns";
  /** The bundle directory with each command's stdio FIFOs, and where it appears inside. */
  static final String IO_DIR = "io";
  static final String IO_PATH = "/dev/.strata-io";
  /** Where PID 1 appears inside: on /dev's tmpfs, so that a user's rootfs needs no change. */
  static final String INIT_PATH = "/dev/.strata-init";

  private static final List<String> HOST_TOP_DIRS =
      List.of("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32");
  private static final List<String> HOST_ETC_FILES =
      List.of(
          "/etc/ld.so.cache",
          "/etc/ld.so.conf",
          "/etc/ld.so.conf.d",
          "/etc/localtime",
          "/etc/nsswitch.conf",
          "/etc/alternatives");
  private static final List<String> DEFAULT_PATH =
      List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin");

  /** The OCI runtime, or null when bubblewrap runs the sandbox. */
  private final @Nullable OciRuntime runtime;
  /** The bwrap process (parent of PID 1), or null under an OCI runtime. */
  private final @Nullable Process bwrap;
  /** prlimit options for each command where nothing else sets rlimits (bwrap). */
  private final List<String> commandRlimits;
  private final Path bundle;
  private final @Nullable ContainerCgroup cgroup;
  private final OciConfig config;
  private final ObjectMapper json;
  private final AgentChannel channel;
  private final boolean agent;
  private final long initPid;
  private final String pidNamespace;
  private final @Nullable Path rootfsForLookup;
  /** util-linux prlimit inside, to bound memory by RLIMIT_AS where no cgroup can. */
  private final @Nullable String prlimit;
  private final AtomicInteger execSeq = new AtomicInteger();
  private final AtomicInteger runningExecs = new AtomicInteger();

  LinuxSandbox(
      String id,
      SandboxSpec spec,
      @Nullable OciRuntime runtime,
      @Nullable Process bwrap,
      List<String> commandRlimits,
      Path bundle,
      @Nullable ContainerCgroup cgroup,
      OciConfig config,
      ObjectMapper json,
      AgentChannel channel,
      boolean agent,
      long initPid,
      String pidNamespace,
      @Nullable Path rootfsForLookup) {
    super(id, "linux", IsolationLevel.PROCESS, spec);
    this.runtime = runtime;
    this.bwrap = bwrap;
    this.commandRlimits = List.copyOf(commandRlimits);
    this.bundle = bundle;
    this.cgroup = cgroup;
    this.config = config;
    this.json = json;
    this.channel = channel;
    this.agent = agent;
    this.initPid = initPid;
    this.pidNamespace = pidNamespace;
    this.rootfsForLookup = rootfsForLookup;
    this.prlimit =
        rootfsForLookup != null && Files.isExecutable(rootfsForLookup.resolve("usr/bin/prlimit"))
            ? "/usr/bin/prlimit"
            : null;
  }

  /** Everything a start needs that is the same for every sandbox of a provider. */
  record Host(
      OciRuntime runtime,
      Path bundles,
      Path skeletons,
      Path initBinary,
      ObjectMapper json,
      boolean root,
      boolean cgroups,
      boolean swapLimit,
      List<String> seccompArchitectures) {}

  /**
   * Writes the bundle, starts the container and waits until PID 1 runs.
   *
   * @throws SandboxStartException with the runtime's own words, leaving nothing behind
   */
  static LinuxSandbox start(String id, SandboxSpec spec, LinuxOptions options, Host host) {
    Path bundle = host.bundles().resolve(id);
    int[] requests = null;
    int[] replies = null;
    AgentChannel channel = null;
    int[] netnsFd = {-1};
    boolean started = false;
    try {
      Files.createDirectories(bundle);
      boolean agent = !options.runtimeExec() && !(host.root() && options.userNamespace());
      OciConfig config = configure(id, spec, options, host, bundle, agent, netnsFd);
      config.write(bundle.resolve("config.json"));

      requests = Posix.pipe();
      replies = Posix.pipe();
      Path log = bundle.resolve("runtime.log");
      OciRuntime.Outcome run =
          host.runtime()
              .runDetached(
                  id,
                  bundle,
                  new File("/proc/self/fd/" + requests[0]),
                  new File("/proc/self/fd/" + replies[1]),
                  log);
      Posix.close(requests[0]);
      Posix.close(replies[1]);
      requests[0] = -1;
      replies[1] = -1;
      if (!run.ok()) {
        throw new SandboxStartException(
            host.runtime().name() + " could not start sandbox " + id + " (exit " + run.exitCode() + "): "
                + (run.output().isEmpty() ? "no output" : run.output()));
      }
      channel = new AgentChannel(id, requests[1], replies[0]);
      requests[1] = -1;
      replies[0] = -1;
      long initPid = Long.parseLong(Files.readString(bundle.resolve("init.pid")).trim());
      String ns =
          ProcFs.pidNamespace(initPid)
              .orElseThrow(() -> new SandboxStartException("sandbox " + id + ": PID 1 exited right after start"));
      ContainerCgroup cgroup = host.cgroups() ? ContainerCgroup.of(CGROUP_PARENT + "/" + id) : null;
      Path lookup = options.rootfs() != null ? options.rootfs() : Path.of("/");
      LinuxSandbox sb =
          new LinuxSandbox(
              id, spec, host.runtime(), null, List.of(), bundle, cgroup, config, host.json(), channel, agent, initPid,
              ns, lookup);
      started = true;
      return sb;
    } catch (IOException | RuntimeException e) {
      if (e instanceof SandboxException se) {
        throw se;
      }
      throw new SandboxStartException("sandbox " + id + " could not start: " + e, e);
    } finally {
      Posix.close(netnsFd[0]); // PID 1 holds the namespace now, or it is not needed
      if (!started) {
        if (channel != null) {
          channel.close();
        }
        for (int[] pipe : new int[][] {requests, replies}) {
          if (pipe != null) {
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
          }
        }
        host.runtime().deleteForce(id);
        deleteTree(bundle);
        ContainerCgroup.removeEmptyParents(CGROUP_PARENT);
      }
    }
  }

  private static OciConfig configure(
      String id, SandboxSpec spec, LinuxOptions options, Host host, Path bundle, boolean agent, int[] netnsFd)
      throws IOException {
    ResourceLimits limits = spec.limits();
    OciConfig c = new OciConfig(host.json());
    c.args(List.of(INIT_PATH));
    c.env(Map.of());
    c.user(0, 0);
    c.hostname("sandbox");
    c.mount(MountEntry.bind(host.initBinary(), INIT_PATH, true));
    if (agent) {
      Path io = Files.createDirectory(bundle.resolve(IO_DIR));
      c.mount(
          new MountEntry(IO_PATH, "bind", io.toString(), List.of("bind", "ro", "nosuid", "nodev", "noexec")));
    }

    if (options.rootfs() != null) {
      c.root(options.rootfs(), true);
    } else {
      for (String name : HOST_TOP_DIRS) {
        Path hostDir = Path.of("/", name);
        if (!Files.isSymbolicLink(hostDir) && Files.isDirectory(hostDir)) {
          c.mount(MountEntry.bind(hostDir, "/" + name, true));
        }
      }
      for (String f : HOST_ETC_FILES) {
        if (Files.exists(Path.of(f))) {
          c.mount(MountEntry.bind(Path.of(f), f, true));
        }
      }
      c.root(RootfsSkeleton.forSpec(host.skeletons(), spec, HOST_TOP_DIRS, HOST_ETC_FILES), true);
    }
    c.mount(MountEntry.tmpfs("/tmp", options.tmpBytes(), "1777"));
    spec.scratch().ifPresent(s -> c.mount(MountEntry.tmpfs(s.sandboxPath(), s.maxBytes(), "1777")));
    for (Mount m : spec.mounts()) {
      c.mount(MountEntry.bind(m.hostPath().toAbsolutePath(), m.sandboxPath(), m.readOnly()));
    }

    c.rlimit("RLIMIT_NOFILE", options.maxOpenFiles());
    c.rlimit("RLIMIT_CORE", 0);
    boolean userns = !host.root() || options.userNamespace();
    if (userns) {
      // counted per user namespace on current kernels, so it bounds this sandbox only
      c.rlimit("RLIMIT_NPROC", limits.maxProcesses());
      if (host.root()) {
        c.userNamespace(USERNS_BASE, USERNS_BASE, 65536);
      } else {
        c.userNamespace(Posix.uid(), Posix.gid(), 1);
      }
    }
    if (host.cgroups()) {
      c.cgroupsPath(CGROUP_PARENT + "/" + id);
      c.resources(
          limits.memoryBytes(),
          host.swapLimit() ? limits.memoryBytes() : null,
          limits.cpuMillis(),
          (long) limits.maxProcesses());
    }
    // Without cgroups the memory bound is RLIMIT_AS, set per command by prlimit (see doExec):
    // in the config it would also bind the runtime's own init, whose Go runtime then crashes.
    if (spec.network() == NetworkPolicy.NONE && host.root() && !userns) {
      // NONE: a namespace whose loopback stays down (runc brings lo up in namespaces it makes),
      // passed by an fd of ours rather than a bind mount, whose umount would cost an RCU wait
      netnsFd[0] = Posix.newEmptyNetns();
      c.networkNamespace(Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + netnsFd[0]));
    }
    c.seccomp(
        host.seccompArchitectures().isEmpty()
            ? null
            : SeccompProfile.defaultProfile(host.json(), host.seccompArchitectures()));
    return c;
  }

  /** First host uid of the user namespace when root asks for one (linux.userns=true). */
  static final int USERNS_BASE = 1_000_000_000;

  @Override
  protected ExecResult doExec(Command command) {
    SandboxSpec spec = spec();
    Map<String, String> env = new LinkedHashMap<>(spec.environment());
    env.putAll(command.environment());
    String cwd = command.workingDirectory().orElse(spec.workingDirectory().orElse("/"));
    List<String> argv = resolve(command.argv(), env);
    if (cgroup == null && prlimit != null) {
      List<String> wrapped = new ArrayList<>(List.of(prlimit, "--as=" + spec.limits().memoryBytes()));
      wrapped.addAll(commandRlimits);
      wrapped.add("--");
      wrapped.addAll(argv);
      argv = wrapped;
    }
    Duration timeout = command.timeout().orElse(spec.limits().timeout());
    int n = execSeq.incrementAndGet();

    runningExecs.incrementAndGet();
    long cpuBefore = cgroup == null ? -1 : cgroup.cpuNanos();
    long oomBefore = cgroup == null ? -1 : cgroup.oomKills();
    try {
      return agent || runtime == null
          ? agentExec(n, command, argv, env, cwd, timeout, oomBefore, cpuBefore)
          : runtimeExec(n, command, argv, env, cwd, timeout, oomBefore, cpuBefore);
    } catch (IOException e) {
      if (channel.broken() || !ProcFs.alive(initPid)) {
        markFailed("the container's PID 1 is gone");
        throw new SandboxFailedException(
            "sandbox " + id() + " broke: its container stopped (PID 1 " + initPid + " " + ProcFs.describe(initPid)
                + "). Close it and create a new one", e);
      }
      throw new SandboxException("sandbox " + id() + ": could not run the command: " + e.getMessage(), e);
    } finally {
      runningExecs.decrementAndGet();
    }
  }

  /** Through PID 1: it forks the command with FIFOs in the bundle's io directory as fds 0-2. */
  private ExecResult agentExec(
      int n, Command command, List<String> argv, Map<String, String> env, String cwd, Duration timeout,
      long oomBefore, long cpuBefore) throws IOException {
    Path io = bundle.resolve(IO_DIR);
    Path in = io.resolve(n + ".in");
    Path out = io.resolve(n + ".out");
    Path err = io.resolve(n + ".err");
    long start = System.nanoTime();
    try {
      for (Path fifo : List.of(in, out, err)) {
        Posix.mkfifo(fifo);
      }
      AgentChannel.Call call =
          channel.send(
              n,
              cwd,
              List.of(IO_PATH + "/" + n + ".in", IO_PATH + "/" + n + ".out", IO_PATH + "/" + n + ".err"),
              argv,
              env);
      int nsPid;
      try {
        nsPid = call.started.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AgentChannel.StartFailedException failed) {
          return new ExecResult(
              ExecStatus.KILLED, -1, new byte[0], new byte[0], Duration.ofNanos(System.nanoTime() - start),
              "could not start: " + failed.getMessage(), ResourceUsage.unknown());
        }
        throw new IOException(e.getCause().getMessage(), e.getCause());
      } catch (TimeoutException e) {
        throw new IOException("PID 1 did not answer within 30 s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      FifoLaunch launch = new FifoLaunch(call, in, out, err, nsPid);
      ExecRunner.Outcome outcome =
          ExecRunner.run(launch, command, spec().limits().maxOutputBytes(), timeout, start);
      Integer status = call.exited.getNow(null);
      if (status == null && channel.broken()) {
        throw new IOException("PID 1 of the sandbox is gone");
      }
      return toResult(outcome, status == null ? -1 : status, oomBefore, cpuBefore, timeout);
    } finally {
      channel.forget(n);
      for (Path fifo : List.of(in, out, err)) {
        Files.deleteIfExists(fifo);
      }
    }
  }

  /** A command started by PID 1, its stdio FIFOs opened from this side. */
  private final class FifoLaunch implements ExecRunner.Launch {
    private final AgentChannel.Call call;
    private final Path in;
    private final Path out;
    private final Path err;
    private final int nsPid;
    private final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();

    FifoLaunch(AgentChannel.Call call, Path in, Path out, Path err, int nsPid) {
      this.call = call;
      this.in = in;
      this.out = out;
      this.err = err;
      this.nsPid = nsPid;
    }

    @Override
    public java.io.InputStream openStdout() throws IOException {
      return opened(new java.io.FileInputStream(out.toFile()));
    }

    @Override
    public java.io.InputStream openStderr() throws IOException {
      return opened(new java.io.FileInputStream(err.toFile()));
    }

    @Override
    public java.io.OutputStream openStdin() throws IOException {
      return opened(new java.io.FileOutputStream(in.toFile()));
    }

    private <T> T opened(T stream) {
      opened.incrementAndGet();
      return stream;
    }

    @Override
    public boolean waitFor(long nanos) throws InterruptedException {
      try {
        call.exited.get(nanos, TimeUnit.NANOSECONDS);
        return true;
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        return true; // PID 1 is gone: so is the command
      }
    }

    @Override
    public void ended() {
      // A command killed before it opened its FIFOs leaves our opens waiting: open the other
      // ends for a moment, until all three of ours got through.
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (opened.get() < 3 && System.nanoTime() < deadline) {
        Posix.releaseFifo(out, true);
        Posix.releaseFifo(err, true);
        Posix.releaseFifo(in, false);
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    @Override
    public void killTree() {
      LinuxSandbox.this.killTree(() -> ProcFs.hostPid(pidNamespace, nsPid));
    }
  }

  /** Through {@code runc exec}: a runtime process per command. */
  private ExecResult runtimeExec(
      int n, Command command, List<String> argv, Map<String, String> env, String cwd, Duration timeout,
      long oomBefore, long cpuBefore) throws IOException {
    Path processFile = bundle.resolve("exec-" + n + ".json");
    Path pidFile = bundle.resolve("exec-" + n + ".pid");
    try {
      Files.write(processFile, json.writeValueAsBytes(config.process(argv, env, cwd, 0, 0, config.rlimits())));
      long start = System.nanoTime();
      Process p =
          runtime
              .exec(id(), processFile, pidFile)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .redirectOutput(ProcessBuilder.Redirect.PIPE)
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
      ExecRunner.Launch launch =
          new ExecRunner.Launch() {
            @Override
            public java.io.InputStream openStdout() {
              return p.getInputStream();
            }

            @Override
            public java.io.InputStream openStderr() {
              return p.getErrorStream();
            }

            @Override
            public java.io.OutputStream openStdin() {
              return p.getOutputStream();
            }

            @Override
            public boolean waitFor(long nanos) throws InterruptedException {
              return p.waitFor(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void ended() {}

            @Override
            public void killTree() {
              LinuxSandbox.this.killTree(() -> readPid(pidFile));
              if (readPid(pidFile) <= 0) {
                p.destroyForcibly(); // killed before the payload even started
              }
            }
          };
      ExecRunner.Outcome outcome = ExecRunner.run(launch, command, spec().limits().maxOutputBytes(), timeout, start);
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      // runc reports a payload killed by signal S as exit 128+S
      int code = p.isAlive() ? -1 : p.exitValue();
      int status = code > 128 && code < 160 ? code - 128 : (code & 0xff) << 8;
      if (code == 255 && isRuntimeStartError(new String(outcome.stderr(), StandardCharsets.UTF_8))) {
        return new ExecResult(
            ExecStatus.EXITED, 127, outcome.stdout(), outcome.stderr(), outcome.duration(),
            "could not start the program: " + new String(outcome.stderr(), StandardCharsets.UTF_8).strip(),
            ResourceUsage.unknown());
      }
      return toResult(outcome, status, oomBefore, cpuBefore, timeout);
    } finally {
      Files.deleteIfExists(processFile);
      Files.deleteIfExists(pidFile);
    }
  }

  /**
   * @param status a wait status: exit code in bits 8-15, or the killing signal in bits 0-6
   */
  private ExecResult toResult(
      ExecRunner.Outcome out, int status, long oomBefore, long cpuBefore, Duration timeout) {
    long oomAfter = cgroup == null ? -1 : cgroup.oomKills();
    long cpuAfter = cgroup == null ? -1 : cgroup.cpuNanos();
    ResourceUsage usage =
        new ResourceUsage(
            cgroup == null ? null : cgroup.peakMemoryBytes(),
            cpuBefore >= 0 && cpuAfter >= cpuBefore ? Duration.ofNanos(cpuAfter - cpuBefore) : null);
    String stderr = new String(out.stderr(), StandardCharsets.UTF_8);
    int signal = status & 0x7f;
    int code = (status >> 8) & 0xff;
    ExecStatus result;
    String message = null;
    if (out.stop() == ExecRunner.Stop.TIMEOUT) {
      result = ExecStatus.TIMED_OUT;
      message = "timed out after " + timeout.toMillis() + " ms; every process it started was killed";
    } else if (out.stop() == ExecRunner.Stop.OUTPUT) {
      result = ExecStatus.OUTPUT_LIMIT;
      message = "wrote more than " + spec().limits().maxOutputBytes() + " bytes to stdout or stderr";
    } else if (oomAfter > oomBefore && oomBefore >= 0 && status != 0) {
      result = ExecStatus.OUT_OF_MEMORY;
      message = "the memory limit of " + spec().limits().memoryBytes() + " bytes was hit (cgroup OOM kill)";
    } else if (status < 0 || !ProcFs.alive(initPid)) {
      markFailed("the container's PID 1 is gone");
      throw new SandboxFailedException("sandbox " + id() + " broke: its container stopped. Close it and create a new one");
    } else if (signal != 0) {
      result = ExecStatus.KILLED;
      message = "killed by signal " + signal;
    } else if ((code == 126 || code == 127)
        && (stderr.startsWith("strata-init: ") || stderr.startsWith("prlimit: failed to execute"))) {
      result = ExecStatus.EXITED;
      message = "could not start the program: " + stderr.strip();
    } else {
      result = ExecStatus.EXITED;
    }
    return new ExecResult(result, code, out.stdout(), out.stderr(), out.duration(), message, usage);
  }

  private boolean isRuntimeStartError(String stderr) {
    return stderr.contains("unable to start container process")
        || stderr.contains("runc exec failed")
        || stderr.contains("executable file not found")
        || (runtime != null && stderr.startsWith(runtime.name() + ":"));
  }

  /**
   * Kills the command and everything it started. When it is the only command running, that is
   * every process of the container but PID 1, which also catches daemons that left the tree;
   * otherwise the tree under the command's own process.
   */
  private void killTree(java.util.function.LongSupplier payloadHostPid) {
    for (int pass = 0; pass < 100; pass++) {
      Set<Long> victims = new java.util.LinkedHashSet<>();
      if (runningExecs.get() <= 1) {
        for (long pid : ProcFs.inNamespace(pidNamespace)) {
          if (pid != initPid) {
            victims.add(pid);
          }
        }
      } else {
        long payload = payloadHostPid.getAsLong();
        if (payload > 0) {
          victims.addAll(ProcFs.tree(payload));
        }
      }
      victims.removeIf(pid -> !ProcFs.alive(pid));
      if (victims.isEmpty()) {
        break;
      }
      victims.forEach(Posix::killHard);
      try {
        Thread.sleep(pass < 10 ? 2 : 20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  private static long readPid(Path pidFile) {
    try {
      return Long.parseLong(Files.readString(pidFile).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /**
   * argv[0] without a slash is looked up here, in the usual PATH of the rootfs, unless the spec
   * gives PATH: the payload's environment stays exactly the spec's.
   */
  private List<String> resolve(List<String> argv, Map<String, String> env) {
    String prog = argv.get(0);
    if (prog.contains("/") || env.containsKey("PATH") || rootfsForLookup == null) {
      return argv;
    }
    for (String dir : DEFAULT_PATH) {
      Path candidate = rootfsForLookup.resolve(dir.substring(1)).resolve(prog);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        List<String> copy = new java.util.ArrayList<>(argv);
        copy.set(0, dir + "/" + prog);
        return copy;
      }
    }
    return argv;
  }

  @Override
  protected @Nullable Long memoryBytes() {
    return cgroup == null ? null : cgroup.memoryBytes();
  }

  /** PID 1's host pid (tests and benchmarks read its memory). */
  long initPid() {
    return initPid;
  }

  @Nullable ContainerCgroup cgroup() {
    return cgroup;
  }

  Path bundle() {
    return bundle;
  }

  @Override
  protected void doClose() {
    channel.close(); // PID 1 reads EOF and exits; the kernel kills the rest of the namespace
    // Wait for that before deleting: `delete --force` of a running container polls in 100 ms steps.
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (ProcFs.alive(initPid) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      try {
        Thread.sleep(0, 200_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (runtime == null) {
      if (bwrap != null) {
        try {
          if (!bwrap.waitFor(2, TimeUnit.SECONDS)) {
            bwrap.destroyForcibly();
            bwrap.waitFor(2, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          bwrap.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    } else if (!removeStopped()) {
      OciRuntime.Outcome del = runtime.call("delete", id());
      if (!del.ok()) {
        del = runtime.deleteForce(id());
      }
      if (!del.ok() && !del.output().contains("does not exist")) {
        LOG.warn("{} delete {} failed: {}", runtime.name(), id(), del.output());
      }
    }
    if (cgroup != null) {
      for (Path dir : cgroup.existingDirs()) {
        try {
          Files.delete(dir);
        } catch (IOException e) {
          LOG.warn("cgroup {} of sandbox {} is left: {}", dir, id(), e.toString());
        }
      }
    }
    deleteTree(bundle);
    ContainerCgroup.removeEmptyParents(CGROUP_PARENT);
  }

  /**
   * What {@code runc delete} does for a stopped container, without starting the runtime (a Go
   * program: tens of milliseconds): remove its cgroup directories, then its state directory.
   * False when anything is off (PID 1 still there, a cgroup busy), for the runtime to handle.
   */
  private boolean removeStopped() {
    if (runtime == null || ProcFs.alive(initPid)) {
      return false;
    }
    if (cgroup != null) {
      for (int attempt = 0; attempt < 50; attempt++) {
        boolean busy = false;
        for (Path dir : cgroup.existingDirs()) {
          try {
            Files.delete(dir);
          } catch (IOException e) {
            busy = true; // the last exits are still being accounted: try again shortly
          }
        }
        if (!busy) {
          break;
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      if (!cgroup.existingDirs().isEmpty()) {
        return false;
      }
    }
    Path state = runtime.stateRoot().resolve(id());
    if (!Files.isDirectory(state)) {
      return false;
    }
    deleteTree(state);
    return !Files.exists(state);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.exists(dir.resolve(NETNS_FILE))) {
      Posix.detach(dir.resolve(NETNS_FILE));
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.toString());
    }
  }
}
