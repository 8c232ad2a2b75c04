package dev.strata.sandbox.spi;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxClosedException;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFailedException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import dev.strata.sandbox.SandboxStats;
import dev.strata.sandbox.internal.AsyncExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping every backend needs: id, state, counters, idempotent close, async exec. A
 * backend implements {@link #doExec} and {@link #doClose}.
 */
public abstract class AbstractSandbox implements Sandbox {

  private static final Logger LOG = LoggerFactory.getLogger(AbstractSandbox.class);

  private final String id;
  private final String backend;
  private final IsolationLevel level;
  private final SandboxSpec spec;
  private final Instant createdAt = Instant.now();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong execCount = new AtomicLong();
  private final AtomicLong busyNanos = new AtomicLong();
  private volatile boolean failed;
  private volatile @Nullable String lastError;

  protected AbstractSandbox(String id, String backend, IsolationLevel level, SandboxSpec spec) {
    this.id = Objects.requireNonNull(id);
    this.backend = Objects.requireNonNull(backend);
    this.level = Objects.requireNonNull(level);
    this.spec = Objects.requireNonNull(spec);
  }

  /** Runs one command; called only while the sandbox is open. */
  protected abstract ExecResult doExec(Command command);

  /** Releases everything; called once. Should not throw, but what it throws is logged. */
  protected abstract void doClose();

  /** What the sandbox costs the host now, in bytes, or null if unknown. */
  protected @Nullable Long memoryBytes() {
    return null;
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final String backend() {
    return backend;
  }

  @Override
  public final IsolationLevel isolationLevel() {
    return level;
  }

  @Override
  public final SandboxSpec spec() {
    return spec;
  }

  @Override
  public SandboxState state() {
    if (closed.get()) {
      return SandboxState.CLOSED;
    }
    if (failed) {
      return SandboxState.FAILED;
    }
    return running.get() > 0 ? SandboxState.RUNNING : SandboxState.IDLE;
  }

  /** Whether {@link #close()} has begun. */
  protected final boolean isClosed() {
    return closed.get();
  }

  /** Marks the sandbox broken: later commands fail with {@link SandboxFailedException}. */
  protected final void markFailed(String why) {
    failed = true;
    lastError = why;
  }

  @Override
  public final ExecResult exec(Command command) {
    Objects.requireNonNull(command, "command");
    if (closed.get()) {
      throw new SandboxClosedException(id);
    }
    if (failed) {
      throw new SandboxFailedException("sandbox " + id + " has failed (" + lastError + "): close it and create a new one");
    }
    running.incrementAndGet();
    long start = System.nanoTime();
    try {
      return doExec(command);
    } catch (SandboxException e) {
      if (!(e instanceof dev.strata.sandbox.InvalidProgramException)) {
        lastError = e.getMessage();
      }
      throw e;
    } finally {
      busyNanos.addAndGet(System.nanoTime() - start);
      execCount.incrementAndGet();
      running.decrementAndGet();
    }
  }

  @Override
  public CompletableFuture<ExecResult> execAsync(Command command) {
    return CompletableFuture.supplyAsync(() -> exec(command), AsyncExecutor.get());
  }

  @Override
  public SandboxStats stats() {
    Long memory = null;
    if (!closed.get()) {
      try {
        memory = memoryBytes();
      } catch (RuntimeException e) {
        LOG.debug("memory of {} unknown", id, e);
      }
    }
    return new SandboxStats(
        createdAt, execCount.get(), Duration.ofNanos(busyNanos.get()), memory, lastError);
  }

  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      doClose();
    } catch (RuntimeException e) {
      LOG.warn("closing sandbox {} failed; some resources may be left: {}", id, e.toString(), e);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + id + ", " + state() + "]";
  }
}
