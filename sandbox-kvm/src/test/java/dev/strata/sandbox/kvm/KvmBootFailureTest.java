package dev.strata.sandbox.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFailedException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import dev.strata.sandbox.SandboxStartException;
import org.junit.jupiter.api.Test;

/** Boots that fail: a clear {@link SandboxStartException} with the console's last words, and nothing left. */
class KvmBootFailureTest {

  @Test
  void kernelPanicIsReportedWithTheConsoleTail() {
    HardwareProfile host = KvmTestSupport.requireVmHost();
    KvmSandboxProvider provider = new KvmSandboxProvider();
    SandboxStartException e = assertThrows(SandboxStartException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE).withOption("kvm.append", "rdinit=/no/such/init init=/no/such/init").build(),
        host));
    assertTrue(e.getMessage().contains("QEMU exited"), e.getMessage());
    assertTrue(e.getMessage().contains("Kernel panic"), "console tail in the message: " + e.getMessage());
    KvmSpecTest.assertNoRunDirectories();
  }

  @Test
  void aGuestKernelCrashDuringACommandFailsTheSandboxWithTheConsoleTail() {
    HardwareProfile host = KvmTestSupport.requireVmHost();
    KvmSandboxProvider provider = new KvmSandboxProvider();
    Sandbox vm = provider.create(SandboxSpec.exactly(IsolationLevel.HARDWARE).build(), host);
    try {
      long qemu = ((KvmSandbox) vm).qemuPid();
      SandboxFailedException e = assertThrows(SandboxFailedException.class,
          () -> vm.exec(Command.of("sh", "-c", "echo c > /proc/sysrq-trigger; sleep 30")));
      assertTrue(e.getMessage().contains("Kernel panic") || e.getMessage().contains("sysrq"), e.getMessage());
      assertEquals(SandboxState.FAILED, vm.state());
      assertThrows(SandboxFailedException.class, () -> vm.exec(Command.of("true")));
      ProcessHandle.of(qemu).ifPresent(h -> h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join());
      assertFalse(ProcessHandle.of(qemu).map(ProcessHandle::isAlive).orElse(false), "QEMU exited on the panic");
    } finally {
      vm.close();
    }
    assertEquals(SandboxState.CLOSED, vm.state());
    KvmSpecTest.assertNoRunDirectories();
  }

  @Test
  void theWatchdogKillsAndRetriesABootThatDoesNotReachTheAgent() {
    HardwareProfile host = KvmTestSupport.requireVmHost();
    KvmSandboxProvider provider = new KvmSandboxProvider();
    // one second is too short for any TCG boot, so every attempt counts as a hang
    org.junit.jupiter.api.Assumptions.assumeFalse(provider.probe(host, null).kvm(), "KVM may boot within a second");
    SandboxStartException e = assertThrows(SandboxStartException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE)
            .withOption("kvm.bootTimeout", "1")
            .withOption("kvm.bootAttempts", "2")
            .build(),
        host));
    assertTrue(e.getMessage().contains("did not reach its agent in 2 attempt(s)"), e.getMessage());
    assertTrue(provider.watchdogKills() == 2, "watchdog kills: " + provider.watchdogKills());
    KvmSpecTest.assertNoRunDirectories();
  }
}
