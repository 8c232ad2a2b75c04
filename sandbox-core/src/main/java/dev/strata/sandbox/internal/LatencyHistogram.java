package dev.strata.sandbox.internal;

import dev.strata.sandbox.SandboxMetrics.Latency;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram with eight buckets per power of two (about 9% wide), from 1 µs
 * to about 18 hours. Enough for p50/p95/p99 of sandbox start and exec times.
 */
final class LatencyHistogram {

  private static final int SUB = 8;
  private static final int BUCKETS = 36 * SUB;
  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong max = new AtomicLong();
  private final AtomicLong total = new AtomicLong();

  void record(Duration d) {
    long micros = Math.max(1, d.toNanos() / 1000);
    counts.incrementAndGet(bucket(micros));
    total.incrementAndGet();
    max.accumulateAndGet(micros, Math::max);
  }

  static int bucket(long micros) {
    double log = Math.log(micros) / Math.log(2);
    return (int) Math.min(BUCKETS - 1, Math.max(0, Math.floor(log * SUB)));
  }

  /** The upper bound of a bucket, in microseconds. */
  static long upper(int bucket) {
    return (long) Math.ceil(Math.pow(2, (bucket + 1) / (double) SUB));
  }

  Latency snapshot() {
    long n = total.get();
    if (n == 0) {
      return new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }
    long m = max.get();
    return new Latency(n, at(n, 0.50, m), at(n, 0.95, m), at(n, 0.99, m), Duration.ofNanos(m * 1000));
  }

  private Duration at(long n, double q, long maxMicros) {
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return Duration.ofNanos(Math.min(upper(i), maxMicros) * 1000);
      }
    }
    return Duration.ofNanos(maxMicros * 1000);
  }
}
