package dev.strata.sandbox;

/** How a command ended. Everything but {@link #EXITED} means the sandbox stopped the payload. */
public enum ExecStatus {
  /** The payload exited by itself; {@link ExecResult#exitCode()} is its exit code. */
  EXITED,
  /** The wall-clock timeout expired and the payload (with every process it started) was killed. */
  TIMED_OUT,
  /** The payload hit its memory limit (cgroup OOM, guest OOM killer, or a refused WASM grow that trapped). */
  OUT_OF_MEMORY,
  /** The WASM instruction budget ran out. */
  FUEL_EXHAUSTED,
  /** The payload wrote more than {@link ResourceLimits#maxOutputBytes()} and was stopped. */
  OUTPUT_LIMIT,
  /** A WebAssembly trap (unreachable, out-of-bounds access, ...); the message says which. */
  TRAPPED,
  /** Killed for another reason: a signal, the sandbox closing under it, the pids limit. */
  KILLED
}
