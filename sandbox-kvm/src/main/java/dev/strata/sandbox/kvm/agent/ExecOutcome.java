package dev.strata.sandbox.kvm.agent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How the agent says a command ended.
 *
 * @param kind how it ended
 * @param code the exit code for {@link Kind#EXITED}, the signal for {@link Kind#SIGNALED}
 * @param maxRssBytes the payload's peak resident set in the guest (0 if unknown)
 * @param cpuTime user plus system time in the guest
 * @param guestTime wall-clock time measured in the guest
 * @param message the agent's explanation, if any
 */
public record ExecOutcome(
    Kind kind, int code, long maxRssBytes, Duration cpuTime, Duration guestTime, @Nullable String message) {

  /** The agent's status byte. */
  public enum Kind {
    EXITED,
    SIGNALED,
    TIMED_OUT,
    OUT_OF_MEMORY,
    KILLED,
    START_FAILED
  }

  static ExecOutcome decode(byte[] payload) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    int kind = b.get() & 0xff;
    int code = b.getInt();
    long rss = b.getLong();
    long cpuMicros = b.getLong();
    long guestMillis = b.getLong();
    String message = b.hasRemaining() ? new String(payload, b.position(), b.remaining(), StandardCharsets.UTF_8) : null;
    Kind[] kinds = Kind.values();
    return new ExecOutcome(
        kind < kinds.length ? kinds[kind] : Kind.KILLED,
        code,
        rss,
        Duration.ofNanos(cpuMicros * 1000),
        Duration.ofMillis(guestMillis),
        message);
  }
}
