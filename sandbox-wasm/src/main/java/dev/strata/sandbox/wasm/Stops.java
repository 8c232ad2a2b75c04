package dev.strata.sandbox.wasm;

/** Exceptions the sandbox throws through guest code to stop it; never seen by users. */
final class Stops {

  private Stops() {}

  /** Output went past its cap. */
  static final class OutputLimit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputLimit(String stream) {
      super(stream + " passed its limit", null, false, false);
    }
  }

  /** The fuel budget ran out. */
  static final class FuelExhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FuelExhausted() {
      super("fuel exhausted", null, false, false);
    }
  }

  /** The watchdog or the caller asked the guest to stop. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("stopped", null, false, false);
    }
  }
}
