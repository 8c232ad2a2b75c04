package dev.strata.sandbox.linux;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.spi.OutputCollector;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs one runtime process ({@code runc exec}, {@code bwrap}) for a command: feeds stdin, collects
 * stdout and stderr apart and capped, and on timeout or too much output has the whole process
 * tree killed. The driver decides what "the whole tree" is.
 */
final class ExecRunner {

  /** Why the sandbox stopped a payload. */
  enum Stop {
    NONE,
    TIMEOUT,
    OUTPUT
  }

  /** Kills everything the command started; called at most once per reason. */
  interface TreeKiller {
    void kill(Process runtimeProcess);
  }

  /** How the runtime process ended. */
  record Outcome(int exitCode, byte[] stdout, byte[] stderr, Stop stop, Duration duration) {}

  private static final ExecutorService PUMPS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "strata-linux-io");
            t.setDaemon(true);
            return t;
          });

  private ExecRunner() {}

  static Outcome run(
      ProcessBuilder pb, Command command, long maxOutputBytes, Duration timeout, TreeKiller killer)
      throws IOException {
    pb.redirectInput(
        command.hasStdin() ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
    pb.redirectError(ProcessBuilder.Redirect.PIPE);

    AtomicReference<Stop> stop = new AtomicReference<>(Stop.NONE);
    AtomicReference<@Nullable Process> proc = new AtomicReference<>();
    Runnable onOverflow =
        () -> {
          Process p = proc.get();
          if (p != null && stop.compareAndSet(Stop.NONE, Stop.OUTPUT)) {
            killer.kill(p);
          }
        };
    OutputCollector out =
        new OutputCollector(maxOutputBytes, command.stdoutSink().orElse(null), onOverflow);
    OutputCollector err =
        new OutputCollector(maxOutputBytes, command.stderrSink().orElse(null), onOverflow);

    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Process p = pb.start();
    proc.set(p);
    CountDownLatch drained = new CountDownLatch(2);
    PUMPS.execute(() -> pump(p.getInputStream(), out, drained));
    PUMPS.execute(() -> pump(p.getErrorStream(), err, drained));
    if (command.hasStdin()) {
      PUMPS.execute(() -> feed(command.openStdin(), p.getOutputStream()));
    }
    try {
      boolean exited = p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!exited && stop.compareAndSet(Stop.NONE, Stop.TIMEOUT)) {
        killer.kill(p);
      }
      if (!exited) {
        // the tree is dead: the runtime process follows at once
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor();
        }
      }
      // Background children can hold stdout open after the command itself ended.
      if (!drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        if (stop.compareAndSet(Stop.NONE, Stop.TIMEOUT)) {
          killer.kill(p);
        }
        drained.await(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      stop.compareAndSet(Stop.NONE, Stop.TIMEOUT);
      killer.kill(p);
      Thread.currentThread().interrupt();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    int code = p.isAlive() ? -1 : p.exitValue();
    return new Outcome(code, out.bytes(), err.bytes(), stop.get(), took);
  }

  private static void pump(InputStream in, OutputStream to, CountDownLatch done) {
    byte[] buf = new byte[16384];
    try (in) {
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

  private static void feed(InputStream from, OutputStream stdin) {
    try (from;
        stdin) {
      from.transferTo(stdin);
    } catch (IOException e) {
      // the payload stopped reading (exited, or closed stdin): not an error
    }
  }
}
