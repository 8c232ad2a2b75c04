package dev.strata.sandbox;

import java.time.Duration;
import java.util.Map;

/**
 * Monitoring feedback from a factory, per tier: live sandboxes by state, how many were created,
 * failed and closed, commands by how they ended, and start and exec latencies. A snapshot; read it
 * again for fresh numbers ({@link SandboxFactory#metrics()}).
 *
 * @param tiers one entry per isolation level that has been used
 */
public record SandboxMetrics(Map<IsolationLevel, Tier> tiers) {

  public SandboxMetrics {
    tiers = Map.copyOf(tiers);
  }

  /** The numbers of one tier; zeros for a tier never used. */
  public Tier tier(IsolationLevel level) {
    return tiers.getOrDefault(level, Tier.EMPTY);
  }

  /**
   * @param live sandboxes open now, by state
   * @param created sandboxes created so far
   * @param closed sandboxes closed so far
   * @param failures failures by kind: the exception's simple name for a failed create or exec
   * @param execs commands by how they ended
   * @param startLatency time to create a sandbox
   * @param execLatency time to run a command
   */
  public record Tier(
      Map<SandboxState, Integer> live,
      long created,
      long closed,
      Map<String, Long> failures,
      Map<ExecStatus, Long> execs,
      Latency startLatency,
      Latency execLatency) {

    static final Tier EMPTY =
        new Tier(Map.of(), 0, 0, Map.of(), Map.of(), Latency.NONE, Latency.NONE);

    public Tier {
      live = Map.copyOf(live);
      failures = Map.copyOf(failures);
      execs = Map.copyOf(execs);
    }

    /** Sandboxes open now, in any state. */
    public int liveCount() {
      return live.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * A latency distribution; percentiles are accurate to about 10%.
   *
   * @param count how many were measured
   */
  public record Latency(long count, Duration p50, Duration p95, Duration p99, Duration max) {
    static final Latency NONE = new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }
}
