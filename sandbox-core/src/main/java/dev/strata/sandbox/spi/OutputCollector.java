package dev.strata.sandbox.spi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * One of a command's output streams: collected into memory, or passed on to a sink, and capped at
 * a byte limit either way. Past the limit the rest is dropped and {@link #overflowed()} turns
 * true; the backend then stops the payload and reports {@link
 * dev.strata.sandbox.ExecStatus#OUTPUT_LIMIT}. Thread-safe.
 */
public final class OutputCollector extends OutputStream {

  private final long limit;
  private final @Nullable OutputStream sink;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final @Nullable Runnable onOverflow;
  private long written;
  private boolean overflowed;

  /**
   * @param limit bytes accepted before the stream counts as overflowed
   * @param sink where to pass the bytes on; null to collect them
   * @param onOverflow called once, on the writing thread, when the limit is first passed
   */
  public OutputCollector(long limit, @Nullable OutputStream sink, @Nullable Runnable onOverflow) {
    this.limit = limit;
    this.sink = sink;
    this.onOverflow = onOverflow;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    boolean fire = false;
    synchronized (this) {
      if (overflowed) {
        return;
      }
      long room = limit - written;
      int take = (int) Math.min(room, len);
      if (take > 0) {
        emit(b, off, take);
        written += take;
      }
      if (take < len) {
        overflowed = true;
        fire = true;
      }
    }
    if (fire && onOverflow != null) {
      onOverflow.run();
    }
  }

  private void emit(byte[] b, int off, int len) {
    if (sink == null) {
      buffer.write(b, off, len);
      return;
    }
    try {
      sink.write(b, off, len);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void flush() {
    if (sink != null) {
      try {
        sink.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Whether more than the limit was written. */
  public synchronized boolean overflowed() {
    return overflowed;
  }

  /** Bytes accepted so far (at most the limit). */
  public synchronized long written() {
    return written;
  }

  /** What was collected; empty when a sink took the bytes. */
  public synchronized byte[] bytes() {
    return buffer.toByteArray();
  }
}
