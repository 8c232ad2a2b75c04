package dev.strata.sandbox;

/**
 * The spec cannot be met by the chosen backend: a mount source that does not exist, more memory
 * than the host has, an option the backend does not know.
 */
public class InvalidSpecException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public InvalidSpecException(String message) {
    super(message);
  }

  public InvalidSpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
