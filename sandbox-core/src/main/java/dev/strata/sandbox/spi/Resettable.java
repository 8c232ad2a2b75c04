package dev.strata.sandbox.spi;

/**
 * A sandbox that can be made as good as new without being rebuilt, so that a {@link
 * dev.strata.sandbox.pool.SandboxPool} can hand it to the next user cheaply: no process of the
 * last user left running, the scratch directory and {@code /tmp} empty, nothing the last user
 * changed still visible.
 *
 * <p>A backend that cannot reset cheaply does not implement this; the pool then closes a returned
 * sandbox and warms a fresh one in the background.
 */
public interface Resettable {

  /**
   * Brings the sandbox back to the state it had when created.
   *
   * @throws dev.strata.sandbox.SandboxException if it cannot; the pool then discards the sandbox
   */
  void reset();
}
