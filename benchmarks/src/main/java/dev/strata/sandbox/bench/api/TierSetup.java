package dev.strata.sandbox.bench.api;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.bench.memory.TinyWasm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the harness runs in each tier through the public API: a trivial command (an empty 1-page
 * WASI module, or {@code /bin/true}) in the smallest sandbox the tier allows.
 */
public final class TierSetup {

  private TierSetup() {}

  /** The isolation level of a backend name. */
  public static IsolationLevel level(String backend) {
    switch (backend) {
      case "wasm":
        return IsolationLevel.INSTRUCTION;
      case "linux":
        return IsolationLevel.PROCESS;
      case "kvm":
        return IsolationLevel.HARDWARE;
      default:
        throw new IllegalArgumentException("backend (" + backend + ") must be wasm, linux or kvm");
    }
  }

  /** The spec: exactly the tier, small limits (a 128 MiB guest for kvm, as issue 5 asks). */
  public static SandboxSpec spec(String backend) {
    long memory = backend.equals("kvm") ? 128L << 20 : backend.equals("linux") ? 64L << 20 : 1L << 20;
    return SandboxSpec.exactly(level(backend))
        .withLimits(ResourceLimits.defaults().toBuilder()
            .withMemoryBytes(memory)
            .withTimeout(Duration.ofSeconds(backend.equals("kvm") ? 600 : 60))
            .build())
        .withLabel("strata.bench", "harness")
        .build();
  }

  /**
   * The trivial command; for wasm a temp file holding {@link TinyWasm#emptyCommand()} (deleted on
   * exit).
   */
  public static Command command(String backend) throws IOException {
    if (backend.equals("wasm")) {
      Path module = TinyWasm.writeTemp();
      return Command.of(module.toString());
    }
    return Command.of("/bin/true");
  }

  /** Throws unless the command ran to exit code 0: a broken sandbox must not look fast. */
  public static ExecResult check(ExecResult r) {
    if (!r.isSuccess()) {
      throw new IllegalStateException("the benchmark command did not succeed: " + r);
    }
    return r;
  }
}
