package dev.strata.sandbox.internal;

import dev.strata.sandbox.BudgetUsage;
import dev.strata.sandbox.HostBudget;
import dev.strata.sandbox.IsolationLevel;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Reservations against a {@link HostBudget}: one monitor, waiters woken on every release. */
public final class Admission {

  /** What one live sandbox holds; released once. */
  public final class Reservation {
    private final IsolationLevel level;
    private final long memory;
    private final long cpu;
    private boolean released;

    private Reservation(IsolationLevel level, long memory, long cpu) {
      this.level = level;
      this.memory = memory;
      this.cpu = cpu;
    }

    public void release() {
      synchronized (Admission.this) {
        if (released) {
          return;
        }
        released = true;
        memoryUsed -= memory;
        cpuUsed -= cpu;
        counts.merge(level, -1, Integer::sum);
        Admission.this.notifyAll();
      }
    }
  }

  private final HostBudget budget;
  private long memoryUsed;
  private long cpuUsed;
  private final Map<IsolationLevel, Integer> counts = new EnumMap<>(IsolationLevel.class);
  private int waiting;

  public Admission(HostBudget budget) {
    this.budget = budget;
  }

  public HostBudget budget() {
    return budget;
  }

  /** Whether a sandbox of this size would be admitted on {@code level} now. */
  public synchronized boolean fits(IsolationLevel level, long memory, long cpu) {
    return counts.getOrDefault(level, 0) < budget.maxSandboxes(level)
        && memory <= budget.memoryBytes() - memoryUsed
        && cpu <= budget.cpuMillis() - cpuUsed;
  }

  /** Reserves now, or returns null if it does not fit. */
  public synchronized @Nullable Reservation tryReserve(IsolationLevel level, long memory, long cpu) {
    if (!fits(level, memory, cpu)) {
      return null;
    }
    memoryUsed += memory;
    cpuUsed += cpu;
    counts.merge(level, 1, Integer::sum);
    return new Reservation(level, memory, cpu);
  }

  /** Waits for a release until {@code deadlineNanos}; false once the deadline has passed. */
  public synchronized boolean awaitRelease(long deadlineNanos) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    waiting++;
    try {
      TimeUnit.NANOSECONDS.timedWait(this, left);
    } finally {
      waiting--;
    }
    return true;
  }

  public synchronized BudgetUsage usage() {
    return new BudgetUsage(budget, memoryUsed, cpuUsed, counts, waiting);
  }
}
