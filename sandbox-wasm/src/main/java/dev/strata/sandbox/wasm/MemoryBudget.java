package dev.strata.sandbox.wasm;

import dev.strata.sandbox.CapacityExceededException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM-wide budget for WebAssembly linear memory, so that many sandboxes together cannot
 * exhaust the heap. Every live linear memory holds its pages here; every open sandbox holds a small
 * share ({@link #SANDBOX_SHARE}) so that idle sandboxes count too. A grow beyond the budget fails
 * like a grow beyond the module's maximum; a new sandbox beyond it is refused.
 *
 * <p>The size comes from the system property {@value #PROPERTY} (bytes), by default half of the
 * JVM's maximum heap.
 */
final class MemoryBudget {

  static final String PROPERTY = "strata.wasm.memoryBudgetBytes";
  /**
   * What an open sandbox or plugin holds even when idle, beyond its linear memory: its bookkeeping
   * (measured at 0.5 KiB for a WASI sandbox, 2.2 KiB for a 1-page plugin instance), rounded up.
   */
  static final long SANDBOX_SHARE = 4L << 10;

  private static final MemoryBudget GLOBAL = new MemoryBudget(defaultLimit());

  private volatile long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicInteger holders = new AtomicInteger();

  MemoryBudget(long limit) {
    this.limit = limit;
  }

  static MemoryBudget global() {
    return GLOBAL;
  }

  private static long defaultLimit() {
    String value = System.getProperty(PROPERTY);
    if (value != null) {
      try {
        return Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalStateException(
            PROPERTY + " (" + value + ") must be a number of bytes, for example 4294967296");
      }
    }
    return Runtime.getRuntime().maxMemory() / 2;
  }

  long limit() {
    return limit;
  }

  /** For tests: changes the budget and returns the old one. */
  long setLimit(long newLimit) {
    long old = limit;
    limit = newLimit;
    return old;
  }

  long used() {
    return used.get();
  }

  /** Takes {@code bytes} if they fit; false (taking nothing) otherwise. */
  boolean tryReserve(long bytes) {
    while (true) {
      long current = used.get();
      long next = current + bytes;
      if (next > limit) {
        return false;
      }
      if (used.compareAndSet(current, next)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Takes a sandbox's share or refuses the sandbox with a clear message. */
  void reserveSandbox(String what) {
    if (!tryReserve(SANDBOX_SHARE)) {
      throw new CapacityExceededException(
          "the WebAssembly memory budget of this JVM is used up ("
              + (used.get() >> 20)
              + " MiB of "
              + (limit >> 20)
              + " MiB held by "
              + holders.get()
              + " open sandboxes and plugins), so "
              + what
              + " was refused: close idle sandboxes, lower their memory limits, or raise the"
              + " budget with -D"
              + PROPERTY
              + "=<bytes> (default: half of -Xmx)");
    }
    holders.incrementAndGet();
  }

  void releaseSandbox() {
    holders.decrementAndGet();
    release(SANDBOX_SHARE);
  }
}
