package dev.strata.sandbox.pool;

import dev.strata.sandbox.CapacityExceededException;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import dev.strata.sandbox.internal.ManagedSandbox;
import dev.strata.sandbox.spi.Resettable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-warmed sandboxes of one spec. {@link #acquire()} hands out a warm one when there is one (a
 * cold one otherwise, up to the maximum size); closing the {@link Lease} gives it back, and the
 * pool resets it (backends that implement {@link Resettable}) or replaces it with a fresh one,
 * in the background, before anyone else gets it. Nothing a user did is seen by the next user.
 *
 * <pre>{@code
 * try (SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(4).withMaxSize(32).build()) {
 *   try (SandboxPool.Lease lease = pool.acquire()) {
 *     ExecResult r = lease.exec(Command.of("/functions/resize.wasm"));
 *   }
 * }
 * }</pre>
 *
 * <p>A background thread keeps {@code minIdle} sandboxes warm and closes idle ones past {@code
 * idleExpiry} (down to {@code minIdle}). Callers never wait for the refill: when nothing is idle
 * and the pool is below its maximum, the caller creates a sandbox itself.
 */
public final class SandboxPool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SandboxPool.class);

  private final SandboxFactory factory;
  private final SandboxSpec spec;
  private final String name;
  private final int minIdle;
  private final int maxSize;
  private final Duration idleExpiry;
  private final Duration acquireTimeout;
  private final ScheduledExecutorService maintenance;

  private final Object lock = new Object();
  private final Deque<Idle> idle = new ArrayDeque<>();
  private int leased;
  private int starting;
  private int waiting;
  private long created;
  private long reused;
  private long discarded;
  private boolean closed;

  private record Idle(Sandbox sandbox, long sinceNanos) {}

  private SandboxPool(Builder b) {
    this.factory = b.factory;
    this.spec = b.spec;
    this.name = b.name;
    this.minIdle = b.minIdle;
    this.maxSize = b.maxSize;
    this.idleExpiry = b.idleExpiry;
    this.acquireTimeout = b.acquireTimeout;
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "strata-pool-" + name);
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(50, Math.min(1000, idleExpiry.toMillis() / 4));
    maintenance.scheduleWithFixedDelay(this::maintain, 0, period, TimeUnit.MILLISECONDS);
  }

  /** A pool of sandboxes made by {@code factory} from {@code spec}. */
  public static Builder builder(SandboxFactory factory, SandboxSpec spec) {
    return new Builder(factory, spec);
  }

  /** Leases a sandbox, waiting up to the pool's acquire timeout. */
  public Lease acquire() {
    return acquire(acquireTimeout);
  }

  /**
   * Leases a sandbox: a warm one if any is idle, else a new one if the pool is below its maximum,
   * else waits for a release.
   *
   * @throws CapacityExceededException if none could be had within {@code timeout}
   * @throws SandboxException if creating a new one failed
   */
  public Lease acquire(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        if (closed) {
          throw new IllegalStateException("pool " + name + " is closed");
        }
        Idle warm = idle.pollLast();
        if (warm != null) {
          leased++;
          return new Lease(warm.sandbox(), true);
        }
        if (leased + starting < maxSize) {
          starting++;
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new CapacityExceededException(
              "pool "
                  + name
                  + " is exhausted: all "
                  + maxSize
                  + " sandboxes are leased or starting, waited "
                  + timeout.toMillis()
                  + " ms. Fix: release leases sooner, or raise withMaxSize.");
        }
        waiting++;
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CapacityExceededException("interrupted while waiting for pool " + name);
        } finally {
          waiting--;
        }
      }
    }
    // below the maximum and nothing warm: a cold start on the caller's thread
    Sandbox fresh;
    try {
      fresh = factory.create(spec);
    } catch (RuntimeException e) {
      synchronized (lock) {
        starting--;
        lock.notifyAll();
      }
      throw e;
    }
    synchronized (lock) {
      starting--;
      created++;
      leased++;
    }
    return new Lease(fresh, false);
  }

  public PoolStats stats() {
    synchronized (lock) {
      return new PoolStats(idle.size(), leased, starting, waiting, created, reused, discarded);
    }
  }

  public SandboxSpec spec() {
    return spec;
  }

  /**
   * Closes the idle sandboxes and those being reset or warmed, waiting for a warm-up under way to
   * finish; leased ones are closed as they come back.
   */
  @Override
  public void close() {
    Deque<Idle> toClose;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
      lock.notifyAll();
    }
    // queued recycles still run (they see the pool closed and close their sandbox); the periodic
    // refill stops; a create under way finishes and is closed
    maintenance.shutdown();
    try {
      if (!maintenance.awaitTermination(2, TimeUnit.MINUTES)) {
        LOG.warn("pool {}: maintenance did not stop within 2 minutes; interrupting it", name);
        maintenance.shutdownNow();
      }
    } catch (InterruptedException e) {
      maintenance.shutdownNow();
      Thread.currentThread().interrupt();
    }
    toClose.forEach(i -> i.sandbox().close());
  }

  private void giveBack(Sandbox sandbox, boolean discard) {
    boolean poolClosed;
    synchronized (lock) {
      leased--;
      poolClosed = closed;
      if (!poolClosed) {
        starting++; // being reset: counts against the maximum until it is idle again
      }
      lock.notifyAll();
    }
    if (poolClosed) {
      sandbox.close();
      return;
    }
    try {
      maintenance.execute(() -> recycle(sandbox, discard));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      synchronized (lock) {
        starting--;
      }
      sandbox.close();
    }
  }

  /** On the maintenance thread: reset and return to idle, or close and let refill replace it. */
  private void recycle(Sandbox sandbox, boolean discard) {
    boolean ok = false;
    if (!discard && sandbox.state() != SandboxState.FAILED && sandbox.state() != SandboxState.CLOSED) {
      Sandbox inner = sandbox instanceof ManagedSandbox m ? m.delegate() : sandbox;
      if (inner instanceof Resettable r) {
        try {
          r.reset();
          ok = true;
        } catch (RuntimeException e) {
          LOG.info("pool {}: resetting {} failed, replacing it: {}", name, sandbox.id(), e.getMessage());
        }
      }
    }
    synchronized (lock) {
      starting--;
      if (ok && !closed) {
        idle.addLast(new Idle(sandbox, System.nanoTime()));
        reused++;
        lock.notifyAll();
        return;
      }
      discarded++;
      lock.notifyAll();
    }
    sandbox.close();
    maintain();
  }

  /** Refill to minIdle and expire idle sandboxes; runs on the maintenance thread. */
  private void maintain() {
    try {
      expire();
      while (true) {
        synchronized (lock) {
          if (closed || idle.size() + starting >= minIdle || leased + idle.size() + starting >= maxSize) {
            return;
          }
          starting++;
        }
        Sandbox fresh;
        try {
          fresh = factory.create(spec);
        } catch (RuntimeException e) {
          boolean closing;
          synchronized (lock) {
            starting--;
            closing = closed;
          }
          if (closing) {
            LOG.debug("pool {}: warming stopped by close: {}", name, e.getMessage());
          } else {
            LOG.warn("pool {}: warming a sandbox failed: {}", name, e.getMessage());
          }
          return;
        }
        boolean keep;
        synchronized (lock) {
          starting--;
          created++;
          keep = !closed;
          if (keep) {
            idle.addLast(new Idle(fresh, System.nanoTime()));
            lock.notifyAll();
          }
        }
        if (!keep) {
          fresh.close();
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("pool {}: maintenance failed", name, e);
    }
  }

  private void expire() {
    long now = System.nanoTime();
    Deque<Sandbox> expired = new ArrayDeque<>();
    synchronized (lock) {
      while (idle.size() > minIdle) {
        Idle oldest = idle.peekFirst();
        if (oldest == null || now - oldest.sinceNanos() < idleExpiry.toNanos()) {
          break;
        }
        idle.pollFirst();
        discarded++;
        expired.add(oldest.sandbox());
      }
    }
    expired.forEach(Sandbox::close);
  }

  /**
   * One sandbox on loan. Closing the lease gives the sandbox back (never closes it); {@link
   * #discard()} gives it back as unusable.
   */
  public final class Lease implements AutoCloseable {
    private final Sandbox sandbox;
    private final boolean warm;
    private final AtomicBoolean returned = new AtomicBoolean();

    private Lease(Sandbox sandbox, boolean warm) {
      this.sandbox = sandbox;
      this.warm = warm;
    }

    /** True when the sandbox was waiting warm in the pool; false when this acquire created it. */
    public boolean warm() {
      return warm;
    }

    /** The leased sandbox; do not close it yourself. */
    public Sandbox sandbox() {
      if (returned.get()) {
        throw new IllegalStateException("this lease of " + sandbox.id() + " was returned");
      }
      return sandbox;
    }

    /** Runs a command in the leased sandbox. */
    public ExecResult exec(Command command) {
      return sandbox().exec(command);
    }

    /** Gives the sandbox back to be closed rather than reused. */
    public void discard() {
      if (returned.compareAndSet(false, true)) {
        giveBack(sandbox, true);
      }
    }

    /** Gives the sandbox back; the pool resets or replaces it before the next lease. */
    @Override
    public void close() {
      if (returned.compareAndSet(false, true)) {
        giveBack(sandbox, false);
      }
    }
  }

  /** Configures a {@link SandboxPool}. */
  public static final class Builder {
    private final SandboxFactory factory;
    private final SandboxSpec spec;
    private String name = "pool";
    private int minIdle = 1;
    private int maxSize = 16;
    private Duration idleExpiry = Duration.ofMinutes(5);
    private Duration acquireTimeout = Duration.ofSeconds(30);

    private Builder(SandboxFactory factory, SandboxSpec spec) {
      this.factory = Objects.requireNonNull(factory, "factory");
      this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** A name for logs and thread names. */
    public Builder withName(String name) {
      this.name = Objects.requireNonNull(name);
      return this;
    }

    /** Sandboxes kept warm and idle (default 1). */
    public Builder withMinIdle(int minIdle) {
      this.minIdle = minIdle;
      return this;
    }

    /** The most sandboxes the pool holds, leased, idle and starting together (default 16). */
    public Builder withMaxSize(int maxSize) {
      this.maxSize = maxSize;
      return this;
    }

    /** How long a sandbox above {@code minIdle} may stay idle before it is closed (default 5 min). */
    public Builder withIdleExpiry(Duration idleExpiry) {
      this.idleExpiry = Objects.requireNonNull(idleExpiry);
      return this;
    }

    /** How long {@link SandboxPool#acquire()} waits when the pool is exhausted (default 30 s). */
    public Builder withAcquireTimeout(Duration acquireTimeout) {
      this.acquireTimeout = Objects.requireNonNull(acquireTimeout);
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the bad value and the allowed range
     */
    public SandboxPool build() {
      if (maxSize < 1) {
        throw new IllegalArgumentException("maxSize (" + maxSize + ") must be at least 1");
      }
      if (minIdle < 0 || minIdle > maxSize) {
        throw new IllegalArgumentException(
            "minIdle (" + minIdle + ") must be between 0 and maxSize (" + maxSize + ")");
      }
      if (idleExpiry.isNegative() || idleExpiry.isZero()) {
        throw new IllegalArgumentException("idleExpiry (" + idleExpiry + ") must be positive");
      }
      if (acquireTimeout.isNegative()) {
        throw new IllegalArgumentException("acquireTimeout (" + acquireTimeout + ") must not be negative");
      }
      return new SandboxPool(this);
    }
  }
}
