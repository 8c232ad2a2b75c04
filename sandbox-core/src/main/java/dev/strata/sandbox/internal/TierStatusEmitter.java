package dev.strata.sandbox.internal;

import dev.strata.sandbox.BudgetUsage;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.SandboxMetrics;
import dev.strata.sandbox.SandboxState;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import jdk.jfr.FlightRecorder;

/**
 * Emits {@link SandboxEvents.TierStatus} for every live factory at the event's period, so a JFR
 * recording shows the tiers' state over time with no extra dependency. One hook for the JVM;
 * factories register and leave.
 */
public final class TierStatusEmitter {

  /**
   * What a factory reports: its metrics and its budget use. The factory holds its source; the
   * emitter holds it weakly, so a factory nobody closed still goes away.
   */
  public record Source(Supplier<SandboxMetrics> metrics, Supplier<BudgetUsage> budgetUsage) {}

  private static final Set<Source> SOURCES = java.util.Collections.newSetFromMap(new WeakHashMap<>());
  private static boolean hooked;

  private TierStatusEmitter() {}

  public static synchronized void register(Source source) {
    SOURCES.add(source);
    if (!hooked) {
      hooked = true;
      try {
        FlightRecorder.addPeriodicEvent(SandboxEvents.TierStatus.class, TierStatusEmitter::emit);
      } catch (RuntimeException | LinkageError e) {
        // JFR is not in this runtime: the events are a convenience, never a requirement
      }
    }
  }

  public static synchronized void unregister(Source source) {
    SOURCES.remove(source);
  }

  private static void emit() {
    Source[] sources;
    synchronized (TierStatusEmitter.class) {
      sources = SOURCES.toArray(Source[]::new);
    }
    for (Source source : sources) {
      SandboxMetrics metrics = source.metrics().get();
      BudgetUsage budget = source.budgetUsage().get();
      for (Map.Entry<IsolationLevel, SandboxMetrics.Tier> e : metrics.tiers().entrySet()) {
        SandboxMetrics.Tier t = e.getValue();
        SandboxEvents.TierStatus event = new SandboxEvents.TierStatus();
        event.factory = System.identityHashCode(source);
        event.isolation = e.getKey().name();
        event.live = t.liveCount();
        event.running = t.live().getOrDefault(SandboxState.RUNNING, 0);
        event.failed = t.live().getOrDefault(SandboxState.FAILED, 0);
        event.created = t.created();
        event.closed = t.closed();
        event.failures = t.failures().values().stream().mapToLong(Long::longValue).sum();
        event.execP95 = t.execLatency().p95().toNanos();
        event.memoryReserved = budget.memoryBytesUsed();
        event.waiting = budget.waiting();
        event.commit();
      }
    }
  }
}
