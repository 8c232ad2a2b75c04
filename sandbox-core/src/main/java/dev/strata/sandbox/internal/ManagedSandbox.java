package dev.strata.sandbox.internal;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxListener;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import dev.strata.sandbox.SandboxStats;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the factory hands out: the backend's sandbox with feedback added (listeners and JFR
 * events), so that no backend has to remember them.
 */
public final class ManagedSandbox implements Sandbox {

  private static final Logger LOG = LoggerFactory.getLogger(ManagedSandbox.class);

  private final Sandbox delegate;
  private final List<SandboxListener> listeners;
  private final MetricsRecorder metrics;
  private final Runnable onClosed;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param onClosed run once after the delegate closed: releases the budget, leaves the registry
   */
  public ManagedSandbox(
      Sandbox delegate, List<SandboxListener> listeners, MetricsRecorder metrics, Runnable onClosed) {
    this.delegate = delegate;
    this.listeners = List.copyOf(listeners);
    this.metrics = metrics;
    this.onClosed = onClosed;
  }

  /** The backend's own sandbox, for code that needs its extra methods (a plugin API). */
  public Sandbox delegate() {
    return delegate;
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public IsolationLevel isolationLevel() {
    return delegate.isolationLevel();
  }

  @Override
  public String backend() {
    return delegate.backend();
  }

  @Override
  public SandboxSpec spec() {
    return delegate.spec();
  }

  @Override
  public SandboxState state() {
    return delegate.state();
  }

  @Override
  public ExecResult exec(Command command) {
    SandboxEvents.Exec event = new SandboxEvents.Exec();
    event.begin();
    try {
      ExecResult result = delegate.exec(command);
      event.status = result.status().name();
      event.exitCode = result.exitCode();
      metrics.executed(isolationLevel(), result.status(), result.duration());
      notifyListeners(l -> l.executed(this, command, result));
      return result;
    } catch (SandboxException e) {
      event.status = "ERROR";
      event.exitCode = -1;
      event.error = e.getMessage();
      metrics.failed(isolationLevel(), e);
      notifyListeners(l -> l.execFailed(this, command, e));
      throw e;
    } finally {
      event.end();
      if (event.shouldCommit()) {
        event.sandboxId = id();
        event.backend = backend();
        event.program = command.argv().get(0);
        event.commit();
      }
    }
  }

  @Override
  public CompletableFuture<ExecResult> execAsync(Command command) {
    return CompletableFuture.supplyAsync(() -> exec(command), AsyncExecutor.get());
  }

  @Override
  public <T> java.util.Optional<T> unwrap(Class<T> type) {
    return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : delegate.unwrap(type);
  }

  @Override
  public SandboxStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    SandboxEvents.Close event = new SandboxEvents.Close();
    event.begin();
    try {
      delegate.close();
    } finally {
      try {
        onClosed.run();
      } catch (RuntimeException e) {
        LOG.warn("bookkeeping after closing {} failed", id(), e);
      }
      metrics.closed(isolationLevel());
      event.end();
      SandboxStats stats = delegate.stats();
      if (event.shouldCommit()) {
        event.sandboxId = id();
        event.backend = backend();
        event.execCount = stats.execCount();
        event.commit();
      }
      notifyListeners(l -> l.closed(this, stats));
    }
  }

  void notifyListeners(Consumer<SandboxListener> call) {
    for (SandboxListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("sandbox listener {} threw; ignored", l, e);
      }
    }
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
