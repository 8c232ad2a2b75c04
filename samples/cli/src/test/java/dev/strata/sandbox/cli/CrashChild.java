package dev.strata.sandbox.cli;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM that {@link CrashSafetyTest} kills with SIGKILL: it opens a sandbox on every available
 * tier, starts a long command in each, prints their ids and waits to die.
 */
public final class CrashChild {

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path wasm = Path.of(args[0]);
    SandboxFactory factory = SandboxFactory.create();
    List<String> ids = new ArrayList<>();
    for (IsolationLevel level : IsolationLevel.values()) {
      if (!factory.isAvailable(level)) {
        continue;
      }
      SandboxSpec.Builder spec = SandboxSpec.exactly(level).withScratch("/scratch", 1 << 20);
      if (level != IsolationLevel.INSTRUCTION) {
        spec.withMount(Mount.readOnly(wasm.getParent(), "/crash"));
      }
      Sandbox sandbox = factory.create(spec.build());
      ids.add(sandbox.id());
      Command busy =
          level == IsolationLevel.INSTRUCTION
              ? Command.of(wasm.toString())
              : Command.of("/bin/sh", "-c", "sleep 600");
      sandbox.execAsync(busy);
    }
    Thread.sleep(1000); // let the long commands start
    System.out.println("READY " + String.join(" ", ids));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
