package dev.strata.sandbox.wasm.wasi;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes the files under a preopen may hold, counted as the guest writes, truncates and
 * unlinks (it assumes the directory starts empty, as a scratch directory does). A write past it
 * fails with {@code ENOSPC}.
 */
public final class WriteQuota {

  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();

  public WriteQuota(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Forgets every byte counted: for a directory that was emptied. */
  public void reset() {
    used.set(0);
  }

  /** Bytes counted now. */
  public long used() {
    return used.get();
  }

  boolean tryTake(long bytes) {
    if (bytes <= 0) {
      return true;
    }
    while (true) {
      long current = used.get();
      if (current + bytes > maxBytes) {
        return false;
      }
      if (used.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  void giveBack(long bytes) {
    if (bytes > 0) {
      used.updateAndGet(u -> Math.max(0, u - bytes));
    }
  }
}
