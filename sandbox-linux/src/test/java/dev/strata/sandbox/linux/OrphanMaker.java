package dev.strata.sandbox.linux;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.SandboxSpec;

/**
 * A JVM that opens a sandbox, starts a long command in it and then waits to be killed: {@link
 * LinuxLifecycleTest} kills it with SIGKILL and checks that the container dies with it.
 */
public final class OrphanMaker {

  private OrphanMaker() {}

  public static void main(String[] args) throws Exception {
    LinuxSandbox sb =
        (LinuxSandbox)
            new LinuxSandboxProvider()
                .create(SandboxSpec.exactly(IsolationLevel.PROCESS).build(), HardwareProfile.detect());
    sb.execAsync(Command.of("sleep", "600"));
    Thread.sleep(300);
    System.out.println(sb.id() + " " + sb.initPid() + " " + sb.bundle());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
