package dev.strata.sandbox.samples.serverless;

import dev.strata.sandbox.IsolationLevel;

/**
 * How far the operator trusts a function's author; it decides the tier. A WASM module is
 * contained by the INSTRUCTION tier whatever its author meant; a native program needs at least a
 * PROCESS sandbox, and a separate kernel when it is expected to attack the host.
 */
public enum Trust {
  /** Our own code: the cheapest tier that can run it (INSTRUCTION for WASM, PROCESS for native). */
  TRUSTED,
  /** A customer's code: INSTRUCTION for WASM, PROCESS (or stronger) for native. */
  UNTRUSTED,
  /** Code expected to attack the host (kernel exploits included): HARDWARE, a microVM. */
  HOSTILE;

  /**
   * The tier for a function of {@code kind} with this trust.
   *
   * @throws IllegalArgumentException for a hostile WASM module: the HARDWARE tier runs Linux
   *     programs, not WebAssembly
   */
  public IsolationLevel isolationFor(FunctionKind kind) {
    return switch (this) {
      case TRUSTED, UNTRUSTED ->
          kind == FunctionKind.WASM ? IsolationLevel.INSTRUCTION : IsolationLevel.PROCESS;
      case HOSTILE -> {
        if (kind == FunctionKind.WASM) {
          throw new IllegalArgumentException(
              "a HOSTILE function runs in a microVM (HARDWARE), which runs Linux programs, not WebAssembly:"
                  + " deploy it as a static native program, or trust it as UNTRUSTED to run it as WASM");
        }
        yield IsolationLevel.HARDWARE;
      }
    };
  }
}
