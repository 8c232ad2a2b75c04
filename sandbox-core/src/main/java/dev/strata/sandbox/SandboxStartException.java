package dev.strata.sandbox;

/**
 * The backend was available but could not start this sandbox: a VM that did not boot, a container
 * the runtime refused. The message carries the backend's own words (a console tail, runc's
 * stderr). Nothing is left behind.
 */
public class SandboxStartException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public SandboxStartException(String message) {
    super(message);
  }

  public SandboxStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
