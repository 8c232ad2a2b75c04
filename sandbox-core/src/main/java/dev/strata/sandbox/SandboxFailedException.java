package dev.strata.sandbox;

/**
 * A running sandbox broke under a command: the VM died, the container vanished, the agent stopped
 * answering. The sandbox is {@link SandboxState#FAILED}; close it.
 */
public class SandboxFailedException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public SandboxFailedException(String message) {
    super(message);
  }

  public SandboxFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
