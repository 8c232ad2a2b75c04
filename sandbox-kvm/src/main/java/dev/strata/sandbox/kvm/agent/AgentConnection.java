package dev.strata.sandbox.kvm.agent;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host end of one VM's agent port: QEMU listens on a Unix socket, this connects to it. A
 * reader thread turns incoming bytes into frames; {@link #exec} runs one command at a time.
 */
public final class AgentConnection implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentConnection.class);
  private static final int STDIN_CHUNK = 64 * 1024;

  private final String name;
  private final SocketChannel channel;
  private final BlockingQueue<Frame> incoming = new LinkedBlockingQueue<>();
  private final Object writeLock = new Object();
  private final Thread reader;
  private volatile boolean closed;
  private volatile @Nullable String endReason;

  private AgentConnection(String name, SocketChannel channel) {
    this.name = name;
    this.channel = channel;
    this.reader = new Thread(this::readLoop, name + "-agent-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Connects to QEMU's socket, waiting for QEMU to create it.
   *
   * @param alive whether QEMU still runs; connecting stops when it does not
   * @throws IOException if the socket did not accept a connection in time
   */
  public static AgentConnection connect(String name, Path socket, Duration timeout, BooleanSupplier alive)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline && alive.getAsBoolean()) {
      if (Files.exists(socket)) {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
          ch.connect(UnixDomainSocketAddress.of(socket));
          return new AgentConnection(name, ch);
        } catch (IOException e) {
          ch.close();
          last = e;
        }
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while connecting to " + socket, e);
      }
    }
    throw new IOException("QEMU's agent socket " + socket + " did not accept a connection"
        + (alive.getAsBoolean() ? " within " + timeout.toMillis() + " ms" : " (QEMU exited)"), last);
  }

  private void readLoop() {
    try {
      while (true) {
        Frame f = Frame.read(channel);
        if (f.type() == Frame.LOG) {
          LOG.warn("agent of {}: {}", name, new String(f.payload(), StandardCharsets.UTF_8));
          continue;
        }
        incoming.add(f);
      }
    } catch (IOException e) {
      if (!closed) {
        endReason = e.getMessage();
        LOG.debug("agent connection of {} ended: {}", name, e.toString());
      }
    } finally {
      incoming.add(Frame.end());
    }
  }

  /**
   * Waits for the agent's READY frame.
   *
   * @return the guest's kernel release
   * @throws AgentException if the connection ended or the time ran out first
   */
  public String awaitReady(Duration timeout) {
    Frame f = next(System.nanoTime() + timeout.toNanos());
    if (f == null) {
      throw new AgentException("the agent did not report ready within " + timeout.toMillis() + " ms");
    }
    if (f.type() != Frame.READY) {
      throw new AgentException(describeUnexpected(f, "READY"));
    }
    return new String(f.payload(), StandardCharsets.UTF_8);
  }

  private String describeUnexpected(Frame f, String wanted) {
    if (f.type() == Frame.END) {
      return "the agent connection ended" + (endReason == null ? "" : " (" + endReason + ")");
    }
    return "the agent sent frame type " + f.type() + " where " + wanted + " was expected";
  }

  private @Nullable Frame next(long deadlineNanos) {
    try {
      long wait = deadlineNanos - System.nanoTime();
      Frame f = incoming.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
      if (f != null && f.type() == Frame.END) {
        incoming.add(f); // stays ended for every later caller
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException("interrupted while waiting for the agent");
    }
  }

  /**
   * Runs one command and streams its output into {@code stdout} and {@code stderr}. Stdin is sent
   * from a helper thread so that a payload that never reads it cannot block the output.
   *
   * @param hostTimeout how long to wait for the agent's EXIT before the VM counts as broken (longer
   *     than the request's own timeout, which the agent enforces)
   * @throws AgentException if the agent stopped answering or the connection ended
   */
  public synchronized ExecOutcome exec(
      ExecRequest request, @Nullable InputStream stdin, OutputStream stdout, OutputStream stderr, Duration hostTimeout) {
    Frame stale;
    while ((stale = incoming.poll()) != null) {
      if (stale.type() == Frame.END) {
        incoming.add(stale);
        throw new AgentException(describeUnexpected(stale, "nothing"));
      }
    }
    send(new Frame(Frame.EXEC, request.encode()));
    Thread pump = null;
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    if (stdin == null) {
      send(new Frame(Frame.STDIN, new byte[0]));
    } else {
      pump = new Thread(() -> pumpStdin(stdin, done), name + "-stdin");
      pump.setDaemon(true);
      pump.start();
    }
    long deadline = System.nanoTime() + hostTimeout.toNanos();
    Exception sinkFailure = null;
    try {
      while (true) {
        Frame f = next(deadline);
        if (f == null) {
          throw new AgentException("the agent did not report the end of " + request.argv().get(0)
              + " within " + hostTimeout.toMillis() + " ms");
        }
        switch (f.type()) {
          case Frame.STDOUT:
          case Frame.STDERR:
            if (sinkFailure == null) {
              try {
                (f.type() == Frame.STDOUT ? stdout : stderr).write(f.payload());
              } catch (IOException | java.io.UncheckedIOException e) {
                // The caller's sink broke: stop the command, but keep the VM in step with the agent.
                sinkFailure = e;
                kill();
              }
            }
            break;
          case Frame.EXIT:
            ExecOutcome outcome = ExecOutcome.decode(f.payload());
            if (sinkFailure != null) {
              throw new OutputSinkException("writing the output of " + request.argv().get(0)
                  + " failed, so the command was killed: " + sinkFailure, sinkFailure);
            }
            return outcome;
          case Frame.READY:
            break; // a repeated announcement: harmless
          default:
            throw new AgentException(describeUnexpected(f, "output or EXIT"));
        }
      }
    } finally {
      // From here on the pump sends nothing: its frames would reach the next command.
      done.set(true);
      if (pump != null) {
        pump.interrupt();
      }
    }
  }

  private void pumpStdin(InputStream stdin, java.util.concurrent.atomic.AtomicBoolean done) {
    byte[] buf = new byte[STDIN_CHUNK];
    try (stdin) {
      int n;
      while (!done.get() && (n = stdin.read(buf)) > 0) {
        sendUnless(done, new Frame(Frame.STDIN, java.util.Arrays.copyOf(buf, n)));
      }
    } catch (IOException | AgentException e) {
      LOG.debug("stdin of {} stopped: {}", name, e.toString());
    }
    try {
      sendUnless(done, new Frame(Frame.STDIN, new byte[0]));
    } catch (AgentException e) {
      LOG.debug("stdin end of {} not sent: {}", name, e.toString());
    }
  }

  private void sendUnless(java.util.concurrent.atomic.AtomicBoolean done, Frame frame) {
    synchronized (writeLock) {
      if (!done.get()) {
        send(frame);
      }
    }
  }

  /** Asks the agent to kill the running command's process group. */
  public void kill() {
    try {
      send(new Frame(Frame.KILL, new byte[0]));
    } catch (AgentException e) {
      LOG.debug("kill not sent to {}: {}", name, e.toString());
    }
  }

  /** Asks the agent to power the VM off; does not wait. */
  public void powerOff() {
    send(new Frame(Frame.POWEROFF, new byte[0]));
  }

  private void send(Frame frame) {
    ByteBuffer b = frame.encode();
    synchronized (writeLock) {
      try {
        while (b.hasRemaining()) {
          channel.write(b);
        }
      } catch (IOException e) {
        throw new AgentException("cannot write to the agent: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing agent socket of {}", name, e);
    }
  }

  /** The caller's output stream failed; the command was killed and the VM is still usable. */
  public static final class OutputSinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputSinkException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The agent stopped answering or the connection ended: the VM is of no further use. */
  public static final class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AgentException(String message) {
      super(message);
    }
  }
}
