package dev.strata.sandbox.wasm;

import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.SandboxSpec;
import java.util.Locale;

/**
 * How WebAssembly code runs. Chosen per sandbox with the spec option {@value #OPTION}.
 *
 * <p>{@link #COMPILER} translates each module once to JVM bytecode (Chicory's runtime compiler);
 * functions too big for one JVM method fall back to the interpreter on their own. {@link
 * #INTERPRETER} starts faster on a module never seen and is the only engine that counts fuel: a
 * spec with {@link dev.strata.sandbox.ResourceLimits#fuel()} runs interpreted.
 */
public enum WasmEngine {
  /** Chicory's runtime compiler, the default. */
  COMPILER,
  /** Chicory's interpreter. */
  INTERPRETER;

  /** The spec option that selects the engine: {@code compiler} or {@code interpreter}. */
  public static final String OPTION = "wasm.engine";

  /** The engine a spec asks for; fuel forces the interpreter. */
  static WasmEngine of(SandboxSpec spec) {
    WasmEngine chosen = spec.option(OPTION).map(WasmEngine::parse).orElse(COMPILER);
    return spec.limits().fuel().isPresent() ? INTERPRETER : chosen;
  }

  static WasmEngine parse(String value) {
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "compiler":
        return COMPILER;
      case "interpreter":
        return INTERPRETER;
      default:
        throw new InvalidSpecException(
            OPTION + " (" + value + ") must be compiler or interpreter");
    }
  }
}
