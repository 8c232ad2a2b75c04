package dev.strata.sandbox.bench.linux;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.linux.LinuxSandboxProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The PROCESS tier against its raw baselines, side by side in one run: create + exec {@code
 * /bin/true} + close, one more exec in a running sandbox, {@code runc run} of the same bundle
 * (same root, mounts, seccomp, cgroup limits; PID 1 is {@code /bin/true}), and {@code bwrap} of
 * the same command with the same namespaces. Needs root (runc with cgroups) and runc and bwrap.
 *
 * <p>{@link #main} measures the same quickly without JMH, and the host memory per idle sandbox.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:-UsePerfData")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class LinuxBenchmark {

  private static final AtomicInteger SEQ = new AtomicInteger();

  private LinuxSandboxProvider provider;
  private HardwareProfile host;
  private SandboxSpec spec;
  private Sandbox warm;
  private Path rawBundle;
  private Path runcState;
  private String runc;
  private String bwrap;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    provider = new LinuxSandboxProvider();
    host = HardwareProfile.detect();
    var availability = provider.availability(host);
    if (!availability.available()) {
      throw new IllegalStateException("the linux backend is unavailable: " + availability.describe());
    }
    // LOOPBACK: runc makes the network namespace itself, for ours and raw alike
    spec = SandboxSpec.exactly(IsolationLevel.PROCESS).withNetwork(NetworkPolicy.LOOPBACK).build();
    warm = provider.create(spec, host);
    runc = which("runc");
    bwrap = which("bwrap");
    rawBundle = copyBundleOf(warm, Files.createTempDirectory("strata-bench-bundle"));
    runcState = Path.of("/run/strata/runc-state");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    warm.close();
    deleteTree(rawBundle);
  }

  /** Cold: a new sandbox, one command, closed again. */
  @Benchmark
  public int oursCreateExecClose() {
    try (Sandbox sb = provider.create(spec, host)) {
      return check(sb.exec(Command.of("/bin/true")));
    }
  }

  /** Warm: one more command in a running sandbox. */
  @Benchmark
  public int oursWarmExec() {
    return check(warm.exec(Command.of("/bin/true")));
  }

  /** {@code runc run} of the same bundle with {@code /bin/true} as PID 1, in the foreground. */
  @Benchmark
  public int rawRuncRun() throws Exception {
    String id = "strata-bench-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    return run(runc, "--root", runcState.toString(), "run", "--bundle", rawBundle.toString(), id);
  }

  /** {@code bwrap} of {@code /bin/true} with the same namespaces, read-only binds and tmpfs. */
  @Benchmark
  public int rawBwrap() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(bwrap, "--unshare-all", "--die-with-parent", "--new-session"));
    for (String top : List.of("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
      Path p = Path.of("/", top);
      if (Files.isSymbolicLink(p)) {
        cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), "/" + top));
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", p.toString(), "/" + top));
      }
    }
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--cap-drop", "ALL", "/bin/true"));
    return run(cmd.toArray(String[]::new));
  }

  private static int check(ExecResult r) {
    if (!r.isSuccess()) {
      throw new IllegalStateException("/bin/true failed: " + r + " " + r.stderrText());
    }
    return r.exitCode();
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + code);
    }
    return code;
  }

  /**
   * A bundle like the sandbox's: its config.json with {@code /bin/true} as PID 1 and a cgroup of
   * its own per run, and a copy of its rootfs skeleton.
   */
  private static Path copyBundleOf(Sandbox sb, Path to) throws IOException {
    Path from = Path.of("/run/strata/bundles", sb.id());
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(from.resolve("config.json").toFile());
    var args = ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("process")).putArray("args");
    args.add("/bin/true");
    var linux = (com.fasterxml.jackson.databind.node.ObjectNode) config.get("linux");
    linux.remove("cgroupsPath"); // runc then names the cgroup after each container id
    Files.write(to.resolve("config.json"), json.writeValueAsBytes(config));
    Path rootfs = from.resolve("rootfs");
    if (Files.isDirectory(rootfs)) {
      try (var walk = Files.walk(rootfs)) {
        for (Path p : walk.toList()) {
          Path dest = to.resolve("rootfs").resolve(rootfs.relativize(p).toString());
          if (Files.isSymbolicLink(p)) {
            Files.createSymbolicLink(dest, Files.readSymbolicLink(p));
          } else if (Files.isDirectory(p)) {
            Files.createDirectories(dest);
          } else {
            Files.copy(p, dest);
          }
        }
      }
    }
    return to;
  }

  private static String which(String name) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new IllegalStateException(name + " is not installed (apt-get install " + (name.equals("bwrap") ? "bubblewrap" : name) + ")");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A quick measurement without JMH: median of each, then host memory per idle sandbox. */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    LinuxBenchmark b = new LinuxBenchmark();
    b.setUp();
    try {
      report("oursCreateExecClose", n, b::oursCreateExecClose);
      report("oursWarmExec", n * 3, b::oursWarmExec);
      report("rawRuncRun", n, b::rawRuncRun);
      report("rawBwrap", n, b::rawBwrap);
      paired("oursCreateExecClose / rawRuncRun", n, b::oursCreateExecClose, b::rawRuncRun);
    } finally {
      b.tearDown();
    }
    memoryPerIdleSandbox(b.provider, b.host, args.length > 1 ? Integer.parseInt(args[1]) : 20);
  }

  private interface Op {
    int run() throws Exception;
  }

  private static void report(String name, int n, Op op) throws Exception {
    for (int i = 0; i < Math.max(3, n / 5); i++) {
      op.run();
    }
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      op.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    java.util.Arrays.sort(ms);
    double mean = java.util.Arrays.stream(ms).average().orElse(0);
    System.out.printf(Locale.ROOT, "%-22s n=%3d  median %7.2f ms  mean %7.2f ms  p90 %7.2f ms%n",
        name, n, ms[n / 2], mean, ms[(int) (n * 0.9)]);
  }

  /**
   * The two alternately, so that both see the same load on a busy host: the median of the
   * per-pair ratios.
   */
  private static void paired(String name, int n, Op ours, Op raw) throws Exception {
    double[] ratio = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      ours.run();
      long t1 = System.nanoTime();
      raw.run();
      long t2 = System.nanoTime();
      ratio[i] = (t1 - t0) / (double) (t2 - t1);
    }
    java.util.Arrays.sort(ratio);
    System.out.printf(Locale.ROOT, "%-34s n=%3d  median ratio %.2f  (p25 %.2f, p75 %.2f)%n",
        name, n, ratio[n / 2], ratio[n / 4], ratio[(3 * n) / 4]);
  }

  /** Proportional set size of every container PID 1 ({@code .strata-init}) on the host, summed. */
  private static long initPss() throws IOException {
    long total = 0;
    try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : procs) {
        try {
          if (!Files.readString(p.resolve("comm")).trim().equals(".strata-init")) {
            continue;
          }
          for (String line : Files.readAllLines(p.resolve("smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
              total += Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
          }
        } catch (IOException | RuntimeException gone) {
          // exited meanwhile
        }
      }
    }
    return total;
  }

  /**
   * Host memory an idle sandbox costs: the drop of MemAvailable with {@code count} idle sandboxes
   * up, per sandbox, and for comparison the cgroup's own charge and PID 1's RSS.
   */
  static void memoryPerIdleSandbox(LinuxSandboxProvider provider, HardwareProfile host, int count) throws Exception {
    SandboxSpec spec = SandboxSpec.exactly(IsolationLevel.PROCESS).build();
    List<Sandbox> up = new ArrayList<>();
    try {
      System.gc();
      Thread.sleep(500);
      long pssBefore = initPss();
      long before = memAvailable();
      for (int i = 0; i < count; i++) {
        Sandbox sb = provider.create(spec, host);
        up.add(sb);
        check(sb.exec(Command.of("/bin/true")));
      }
      Thread.sleep(1000);
      long after = memAvailable();
      long cgroup = up.stream().mapToLong(s -> s.stats().memory().orElse(0)).sum();
      long pss = initPss() - pssBefore;
      System.out.printf(Locale.ROOT,
          "idle sandboxes: %d; MemAvailable drop %.2f MiB each; cgroup charge %.2f MiB each; PID 1 PSS %.1f KiB each%n",
          count, (before - after) / (double) count / (1 << 20), cgroup / (double) count / (1 << 20),
          pss / (double) count / 1024);
    } finally {
      up.forEach(Sandbox::close);
    }
  }

  private static long memAvailable() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemAvailable:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
      }
    }
    return -1;
  }
}
