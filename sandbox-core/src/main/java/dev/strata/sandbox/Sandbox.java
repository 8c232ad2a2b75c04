package dev.strata.sandbox;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An isolated place to run commands. Get one from {@link SandboxFactory#create(SandboxSpec)} and
 * close it when done; {@link #close()} always releases everything, also after a failure, and may
 * be called more than once.
 *
 * <pre>{@code
 * try (Sandbox sandbox = factory.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build())) {
 *   ExecResult r = sandbox.exec(Command.of("hello.wasm"));
 *   if (r.status() == ExecStatus.TIMED_OUT) { ... }
 * }
 * }</pre>
 *
 * <p>{@code exec} may be called from several threads; a backend that cannot run commands side by
 * side runs them one after another.
 */
public interface Sandbox extends AutoCloseable {

  /** A unique id such as {@code strata-linux-4711-3f2a9c}; it names the backend's resources too. */
  String id();

  /** The isolation this sandbox really gives. */
  IsolationLevel isolationLevel();

  /** The name of the backend that made it: {@code wasm}, {@code linux}, {@code kvm}, ... */
  String backend();

  SandboxSpec spec();

  SandboxState state();

  /**
   * Runs a command to its end and returns how it ended. Payload failures are results.
   *
   * @throws SandboxClosedException if the sandbox is closed
   * @throws InvalidProgramException if the program cannot be loaded at all (a malformed module)
   * @throws SandboxException if the sandbox itself fails (the VM died)
   */
  ExecResult exec(Command command);

  /** Runs a command without blocking the caller. The future fails only where {@link #exec} throws. */
  CompletableFuture<ExecResult> execAsync(Command command);

  SandboxStats stats();

  /**
   * The backend's own sandbox type, for what only it offers (the WASM tier's plugins, say):
   * {@code sandbox.unwrap(WasmSandbox.class)}. Empty if this sandbox is of another backend.
   */
  default <T> Optional<T> unwrap(Class<T> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
  }

  /** Stops everything still running and releases every resource. Idempotent; never throws. */
  @Override
  void close();
}
