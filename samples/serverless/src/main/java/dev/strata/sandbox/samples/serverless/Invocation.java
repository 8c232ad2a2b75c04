package dev.strata.sandbox.samples.serverless;

import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import java.time.Duration;

/**
 * One invocation of a function.
 *
 * @param function the function's name
 * @param isolation the tier it ran on
 * @param backend the backend that ran it
 * @param cold true when no warm sandbox was idle and the caller had to create one
 * @param acquire time to get a sandbox from the pool (a cold start when {@code cold})
 * @param exec time to run the function
 * @param result how the function ended, its stdout and stderr
 */
public record Invocation(
    String function,
    IsolationLevel isolation,
    String backend,
    boolean cold,
    Duration acquire,
    Duration exec,
    ExecResult result) {

  /** Acquire and exec together: the latency the caller saw. */
  public Duration total() {
    return acquire.plus(exec);
  }
}
