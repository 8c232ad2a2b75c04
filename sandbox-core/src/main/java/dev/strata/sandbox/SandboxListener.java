package dev.strata.sandbox;

import java.time.Duration;

/**
 * Lifecycle feedback from the sandboxes a factory makes: register with {@link
 * SandboxFactory.Builder#withListener}. Called on the thread that did the work; keep it quick and
 * do not throw (what a listener throws is logged and ignored).
 */
public interface SandboxListener {

  /** A sandbox is ready; {@code startTime} is how long creating it took. */
  default void created(Sandbox sandbox, Duration startTime) {}

  /** Creating a sandbox failed on {@code backend}. */
  default void createFailed(SandboxSpec spec, String backend, SandboxException error) {}

  /** A command ended (in any {@link ExecStatus}). */
  default void executed(Sandbox sandbox, Command command, ExecResult result) {}

  /** A command could not run because the sandbox machinery failed. */
  default void execFailed(Sandbox sandbox, Command command, SandboxException error) {}

  /** A sandbox was closed. */
  default void closed(Sandbox sandbox, SandboxStats finalStats) {}
}
