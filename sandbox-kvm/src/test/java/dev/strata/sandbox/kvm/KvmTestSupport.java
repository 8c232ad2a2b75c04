package dev.strata.sandbox.kvm;

import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.testing.CiRequirements;

/** Shared checks for tests that boot real microVMs. */
final class KvmTestSupport {

  private KvmTestSupport() {}

  /** Skips (laptop) or fails (CI) unless QEMU, busybox and a guest kernel are all here. */
  static HardwareProfile requireVmHost() {
    HardwareProfile host = HardwareProfile.detect();
    KvmSandboxProvider.Setup setup = new KvmSandboxProvider().probe(host, null);
    CiRequirements.require(setup.problem() == null,
        "a microVM host: " + setup.problem() + " (" + setup.fix() + ")");
    return host;
  }
}
