package dev.strata.sandbox.wasm.wasi;

/** Thrown by {@code proc_exit}: unwinds the guest and carries its exit code. */
public final class WasiExit extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;

  WasiExit(int code) {
    super("proc_exit(" + code + ")", null, false, false);
    this.code = code;
  }

  /** The exit code the guest passed to {@code proc_exit}. */
  public int code() {
    return code;
  }
}
