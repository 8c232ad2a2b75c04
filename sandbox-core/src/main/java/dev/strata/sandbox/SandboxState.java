package dev.strata.sandbox;

/** Where a sandbox is in its life. */
public enum SandboxState {
  /** Being set up (a VM booting, a container starting). */
  STARTING,
  /** Ready for commands; none running. */
  IDLE,
  /** At least one command running. */
  RUNNING,
  /** Broken (the VM died, the container vanished); only {@link Sandbox#close()} is useful. */
  FAILED,
  /** Closed; every resource released. */
  CLOSED
}
