package dev.strata.sandbox.wasm;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import java.nio.file.Path;

/** Test helpers: the test modules built from src/test/c, and sandboxes made directly. */
final class Wasm {

  private Wasm() {}

  static Path module(String name) {
    return Path.of("src/test/resources/wasm", name + ".wasm").toAbsolutePath();
  }

  static Command command(String name, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = module(name).toString();
    System.arraycopy(args, 0, argv, 1, args.length);
    return Command.of(argv);
  }

  static SandboxSpec.Builder spec() {
    return SandboxSpec.exactly(IsolationLevel.INSTRUCTION);
  }

  static Sandbox sandbox(SandboxSpec spec) {
    return new WasmSandboxProvider().create(spec, null);
  }
}
