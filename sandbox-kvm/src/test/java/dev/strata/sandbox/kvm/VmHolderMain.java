package dev.strata.sandbox.kvm;

import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;

/** Run in a child JVM by {@link KvmLifecycleTest}: boots a VM, prints QEMU's pid, waits to be killed. */
public final class VmHolderMain {
  public static void main(String[] args) throws Exception {
    KvmSandboxProvider provider = new KvmSandboxProvider();
    Sandbox vm = provider.create(SandboxSpec.exactly(IsolationLevel.HARDWARE).build(), HardwareProfile.detect());
    System.out.println("QEMU " + ((KvmSandbox) vm).qemuPid() + " " + vm.id());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
