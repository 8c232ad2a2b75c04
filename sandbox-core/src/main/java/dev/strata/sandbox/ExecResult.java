package dev.strata.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a command ended and what it wrote. What the payload did (a non-zero exit, a trap, a timeout,
 * running out of memory) is reported here, never thrown.
 */
public final class ExecResult {

  private final ExecStatus status;
  private final int exitCode;
  private final byte[] stdout;
  private final byte[] stderr;
  private final Duration duration;
  private final @Nullable String message;
  private final ResourceUsage usage;

  /**
   * @param status how the command ended
   * @param exitCode the exit code for {@link ExecStatus#EXITED}, otherwise -1
   * @param stdout collected stdout (empty when streamed)
   * @param stderr collected stderr (empty when streamed)
   * @param duration wall-clock time from start to end
   * @param message why the sandbox stopped the payload (the trap message, the limit hit), if it did
   * @param usage what the command consumed, where known
   */
  public ExecResult(
      ExecStatus status,
      int exitCode,
      byte[] stdout,
      byte[] stderr,
      Duration duration,
      @Nullable String message,
      ResourceUsage usage) {
    this.status = Objects.requireNonNull(status, "status");
    this.exitCode = status == ExecStatus.EXITED ? exitCode : -1;
    this.stdout = stdout.clone();
    this.stderr = stderr.clone();
    this.duration = Objects.requireNonNull(duration, "duration");
    this.message = message;
    this.usage = Objects.requireNonNull(usage, "usage");
  }

  public ExecStatus status() {
    return status;
  }

  /** The payload's exit code when {@link #status()} is {@code EXITED}, otherwise -1. */
  public int exitCode() {
    return exitCode;
  }

  /** True when the payload exited by itself with code 0. */
  public boolean isSuccess() {
    return status == ExecStatus.EXITED && exitCode == 0;
  }

  public byte[] stdout() {
    return stdout.clone();
  }

  public byte[] stderr() {
    return stderr.clone();
  }

  /** Stdout decoded as UTF-8. */
  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  /** Stderr decoded as UTF-8. */
  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  public Duration duration() {
    return duration;
  }

  /** Why the sandbox stopped the payload, or the trap's message; null when it simply exited. */
  public @Nullable String message() {
    return message;
  }

  public ResourceUsage usage() {
    return usage;
  }

  @Override
  public String toString() {
    return "ExecResult{"
        + status
        + (status == ExecStatus.EXITED ? " " + exitCode : "")
        + ", "
        + duration.toMillis()
        + " ms, stdout="
        + stdout.length
        + " B, stderr="
        + stderr.length
        + " B"
        + (message == null ? "" : ", message=" + message)
        + '}';
  }
}
