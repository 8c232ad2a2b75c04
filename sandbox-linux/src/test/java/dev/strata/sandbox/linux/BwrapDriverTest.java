package dev.strata.sandbox.linux;

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
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.testing.CiRequirements;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bubblewrap driver ({@code linux.runtime=bwrap}): the same contract, rlimits instead of cgroups. */
class BwrapDriverTest {

  private static LinuxSandbox sb;

  @BeforeAll
  static void start() {
    // as root the driver refuses (see refusedAsRootWithTheReason); scripts/test-rootless.sh runs
    // this class as an unprivileged user, in CI too
    org.junit.jupiter.api.Assumptions.assumeFalse(LinuxTestSupport.ROOT, "bubblewrap runs only for non-root JVMs");
    CiRequirements.require(
        LinuxSandboxProvider.probe().bwrap() != null,
        "bubblewrap that can run a sandbox (apt-get install bubblewrap): "
            + LinuxSandboxProvider.probe().failures().get("bwrap"));
    sb = create(spec().withEnv("A", "1").withOption("linux.runtime", "bwrap").withScratch("/work", 1 << 20).build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (sb != null) {
      sb.close();
    }
    LinuxTestSupport.assertNoLeftovers();
  }

  @Test
  void runsCommandsWithStreamsAndExitCodes() {
    ExecResult r = sb.exec(Command.of("sh", "-c", "cat; echo $A >&2; exit 5").withStdin("hi\n"));
    assertEquals(5, r.exitCode());
    assertEquals("hi\n", r.stdoutText());
    assertEquals("1\n", r.stderrText());
  }

  @Test
  void isolationHolds() throws Exception {
    LinuxTestSupport.assertConfined(sb);
    String script =
        "$r = syscall(101, 0, 0, 0, 0); print \"ptrace $r \", $!+0, \"\\n\";"
            + "$r = syscall(272, 0x10000000); print \"unshare $r \", $!+0, \"\\n\";";
    assertEquals("ptrace -1 1\nunshare -1 1\n", sb.exec(Command.of("perl", "-e", script)).stdoutText());
    ExecResult rofs = sb.exec(Command.of("sh", "-c", "echo x > /x"));
    assertNotEquals(0, rofs.exitCode());
    assertContains(rofs.stderrText(), "Read-only file system");
    assertNotEquals(0, sb.exec(Command.of("sh", "-c", "echo evil > /proc/sys/kernel/hostname")).exitCode());
    Path canary = Files.createTempFile("strata-canary", ".txt");
    try {
      assertNotEquals(0, sb.exec(Command.of("cat", canary.toString())).exitCode());
    } finally {
      Files.delete(canary);
    }
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ExecResult net = sb.exec(Command.of("bash", "-c", "echo hi > /dev/tcp/127.0.0.1/" + server.getLocalPort()));
      assertNotEquals(0, net.exitCode());
    }
    assertEquals("sandbox\n", sb.exec(Command.of("hostname")).stdoutText());
  }

  @Test
  void scratchIsCapped() {
    ExecResult full = sb.exec(Command.of("sh", "-c", "head -c 4000000 /dev/zero > /work/big"));
    assertContains(full.stderrText(), "No space left on device");
  }

  @Test
  void timeoutKillsTheTree() {
    ExecResult r =
        sb.exec(Command.of("sh", "-c", "sh -c 'sleep 300 & sleep 300' & setsid sleep 300 & sleep 300").withTimeout(Duration.ofMillis(500)));
    assertEquals(ExecStatus.TIMED_OUT, r.status());
    LinuxTestSupport.assertOnlyInitLeft(sb);
  }

  @Test
  void processAndMemoryLimitsByRlimit() {
    ResourceLimits limits =
        ResourceLimits.defaults().toBuilder().withMaxProcesses(16).withMemoryBytes(64L << 20).withTimeout(Duration.ofSeconds(5)).build();
    try (LinuxSandbox small = create(spec().withOption("linux.runtime", "bwrap").withLimits(limits).build())) {
      ExecResult bomb = small.exec(Command.of("sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 2"));
      assertFalse(bomb.stderrText().isEmpty(), "forks were refused: " + bomb);
      ExecResult mem = small.exec(Command.of("perl", "-e", "$x = 'a' x 400_000_000; print length $x"));
      assertFalse(mem.isSuccess(), mem::toString);
      assertTrue(small.exec(Command.of("true")).isSuccess());
    }
  }
}
