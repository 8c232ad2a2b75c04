package dev.strata.sandbox.linux;

import static dev.strata.sandbox.linux.LinuxTestSupport.ROOT;
import static dev.strata.sandbox.linux.LinuxTestSupport.assertContains;
import static dev.strata.sandbox.linux.LinuxTestSupport.create;
import static dev.strata.sandbox.linux.LinuxTestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.ResourceLimits;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a hostile payload tries, and what stops it. */
class LinuxAbuseTest {

  private static LinuxSandbox shared;

  @BeforeAll
  static void start() {
    LinuxTestSupport.requireRuntime();
    shared = create(spec().withNetwork(NetworkPolicy.LOOPBACK).build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (shared != null) {
      shared.close();
    }
    LinuxTestSupport.assertNoLeftovers();
  }

  @Test
  void forkBombIsStoppedByThePidsLimit() {
    ResourceLimits limits =
        ResourceLimits.defaults().toBuilder().withMaxProcesses(32).withTimeout(Duration.ofSeconds(4)).build();
    try (LinuxSandbox sb = create(spec().withLimits(limits).build())) {
      ExecResult r = sb.exec(Command.of("sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 3"));
      assertNotEquals(ExecStatus.OUT_OF_MEMORY, r.status(), r::toString);
      if (ROOT) {
        assertTrue(sb.cgroup().pidsRefused() > 0, "the pids cgroup refused forks");
        assertTrue(sb.cgroup().pidsCurrent() <= 32);
      } else {
        assertContains(r.stderrText(), "fork");
      }
      // the host is fine and so is the sandbox: once the bomb is gone, commands run again
      ExecResult after = sb.exec(Command.of("sh", "-c", "echo alive"));
      assertEquals("alive\n", after.stdoutText(), after::toString);
    }
  }

  @Test
  void memoryBombEndsOutOfMemoryAndTheHostIsFine() {
    ResourceLimits limits = ResourceLimits.defaults().toBuilder().withMemoryBytes(32L << 20).build();
    try (LinuxSandbox sb = create(spec().withLimits(limits).build())) {
      ExecResult r = sb.exec(Command.of("perl", "-e", "$x = 'a' x 400_000_000; print length $x"));
      if (ROOT) {
        assertEquals(ExecStatus.OUT_OF_MEMORY, r.status(), () -> r + " " + r.stderrText());
        assertContains(r.message(), "memory limit");
      } else {
        // rootless on v1: RLIMIT_AS makes the allocation fail instead
        assertFalse(r.isSuccess(), r::toString);
      }
      assertTrue(sb.exec(Command.of("true")).isSuccess(), "the sandbox survives its payload's OOM");
    }
  }

  @Test
  void hostFilesAreNotVisible() throws Exception {
    Path canary = Files.createTempFile("strata-canary", ".txt");
    try {
      Files.writeString(canary, "secret");
      ExecResult r = shared.exec(Command.of("cat", canary.toString()));
      assertNotEquals(0, r.exitCode());
      assertContains(r.stderrText(), "No such file");
      ExecResult home = shared.exec(Command.of("sh", "-c", "ls -a /tmp /root /home /var 2>&1; test -e /etc/shadow && echo SHADOW"));
      assertFalse(home.stdoutText().contains("strata-canary"), home.stdoutText());
      assertFalse(home.stdoutText().contains("SHADOW"), home.stdoutText());
    } finally {
      Files.delete(canary);
    }
  }

  @Test
  void theRootFileSystemIsReadOnly() {
    for (String path : List.of("/x", "/usr/x", "/etc/passwd", "/bin/new")) {
      ExecResult r = shared.exec(Command.of("sh", "-c", "echo x >> " + path));
      assertNotEquals(0, r.exitCode(), path);
      assertContains(r.stderrText(), "Read-only file system");
    }
    assertTrue(shared.exec(Command.of("sh", "-c", "echo x > /tmp/ok")).isSuccess(), "/tmp is writable");
  }

  @Test
  void theHostLoopbackIsOutOfReach() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = server.getLocalPort();
      ExecResult r =
          shared.exec(Command.of("bash", "-c", "echo hi > /dev/tcp/127.0.0.1/" + port).withTimeout(Duration.ofSeconds(10)));
      assertEquals(ExecStatus.EXITED, r.status());
      assertNotEquals(0, r.exitCode());
      assertContains(r.stderrText(), "Connection refused");
      ExecResult devs = shared.exec(Command.of("cat", "/proc/net/dev"));
      List<String> ifaces =
          devs.stdoutText().lines().skip(2).map(l -> l.trim().split(":")[0]).toList();
      assertEquals(List.of("lo"), ifaces, "only a private loopback");
    }
  }

  @Test
  void networkNoneHasNoUsableInterface() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LinuxSandbox sb = create(spec().withNetwork(NetworkPolicy.NONE).build())) {
      ExecResult r =
          sb.exec(Command.of("bash", "-c", "echo hi > /dev/tcp/127.0.0.1/" + server.getLocalPort()));
      assertNotEquals(0, r.exitCode());
      if (ROOT) {
        // its own namespace with the loopback down: not even its own 127.0.0.1
        assertContains(r.stderrText(), "Network is unreachable");
      } else {
        // rootless: runc's namespace, whose private loopback is up
        assertContains(r.stderrText(), "Connection refused");
      }
    }
  }

  @Test
  void procSysIsReadOnly() {
    ExecResult r = shared.exec(Command.of("sh", "-c", "echo evil > /proc/sys/kernel/hostname"));
    assertNotEquals(0, r.exitCode());
    assertContains(r.stderrText(), "Read-only file system");
    // every masked /proc file this kernel has is covered by a mount
    StringBuilder check = new StringBuilder();
    for (String p : dev.strata.sandbox.linux.oci.OciConfig.MASKED_PATHS) {
      if (p.startsWith("/proc/")) {
        check.append("if [ -e ").append(p).append(" ]; then grep -q ' ").append(p)
            .append(" ' /proc/self/mountinfo && echo masked ").append(p).append(" || echo OPEN ").append(p).append("; fi; ");
      }
    }
    ExecResult masked = shared.exec(Command.of("sh", "-c", check.toString()));
    assertFalse(masked.stdoutText().contains("OPEN"), masked.stdoutText());
    assertContains(masked.stdoutText(), "masked /proc/keys");
  }

  @Test
  void noCapabilitiesNoNewPrivsAndSeccompFilter() {
    String status = shared.exec(Command.of("cat", "/proc/self/status")).stdoutText();
    assertContains(status, "CapEff:\t0000000000000000");
    assertContains(status, "CapBnd:\t0000000000000000");
    assertContains(status, "NoNewPrivs:\t1");
    assertContains(status, "Seccomp:\t2");
  }

  @Test
  void mountUnshareAndPtraceAreDeniedBySeccomp() {
    // raw syscalls through perl (Debian's perl-base is essential), so that the errno is the
    // filter's: without seccomp, ptrace(TRACEME) and unshare(CLONE_NEWUSER) would succeed here
    String script =
        "$r = syscall(101, 0, 0, 0, 0); print \"ptrace $r \", $!+0, \"\\n\";"
            + "$r = syscall(272, 0x10000000); print \"unshare $r \", $!+0, \"\\n\";"
            + "($s, $t, $f) = (\"none\", \"/tmp\", \"tmpfs\"); $r = syscall(165, $s, $t, $f, 0, 0); print \"mount $r \", $!+0, \"\\n\";"
            + "$r = syscall(308, 0, 0x40000000); print \"setns $r \", $!+0, \"\\n\";";
    ExecResult r = shared.exec(Command.of("perl", "-e", script));
    assertEquals("ptrace -1 1\nunshare -1 1\nmount -1 1\nsetns -1 1\n", r.stdoutText(), r.stderrText());
    ExecResult cli = shared.exec(Command.of("unshare", "--user", "--net", "true"));
    assertNotEquals(0, cli.exitCode());
    assertContains(cli.stderrText(), "Operation not permitted");
  }

  @Test
  void aTimeoutKillsGrandchildrenAndDaemonsToo() throws Exception {
    ExecResult r =
        shared.exec(
            Command.of("sh", "-c", "sh -c 'sleep 300 & sleep 300' & setsid sleep 300 & sleep 300")
                .withTimeout(Duration.ofMillis(800)));
    assertEquals(ExecStatus.TIMED_OUT, r.status());
    assertTrue(r.duration().toMillis() < 5000, r::toString);
    LinuxTestSupport.assertOnlyInitLeft(shared);
  }

  @Test
  void onlyStandardDescriptorsAreOpenInside() {
    // the shell's own descriptors ($$), listed by a child
    ExecResult r = shared.exec(Command.of("sh", "-c", "ls /proc/$$/fd"));
    assertEquals("0\n1\n2\n", r.stdoutText(), r.stderrText());
    // and PID 1's, seen from the host
    String[] initFds = new java.io.File("/proc/" + shared.initPid() + "/fd").list();
    assertTrue(initFds != null && initFds.length > 0);
    for (String fd : initFds) {
      assertTrue(Integer.parseInt(fd) <= 2, "PID 1 holds fd " + fd);
    }
  }

  @Test
  void commandsCannotReachTheAgentOrItsFifos() {
    // PID 1 is not dumpable: its fds (the JVM's pipes) are out of reach without CAP_SYS_PTRACE
    ExecResult fds = shared.exec(Command.of("sh", "-c", "ls /proc/1/fd; echo x > /proc/1/fd/0").withTimeout(Duration.ofSeconds(10)));
    assertEquals(ExecStatus.EXITED, fds.status(), fds::toString);
    assertContains(fds.stderrText(), "Permission denied");
    // the FIFO directory is read-only inside: no entry can be added or swapped for a symlink
    ExecResult io = shared.exec(Command.of("sh", "-c", "ln -s /etc/passwd " + LinuxSandbox.IO_PATH + "/99.out"));
    assertNotEquals(0, io.exitCode());
    assertContains(io.stderrText(), "Read-only file system");
    assertEquals("still fine\n", shared.exec(Command.of("echo", "still fine")).stdoutText());
  }

  @Test
  void twentySandboxesAtOnceGiveRightResults() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        futures.add(
            pool.submit(
                () -> {
                  try (LinuxSandbox sb = create(spec().withEnv("N", String.valueOf(n)).build())) {
                    ExecResult r = sb.exec(Command.of("sh", "-c", "echo $N; echo $((N * N)) >&2; exit $N"));
                    return r.stdoutText().trim() + "/" + r.stderrText().trim() + "/" + r.exitCode();
                  }
                }));
      }
      for (int i = 0; i < 20; i++) {
        assertEquals(i + "/" + (i * i) + "/" + i, futures.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void hostnameAndPidNamespaceAreTheSandboxOwn() {
    ExecResult r = shared.exec(Command.of("sh", "-c", "hostname; ls /proc | grep -c '^[0-9]'"));
    List<String> lines = r.stdoutText().lines().toList();
    assertEquals("sandbox", lines.get(0));
    assertTrue(Integer.parseInt(lines.get(1)) < 6, "only the sandbox's few processes: " + lines.get(1));
  }
}
