package dev.strata.sandbox.wasm;

import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.SandboxException;

/**
 * A plugin call did not return: the guest trapped, ran past its timeout or fuel, or out of memory.
 * A plugin call has a return value, so unlike {@link dev.strata.sandbox.Sandbox#exec} it cannot
 * report these as a result; {@link #status()} says which it was.
 */
public class WasmCallException extends SandboxException {
  private static final long serialVersionUID = 1L;

  private final ExecStatus status;

  public WasmCallException(ExecStatus status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** How the call ended: TRAPPED, TIMED_OUT, FUEL_EXHAUSTED, OUT_OF_MEMORY or KILLED. */
  public ExecStatus status() {
    return status;
  }
}
