package dev.strata.sandbox.wasm.wasi;

/** A WASI call failed with an errno; caught at the host-function boundary and returned. */
final class WasiError extends Exception {
  private static final long serialVersionUID = 1L;

  final int errno;

  WasiError(int errno) {
    super(null, null, false, false);
    this.errno = errno;
  }
}
