package dev.strata.sandbox.pool;

/**
 * What a pool holds and has done.
 *
 * @param idle warm sandboxes waiting for a lease
 * @param leased sandboxes out on lease
 * @param starting sandboxes being created or reset
 * @param waiting callers blocked in {@link SandboxPool#acquire}
 * @param created sandboxes created so far (cold starts)
 * @param reused leases served by a reset sandbox
 * @param discarded sandboxes closed because they failed, could not reset, or expired
 */
public record PoolStats(
    int idle, int leased, int starting, int waiting, long created, long reused, long discarded) {

  /** Every sandbox the pool holds or is making. */
  public int total() {
    return idle + leased + starting;
  }
}
