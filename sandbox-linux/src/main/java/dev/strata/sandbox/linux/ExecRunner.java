package dev.strata.sandbox.linux;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.spi.OutputCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one launched command to its end: feeds stdin, collects stdout and stderr apart and capped,
 * and on timeout or too much output has the whole process tree killed. The launch (the agent in
 * PID 1, or a {@code runc exec} process) decides how streams open and what "the whole tree" is.
 */
final class ExecRunner {

  /** Why the sandbox stopped a payload. */
  enum Stop {
    NONE,
    TIMEOUT,
    OUTPUT
  }

  /** One started command, seen from the JVM. */
  interface Launch {
    /** May block until the payload opens its end. */
    InputStream openStdout() throws IOException;

    InputStream openStderr() throws IOException;

    OutputStream openStdin() throws IOException;

    /** Waits up to {@code nanos} for the command itself to end; true when it did. */
    boolean waitFor(long nanos) throws InterruptedException;

    /** Called once the command ended: release streams still waiting to open. */
    void ended();

    /** Kills the command and everything it started. */
    void killTree();
  }

  /** How it went. */
  record Outcome(byte[] stdout, byte[] stderr, Stop stop, Duration duration, boolean ended) {}

  private static final ExecutorService PUMPS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "strata-linux-io");
            t.setDaemon(true);
            return t;
          });

  private ExecRunner() {}

  static Outcome run(Launch launch, Command command, long maxOutputBytes, Duration timeout, long startNanos) {
    AtomicReference<Stop> stop = new AtomicReference<>(Stop.NONE);
    AtomicBoolean killed = new AtomicBoolean();
    Runnable kill =
        () -> {
          if (killed.compareAndSet(false, true)) {
            launch.killTree();
          }
        };
    Runnable onOverflow =
        () -> {
          if (stop.compareAndSet(Stop.NONE, Stop.OUTPUT)) {
            kill.run();
          }
        };
    OutputCollector out =
        new OutputCollector(maxOutputBytes, command.stdoutSink().orElse(null), onOverflow);
    OutputCollector err =
        new OutputCollector(maxOutputBytes, command.stderrSink().orElse(null), onOverflow);

    long deadline = startNanos + timeout.toNanos();
    CountDownLatch drained = new CountDownLatch(2);
    PUMPS.execute(() -> pump(launch::openStdout, out, drained));
    PUMPS.execute(() -> pump(launch::openStderr, err, drained));
    PUMPS.execute(() -> feed(command, launch));
    boolean ended = false;
    try {
      ended = launch.waitFor(Math.max(0, deadline - System.nanoTime()));
      if (!ended) {
        stop.compareAndSet(Stop.NONE, Stop.TIMEOUT);
        kill.run();
        ended = launch.waitFor(TimeUnit.SECONDS.toNanos(10));
      }
      launch.ended();
      // Background children can hold stdout open after the command itself ended.
      if (!drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        stop.compareAndSet(Stop.NONE, Stop.TIMEOUT);
        kill.run();
        drained.await(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      stop.compareAndSet(Stop.NONE, Stop.TIMEOUT);
      kill.run();
      launch.ended();
      Thread.currentThread().interrupt();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    return new Outcome(out.bytes(), err.bytes(), stop.get(), took, ended);
  }

  private interface Opener<T> {
    T open() throws IOException;
  }

  private static void pump(Opener<InputStream> opener, OutputStream to, CountDownLatch done) {
    byte[] buf = new byte[16384];
    try (InputStream in = opener.open()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        to.write(buf, 0, n);
      }
    } catch (IOException | RuntimeException e) {
      // the stream closed under us (the process was killed) or the user's sink failed
    } finally {
      done.countDown();
    }
  }

  private static void feed(Command command, Launch launch) {
    try (OutputStream stdin = launch.openStdin()) {
      if (command.hasStdin()) {
        try (InputStream from = command.openStdin()) {
          from.transferTo(stdin);
        }
      }
    } catch (IOException e) {
      // the payload stopped reading (exited, or closed stdin): not an error
    }
  }
}
