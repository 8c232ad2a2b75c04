package dev.strata.sandbox.linux;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's side of the two pipes to {@link InitBinary} in a container: requests go down PID 1's
 * stdin (whose only writer is this JVM: the container's lifeline), records come back on its
 * stdout. See {@code src/main/c/strata-init.c} for the format.
 */
final class AgentChannel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentChannel.class);
  private static final int STARTED = 1;
  private static final int EXITED = 2;
  private static final int FAILED = 3;

  /** One command's replies: its pid inside (or an errno), then its wait status. */
  static final class Call {
    final CompletableFuture<Integer> started = new CompletableFuture<>();
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
  }

  /** A start failure the agent reported: fork or its own limits. */
  static final class StartFailedException extends IOException {
    private static final long serialVersionUID = 1L;
    final int errno;

    StartFailedException(int errno) {
      super("PID 1 could not start the command: errno " + errno + (errno == 11 ? " (EAGAIN: the process limit is reached)" : ""));
      this.errno = errno;
    }
  }

  private final int requestFd;
  private final Map<Integer, Call> calls = new ConcurrentHashMap<>();
  private final Thread reader;
  private volatile boolean closed;
  private volatile boolean broken;

  /**
   * @param requestFd write end of PID 1's stdin
   * @param responseFd read end of PID 1's stdout; this channel takes it over
   */
  AgentChannel(String name, int requestFd, int responseFd) throws IOException {
    this.requestFd = requestFd;
    // a stream of our own over the pipe: reopen it through /proc, then drop the raw fd
    FileInputStream in = new FileInputStream(new File("/proc/self/fd/" + responseFd));
    Posix.close(responseFd);
    this.reader = new Thread(() -> readLoop(new DataInputStream(in)), "strata-linux-agent-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Whether PID 1 stopped answering (the container died). */
  boolean broken() {
    return broken;
  }

  /** Sends one command; the returned call completes as PID 1 replies. */
  Call send(int id, String cwd, List<String> fifos, List<String> argv, Map<String, String> env) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    head.putInt(id).putInt(argv.size()).putInt(env.size());
    body.writeBytes(head.array());
    cstring(body, cwd);
    fifos.forEach(f -> cstring(body, f));
    argv.forEach(a -> cstring(body, a));
    env.forEach((k, v) -> cstring(body, k + "=" + v));
    if (body.size() > (1 << 20) - 1) {
      throw new IOException("the command's argv and environment take " + body.size() + " bytes; at most 1 MiB fits");
    }
    ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(body.size());
    Call call = new Call();
    calls.put(id, call);
    if (broken) {
      calls.remove(id);
      throw new EOFException("PID 1 of the sandbox is gone");
    }
    byte[] msg = new byte[4 + body.size()];
    System.arraycopy(len.array(), 0, msg, 0, 4);
    System.arraycopy(body.toByteArray(), 0, msg, 4, body.size());
    synchronized (this) {
      if (closed) {
        throw new IOException("closed");
      }
      Posix.writeFully(requestFd, msg);
    }
    return call;
  }

  void forget(int id) {
    calls.remove(id);
  }

  private static void cstring(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }

  private void readLoop(DataInputStream in) {
    byte[] rec = new byte[12];
    try (in) {
      while (true) {
        in.readFully(rec);
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.nativeOrder());
        int type = b.getInt();
        int id = b.getInt();
        int value = b.getInt();
        Call call = calls.get(id);
        if (call == null) {
          continue;
        }
        switch (type) {
          case STARTED -> call.started.complete(value);
          case EXITED -> {
            call.started.complete(-1);
            call.exited.complete(value);
          }
          case FAILED -> call.started.completeExceptionally(new StartFailedException(value));
          default -> LOG.warn("unknown record {} from PID 1", type);
        }
      }
    } catch (IOException e) {
      // end-of-file: PID 1 exited (the container was closed or killed)
    } finally {
      broken = true;
      EOFException gone = new EOFException("PID 1 of the sandbox is gone");
      calls.values().forEach(c -> {
        c.started.completeExceptionally(gone);
        c.exited.completeExceptionally(gone);
      });
    }
  }

  /** Closes the lifeline: PID 1 reads end-of-file and exits, and with it the container. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Posix.close(requestFd);
    }
  }
}
