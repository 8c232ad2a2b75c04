package dev.strata.sandbox;

import java.util.Map;

/**
 * Resource feedback: how much of the {@link HostBudget} the live sandboxes hold, and what is free.
 *
 * @param budget the budget in force
 * @param memoryBytesUsed memory reserved by live sandboxes' limits
 * @param cpuMillisUsed CPU reserved by live sandboxes' limits
 * @param sandboxes live sandboxes per tier
 * @param waiting callers queued for admission right now
 */
public record BudgetUsage(
    HostBudget budget,
    long memoryBytesUsed,
    long cpuMillisUsed,
    Map<IsolationLevel, Integer> sandboxes,
    int waiting) {

  public BudgetUsage {
    sandboxes = Map.copyOf(sandboxes);
  }

  public long memoryBytesFree() {
    return Math.max(0, budget.memoryBytes() - memoryBytesUsed);
  }

  public long cpuMillisFree() {
    return Math.max(0, budget.cpuMillis() - cpuMillisUsed);
  }

  /** Live sandboxes of {@code level}. */
  public int sandboxes(IsolationLevel level) {
    return sandboxes.getOrDefault(level, 0);
  }
}
