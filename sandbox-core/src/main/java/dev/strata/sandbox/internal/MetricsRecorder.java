package dev.strata.sandbox.internal;

import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.SandboxMetrics;
import dev.strata.sandbox.SandboxState;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts and latencies per tier, fed by the factory and its sandboxes; snapshots on demand. */
public final class MetricsRecorder {

  private static final class Tier {
    final LongAdder created = new LongAdder();
    final LongAdder closed = new LongAdder();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    final Map<ExecStatus, LongAdder> execs = new ConcurrentHashMap<>();
    final LatencyHistogram start = new LatencyHistogram();
    final LatencyHistogram exec = new LatencyHistogram();
  }

  private final Map<IsolationLevel, Tier> tiers = new ConcurrentHashMap<>();

  private Tier tier(IsolationLevel level) {
    return tiers.computeIfAbsent(level, l -> new Tier());
  }

  public void created(IsolationLevel level, Duration took) {
    Tier t = tier(level);
    t.created.increment();
    t.start.record(took);
  }

  public void failed(IsolationLevel level, Throwable error) {
    tier(level).failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new LongAdder()).increment();
  }

  public void executed(IsolationLevel level, ExecStatus status, Duration took) {
    Tier t = tier(level);
    t.execs.computeIfAbsent(status, k -> new LongAdder()).increment();
    t.exec.record(took);
  }

  public void closed(IsolationLevel level) {
    tier(level).closed.increment();
  }

  public SandboxMetrics snapshot(Collection<ManagedSandbox> live) {
    Map<IsolationLevel, Map<SandboxState, Integer>> states = new EnumMap<>(IsolationLevel.class);
    for (ManagedSandbox s : live) {
      states.computeIfAbsent(s.isolationLevel(), l -> new EnumMap<>(SandboxState.class))
          .merge(s.state(), 1, Integer::sum);
    }
    Map<IsolationLevel, SandboxMetrics.Tier> out = new EnumMap<>(IsolationLevel.class);
    for (IsolationLevel level : IsolationLevel.values()) {
      Tier t = tiers.get(level);
      Map<SandboxState, Integer> st = states.getOrDefault(level, Map.of());
      if (t == null && st.isEmpty()) {
        continue;
      }
      if (t == null) {
        t = tier(level);
      }
      Map<String, Long> failures = new TreeMap<>();
      t.failures.forEach((k, v) -> failures.put(k, v.sum()));
      Map<ExecStatus, Long> execs = new EnumMap<>(ExecStatus.class);
      t.execs.forEach((k, v) -> execs.put(k, v.sum()));
      out.put(
          level,
          new SandboxMetrics.Tier(
              st, t.created.sum(), t.closed.sum(), failures, execs, t.start.snapshot(), t.exec.snapshot()));
    }
    return new SandboxMetrics(out);
  }
}
