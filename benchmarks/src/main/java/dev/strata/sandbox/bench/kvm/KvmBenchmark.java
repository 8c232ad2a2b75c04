package dev.strata.sandbox.bench.kvm;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.kvm.KvmSandboxProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The HARDWARE tier against raw QEMU, side by side in one run: boot a VM and run its first command
 * (close outside the timing), one more command in a running VM, and raw {@code
 * qemu-system-x86_64} booting the same kernel and initramfs with the same machine options until
 * the guest agent's READY frame lands in a file (the marker). The raw command line is the one our
 * VM really ran, read from {@code /proc/<pid>/cmdline}, with the agent's socket swapped for that
 * file; so both boot identical guests.
 *
 * <p>{@link #main} measures the same without JMH in about a minute, plus QEMU's RSS per idle VM
 * with a 128 MiB guest.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:-UsePerfData")
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 5, time = 1)
public class KvmBenchmark {

  private KvmSandboxProvider provider;
  private HardwareProfile host;
  private SandboxSpec spec;
  private Sandbox warm;
  private Path rawDir;
  private List<String> rawCommand;
  private Path marker;
  private Sandbox booted;
  private Process raw;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    provider = new KvmSandboxProvider();
    host = HardwareProfile.detect();
    var availability = provider.availability(host);
    if (!availability.available()) {
      throw new IllegalStateException("the kvm backend is unavailable: " + availability.describe());
    }
    spec = SandboxSpec.exactly(IsolationLevel.HARDWARE)
        .withLimits(ResourceLimits.defaults().toBuilder().withMemoryBytes(128L << 20).build())
        .build();
    warm = provider.create(spec, host);
    rawDir = Files.createTempDirectory("strata-bench-qemu");
    rawCommand = rawCommandOf(warm, rawDir);
    marker = rawDir.resolve("ready.marker");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    warm.close();
    provider.close();
    try (Stream<Path> walk = Files.walk(rawDir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Cold: boot a VM to its agent and run {@code true}; the close happens after the timing. */
  @Benchmark
  public int oursBootToFirstExec() {
    booted = provider.create(spec, host);
    return check(booted.exec(Command.of("true")));
  }

  @TearDown(Level.Invocation)
  public void closeBooted() {
    if (booted != null) {
      booted.close();
      booted = null;
    }
    if (raw != null) {
      raw.destroyForcibly();
      try {
        raw.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      raw = null;
    }
  }

  /** Warm: one more command in a VM that is up. */
  @Benchmark
  public int oursWarmExec() {
    return check(warm.exec(Command.of("true")));
  }

  /** Raw QEMU, same kernel, initramfs and options, until the agent's READY reaches the marker file. */
  @Benchmark
  public long rawQemuBoot() throws Exception {
    Files.deleteIfExists(marker);
    raw = new ProcessBuilder(rawCommand)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(marker) && Files.size(marker) > 0) {
        return Files.size(marker);
      }
      if (!raw.isAlive()) {
        throw new IllegalStateException("raw QEMU exited with " + raw.exitValue());
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("raw QEMU did not reach the marker in 60 s");
  }

  private static int check(ExecResult r) {
    if (!r.isSuccess()) {
      throw new IllegalStateException("true failed: " + r + " " + r.stderrText());
    }
    return r.exitCode();
  }

  /**
   * The command line QEMU of {@code vm} runs, with its kernel and initramfs copied to {@code dir},
   * the agent's socket replaced by a file and no pid file.
   */
  static List<String> rawCommandOf(Sandbox vm, Path dir) throws IOException {
    Path run = Path.of(System.getProperty("java.io.tmpdir"), vm.id());
    String pid = Files.readString(run.resolve("qemu.pid")).trim();
    String[] argv = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")), StandardCharsets.UTF_8).split("\0");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("-pidfile")) {
        i++;
        continue;
      }
      if (a.equals("-kernel") || a.equals("-initrd")) {
        Path src = Path.of(argv[i + 1]);
        Path copy = dir.resolve(src.getFileName());
        Files.copy(src, copy, StandardCopyOption.REPLACE_EXISTING);
        out.add(a);
        out.add(copy.toString());
        i++;
        continue;
      }
      if (a.startsWith("socket,id=agent,")) {
        out.add("file,id=agent,path=" + dir.resolve("ready.marker"));
        continue;
      }
      out.add(a);
    }
    return out;
  }

  /** Quick numbers without JMH: {@code main [boots]}. */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    KvmBenchmark b = new KvmBenchmark();
    b.setUp();
    try {
      double[] ours = new double[n];
      double[] raw = new double[n];
      for (int i = 0; i < n; i++) { // interleaved, so that load from elsewhere hits both alike
        long t = System.nanoTime();
        b.oursBootToFirstExec();
        ours[i] = (System.nanoTime() - t) / 1e6;
        b.closeBooted();
        t = System.nanoTime();
        b.rawQemuBoot();
        raw[i] = (System.nanoTime() - t) / 1e6;
        b.closeBooted();
      }
      double[] warmExec = new double[n * 10];
      for (int i = 0; i < warmExec.length; i++) {
        long t = System.nanoTime();
        b.oursWarmExec();
        warmExec[i] = (System.nanoTime() - t) / 1e6;
      }
      print("oursBootToFirstExec", ours);
      print("rawQemuBoot", raw);
      System.out.printf(Locale.ROOT, "boot ratio (median ours / median raw): %.2f%n", median(ours) / median(raw));
      print("oursWarmExec", warmExec);
    } finally {
      b.tearDown();
    }
    idleRss(3);
  }

  private static void idleRss(int vms) throws InterruptedException {
    KvmSandboxProvider provider = new KvmSandboxProvider();
    HardwareProfile host = HardwareProfile.detect();
    SandboxSpec spec = SandboxSpec.exactly(IsolationLevel.HARDWARE)
        .withLimits(ResourceLimits.defaults().toBuilder().withMemoryBytes(128L << 20).build())
        .build();
    List<Sandbox> live = new ArrayList<>();
    try {
      for (int i = 0; i < vms; i++) {
        Sandbox vm = provider.create(spec, host);
        vm.exec(Command.of("true"));
        live.add(vm);
      }
      Thread.sleep(3000);
      long total = 0;
      for (Sandbox vm : live) {
        total += vm.stats().memoryBytes();
      }
      System.out.printf(Locale.ROOT, "QEMU RSS per idle VM (128 MiB guest, %d VMs): %.1f MiB%n",
          vms, total / (double) vms / (1 << 20));
    } finally {
      live.forEach(Sandbox::close);
      provider.close();
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static void print(String name, double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%-22s n=%3d  median %8.1f ms  min %8.1f  max %8.1f%n",
        name, v.length, median(v), s[0], s[s.length - 1]);
  }
}
