package dev.strata.sandbox.cli;

import dev.strata.sandbox.ExecResult;

/**
 * The exit codes of {@code strata run}, following the conventions of {@code timeout(1)} and
 * container runtimes: the payload's own code when it exited, otherwise a code that says why.
 */
final class ExitCodes {

  /** The wall-clock timeout or the fuel budget ran out (as {@code timeout(1)}). */
  static final int TIMED_OUT = 124;
  /** The sandbox could not be made or the program not loaded; the reason is on stderr. */
  static final int SANDBOX_ERROR = 125;
  /** A WebAssembly trap (as an abort). */
  static final int TRAPPED = 134;
  /** Killed: out of memory, too much output, or another kill (128 + SIGKILL). */
  static final int KILLED = 137;

  private ExitCodes() {}

  static int of(ExecResult result) {
    switch (result.status()) {
      case EXITED:
        return result.exitCode();
      case TIMED_OUT:
      case FUEL_EXHAUSTED:
        return TIMED_OUT;
      case TRAPPED:
        return TRAPPED;
      case OUT_OF_MEMORY:
      case OUTPUT_LIMIT:
      case KILLED:
      default:
        return KILLED;
    }
  }
}
