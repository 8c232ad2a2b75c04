package dev.strata.sandbox.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.kvm.qemu.VmReaper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Many VMs: side by side, twenty in a row, one whose JVM dies; and nothing of ours left after. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KvmLifecycleTest {

  static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
  static HardwareProfile host;
  static KvmSandboxProvider provider;

  @BeforeAll
  static void setUp() {
    host = KvmTestSupport.requireVmHost();
    provider = new KvmSandboxProvider();
  }

  @AfterAll
  static void tearDown() {
    if (provider != null) {
      provider.close();
    }
  }

  static SandboxSpec small() {
    return SandboxSpec.exactly(IsolationLevel.HARDWARE)
        .withLimits(dev.strata.sandbox.ResourceLimits.defaults().toBuilder().withMemoryBytes(128L << 20).build())
        .build();
  }

  @Test
  @Order(1)
  void threeVmsRunAtOnceEachWithItsOwnKernel() {
    List<CompletableFuture<Sandbox>> starting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      starting.add(CompletableFuture.supplyAsync(() -> provider.create(small(), host)));
    }
    List<Sandbox> vms = new ArrayList<>();
    try {
      for (CompletableFuture<Sandbox> f : starting) {
        vms.add(f.join());
      }
      Set<String> bootIds = new HashSet<>();
      List<CompletableFuture<ExecResult>> running = new ArrayList<>();
      for (Sandbox vm : vms) {
        running.add(vm.execAsync(Command.of("sh", "-c", "sleep 1; cat /proc/sys/kernel/random/boot_id")));
      }
      for (CompletableFuture<ExecResult> r : running) {
        ExecResult result = r.join();
        assertEquals(0, result.exitCode(), result.toString());
        bootIds.add(result.stdoutText().strip());
      }
      assertEquals(3, bootIds.size(), "three separate kernels: " + bootIds);
      Set<Long> pids = new HashSet<>();
      vms.forEach(vm -> pids.add(((KvmSandbox) vm).qemuPid()));
      assertEquals(3, pids.size());
    } finally {
      vms.forEach(Sandbox::close);
    }
  }

  @Test
  @Order(2)
  void qemuRunsConfinedAndCloseStopsARunningCommand() throws Exception {
    Sandbox vm = provider.create(small(), host);
    try {
      long pid = ((KvmSandbox) vm).qemuPid();
      String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
      assertTrue(status.lines().anyMatch(l -> l.matches("Seccomp:\\s+2")), "QEMU runs under its seccomp filter:\n" + status);
      if (host.root()) {
        assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534")),
            "QEMU dropped root for nobody:\n" + status);
      }
      CompletableFuture<ExecResult> running = vm.execAsync(Command.of("sleep", "60"));
      Thread.sleep(1000);
      long start = System.nanoTime();
      vm.close();
      ExecResult r = running.get(20, TimeUnit.SECONDS);
      assertEquals(dev.strata.sandbox.ExecStatus.KILLED, r.status(), r.toString());
      assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "close did not wait for the command");
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU is gone after close");
    } finally {
      vm.close();
    }
  }

  @Test
  @Order(3)
  void twentyBootsInARowWithoutAHang() {
    long killsBefore = provider.watchdogKills();
    long start = System.nanoTime();
    List<Long> bootMillis = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long t = System.nanoTime();
      try (Sandbox vm = provider.create(small(), host)) {
        bootMillis.add((System.nanoTime() - t) / 1_000_000);
        assertEquals("ok\n", vm.exec(Command.of("echo", "ok")).stdoutText());
      }
    }
    long totalMs = (System.nanoTime() - start) / 1_000_000;
    long hangs = provider.watchdogKills() - killsBefore;
    System.out.printf("20 boots: total %d ms, boot-to-ready ms %s, watchdog kills %d%n", totalMs, bootMillis, hangs);
    assertEquals(0, hangs, "boots that hung and were retried by the watchdog");
  }

  @Test
  @Order(4)
  void qemuDiesWithItsJvmAndTheReaperRemovesTheRest() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), VmHolderMain.class.getName())
        .redirectErrorStream(true)
        .start();
    long qemuPid;
    String id;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null && !line.startsWith("QEMU ")) {
        seen.append(line).append('\n');
      }
      assertTrue(line != null, "child JVM printed no QEMU pid:\n" + seen);
      String[] parts = line.split(" ");
      qemuPid = Long.parseLong(parts[1]);
      id = parts[2];
      assertTrue(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false));
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false),
        "QEMU " + qemuPid + " outlived its JVM by 10 s");
    assertTrue(Files.isDirectory(TMP.resolve(id)), "the dead JVM's run directory is there to reap");
    VmReaper.reap(TMP, "kvm");
    assertFalse(Files.exists(TMP.resolve(id)), "the reaper removed " + id);
  }

  @Test
  @Order(5)
  void reaperKillsAStaleQemuOfADeadJvm() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path stale = Files.createDirectory(TMP.resolve("strata-kvm-" + gone.pid() + "-0badf00d"));
    // a stand-in for QEMU whose command line names its run directory, as QEMU's -pidfile path does
    Process fake = new ProcessBuilder("sh", "-c", "sleep 60; : " + stale).start();
    try {
      Files.writeString(stale.resolve("qemu.pid"), fake.pid() + "\n");
      VmReaper.reap(TMP, "kvm");
      assertTrue(fake.waitFor(5, TimeUnit.SECONDS), "the stale process was killed");
      assertFalse(Files.exists(stale));
    } finally {
      fake.destroyForcibly();
      VmReaper.deleteTree(stale);
    }
  }

  @Test
  @Order(6)
  void nothingOfOursIsLeft() throws IOException {
    provider.close();
    String mine = "strata-kvm-" + ProcessHandle.current().pid() + "-";
    List<String> processes = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(c -> {
      if (c.contains(mine)) {
        processes.add(p.pid() + " " + c);
      }
    }));
    assertEquals(List.of(), processes, "QEMU processes of this JVM still running");
    try (Stream<Path> list = Files.list(TMP)) {
      List<String> left = list.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(mine) || n.startsWith("strata-kvm-probe"))
          .toList();
      assertEquals(List.of(), left, "run directories of this JVM left in " + TMP);
    }
    assertNotEquals(0, provider.bootCount());
  }

  static String classpathOf(Class<?> c) {
    return new File(c.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
  }
}
