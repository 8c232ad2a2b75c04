package dev.strata.sandbox.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void boots() {
    HardwareProfile host = KvmTestSupport.requireVmHost();
    try (KvmSandboxProvider p = new KvmSandboxProvider()) {
      System.out.println(p.availability(host).describe());
      long t0 = System.nanoTime();
      try (Sandbox sb = p.create(SandboxSpec.atLeast(IsolationLevel.HARDWARE).build(), host)) {
        long t1 = System.nanoTime();
        ExecResult r = sb.exec(Command.of("uname", "-r"));
        long t2 = System.nanoTime();
        System.out.println("boot " + (t1 - t0) / 1e6 + " ms, exec " + (t2 - t1) / 1e6 + " ms: " + r + " " + r.stdoutText() + r.stderrText());
        for (int i = 0; i < 5; i++) {
          long a = System.nanoTime();
          sb.exec(Command.of("true"));
          System.out.println("warm " + (System.nanoTime() - a) / 1e6);
        }
        System.out.println(sb.stats());
        assertEquals(0, r.exitCode());
      }
      System.out.println("closed after " + (System.nanoTime() - t0) / 1e6);
    }
  }
}
