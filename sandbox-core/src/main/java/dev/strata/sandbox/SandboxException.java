package dev.strata.sandbox;

/**
 * The root of every exception Strata throws. It means the sandbox machinery could not do what was
 * asked; what the payload does is an {@link ExecResult}, never an exception.
 */
public class SandboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxException(String message) {
    super(message);
  }

  public SandboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
