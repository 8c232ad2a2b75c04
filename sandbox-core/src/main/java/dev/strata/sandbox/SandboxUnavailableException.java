package dev.strata.sandbox;

import java.util.List;

/**
 * No backend can give the isolation asked for on this host. The message lists every backend, why
 * it did not fit, and how to fix it; {@link #backends()} gives the same in code.
 */
public class SandboxUnavailableException extends SandboxException {
  private static final long serialVersionUID = 1L;

  private final transient List<BackendStatus> backends;

  public SandboxUnavailableException(String message, List<BackendStatus> backends) {
    super(message);
    this.backends = List.copyOf(backends);
  }

  /** Every backend considered, with its availability. */
  public List<BackendStatus> backends() {
    return backends;
  }
}
