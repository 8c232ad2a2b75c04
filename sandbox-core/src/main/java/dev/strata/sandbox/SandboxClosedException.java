package dev.strata.sandbox;

/** A command was sent to a sandbox that is already closed. */
public class SandboxClosedException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public SandboxClosedException(String sandboxId) {
    super("sandbox " + sandboxId + " is closed: create a new one");
  }
}
