package dev.strata.sandbox.wasm;

import dev.strata.sandbox.CapacityExceededException;
import dev.strata.sandbox.SandboxException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where guest code runs: a bounded pool of daemon threads with big stacks, never the caller's
 * thread, and a deadline watched by {@link CallerWatch} (checked every millisecond). The pool size comes from {@value
 * #THREADS_PROPERTY} (default: 4 per core, at least 8); at most {@value #QUEUE} runs wait for a
 * thread, more are refused with {@link CapacityExceededException}.
 */
final class GuestRunner {

  static final String THREADS_PROPERTY = "strata.wasm.threads";
  private static final int QUEUE = 10_000;
  private static final long STACK_BYTES = 16L << 20;

  private static final GuestRunner GLOBAL = new GuestRunner();

  private final ThreadPoolExecutor pool;

  private GuestRunner() {
    int threads =
        Integer.getInteger(
            THREADS_PROPERTY, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    AtomicInteger n = new AtomicInteger();
    pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(null, r, "strata-wasm-" + n.incrementAndGet(), STACK_BYTES);
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  static GuestRunner global() {
    return GLOBAL;
  }

  /**
   * The state of one guest run, shared by the worker, the watchdog and the interpreter's listener.
   */
  static final class Run {
    final long fuelLimit;
    final CallerWatch watch = new CallerWatch();
    volatile boolean killed;
    /** Closed when the guest overstays its deadline: a read blocked on it may not heed interrupts. */
    volatile @Nullable AutoCloseable input;
    volatile @Nullable Thread worker;
    private boolean done;
    long fuel;
    int tick;

    Run(long fuelLimit) {
      this.fuelLimit = fuelLimit;
      this.fuel = fuelLimit;
    }

    /** Whether the guest must stop now (checked by the interpreter listener). */
    boolean stopRequested() {
      return !watch.running() || killed || Thread.currentThread().isInterrupted();
    }

    /** Whether the deadline passed; valid while the guest's code is still on the stack. */
    boolean timedOut() {
      return watch.expired();
    }

    synchronized void stop() {
      if (done) {
        return;
      }
      killed = true;
      Thread w = worker;
      if (w != null) {
        w.interrupt();
      }
    }

    synchronized void finish() {
      done = true;
      worker = null;
      // an interrupt aimed at this run must not reach the pool thread's next task
      Thread.interrupted();
    }
  }

  /**
   * Runs {@code body} on a pool thread with a deadline, waiting for its end.
   *
   * @throws CapacityExceededException if too many runs are already waiting
   */
  <T> T run(Run run, Duration timeout, Function<Run, T> body) {
    Future<T> future;
    try {
      future =
          pool.submit(
              () -> {
                synchronized (run) {
                  run.worker = Thread.currentThread();
                  if (run.killed) {
                    Thread.currentThread().interrupt();
                  }
                }
                run.watch.register();
                run.watch.begin(timeout.toNanos());
                try {
                  return body.apply(run);
                } finally {
                  run.watch.end();
                  run.watch.unregister();
                  run.finish();
                }
              });
    } catch (RejectedExecutionException e) {
      throw new CapacityExceededException(
          "too many WebAssembly runs are waiting for a thread ("
              + QUEUE
              + " queued): slow down, or raise -D"
              + THREADS_PROPERTY);
    }
    boolean interrupted = false;
    boolean inputClosed = false;
    try {
      while (true) {
        try {
          return future.get(250, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // stopped but not yet back: probably blocked in an uninterruptible read of stdin
          if (!inputClosed && (run.timedOut() || run.killed) && run.input != null) {
            inputClosed = true;
            try {
              run.input.close();
            } catch (Exception closeFailed) {
              // nothing more to try: the guest unwinds when its read returns
            }
          }
        } catch (InterruptedException e) {
          // the caller gave up: stop the guest, then still wait for the worker to let go
          interrupted = true;
          run.stop();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
          }
          if (cause instanceof Error) {
            throw (Error) cause;
          }
          throw new SandboxException("WebAssembly run failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
