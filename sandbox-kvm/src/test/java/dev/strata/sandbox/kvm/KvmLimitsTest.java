package dev.strata.sandbox.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A 128 MiB, two-vCPU guest: its size is what the spec asked for, and its own OOM killer is reported. */
class KvmLimitsTest {

  static SandboxFactory factory;
  static Sandbox vm;

  @BeforeAll
  static void boot() {
    KvmTestSupport.requireVmHost();
    factory = SandboxFactory.builder().withBackend("kvm").build();
    vm = factory.create(SandboxSpec.exactly(IsolationLevel.HARDWARE)
        .withLimits(ResourceLimits.defaults().toBuilder().withMemoryBytes(128L << 20).withCpuMillis(2000)
            .withMaxProcesses(8).build())
        .withNetwork(dev.strata.sandbox.NetworkPolicy.LOOPBACK)
        .build());
  }

  @AfterAll
  static void close() {
    if (vm != null) {
      vm.close();
    }
    if (factory != null) {
      factory.close();
    }
  }

  @Test
  void guestHasTheMemoryAndCpusOfTheSpec() {
    ExecResult mem = vm.exec(Command.of("sh", "-c", "grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2"));
    long kib = Long.parseLong(mem.stdoutText().strip());
    assertTrue(kib > 64 * 1024 && kib <= 128 * 1024, "MemTotal " + kib + " KiB for a 128 MiB VM");
    assertEquals("2", vm.exec(Command.of("nproc")).stdoutText().strip());
  }

  @Test
  void loopbackPolicyGivesTheGuestItsOwnLoopbackOnly() {
    ExecResult links = vm.exec(Command.of("ip", "-o", "link"));
    assertTrue(links.stdoutText().contains("lo: <LOOPBACK,UP"), links.stdoutText());
    assertEquals(1, links.stdoutText().strip().lines().count(), "no other interface: " + links.stdoutText());
    ExecResult ping = vm.exec(Command.of("ping", "-c", "1", "-W", "2", "127.0.0.1"));
    assertEquals(0, ping.exitCode(), ping.stdoutText() + ping.stderrText());
  }

  @Test
  void guestOomKillerIsReportedAndTheVmSurvives() {
    long hostRssBefore = vm.stats().memoryBytes();
    ExecResult bomb = vm.exec(Command.of("sh", "-c", "x=strata; while :; do x=$x$x; done"));
    assertEquals(ExecStatus.OUT_OF_MEMORY, bomb.status(), bomb + " " + bomb.stderrText());
    assertTrue(bomb.message() != null && bomb.message().contains("OOM"), bomb.message());
    // the guest and its agent are fine, and QEMU did not grow past the guest's size
    assertEquals("alive\n", vm.exec(Command.of("echo", "alive")).stdoutText());
    long hostRss = vm.stats().memoryBytes();
    assertTrue(hostRss < hostRssBefore + (160L << 20), "QEMU RSS grew from " + hostRssBefore + " to " + hostRss);
  }

  @Test
  void maxProcessesCapsForksAndEscapedProcessesDieWithTheCommand() {
    ExecResult bomb = vm.exec(Command.of("sh", "-c", "for i in $(seq 20); do sleep 30 & done; wait"));
    assertTrue(bomb.stderrText().contains("fork"), "forks past 8 processes fail: " + bomb.stderrText());
    // a process that leaves the process group (setsid) still goes with the command, by its cgroup
    vm.exec(Command.of("sh", "-c", "setsid sleep 300 > /dev/null 2>&1 < /dev/null &"));
    ExecResult ps = vm.exec(Command.of("ps"));
    assertTrue(!ps.stdoutText().contains("sleep"), "nothing of earlier commands runs: " + ps.stdoutText());
  }

  @Test
  void aPayloadKilledBySignalIsReportedAsKilled() {
    ExecResult r = vm.exec(Command.of("sh", "-c", "kill -TERM $$"));
    assertEquals(ExecStatus.KILLED, r.status(), r.toString());
    assertTrue(r.message().contains("signal 15"), r.message());
  }
}
