package dev.strata.sandbox;

/**
 * The program given cannot be loaded at all: a malformed or invalid WebAssembly module, an import
 * nobody provides, a file that does not exist. Different from a program that runs and fails.
 */
public class InvalidProgramException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public InvalidProgramException(String message) {
    super(message);
  }

  public InvalidProgramException(String message, Throwable cause) {
    super(message, cause);
  }
}
