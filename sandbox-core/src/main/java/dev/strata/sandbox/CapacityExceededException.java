package dev.strata.sandbox;

/**
 * A budget would be overrun: the WASM memory budget of this JVM, a pool's maximum, the host
 * budget of admission control. Refused up front so the host stays healthy.
 */
public class CapacityExceededException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public CapacityExceededException(String message) {
    super(message);
  }
}
