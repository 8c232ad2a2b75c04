package dev.strata.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A sandbox's running totals, fed up to whoever manages it.
 *
 * @param createdAt when it became ready
 * @param execCount commands run so far
 * @param busyTime wall-clock time spent running commands
 * @param memoryBytes what the sandbox costs the host right now, where known: retained heap for
 *     WASM, cgroup memory for PROCESS, QEMU's RSS for HARDWARE
 * @param lastError the last failure the backend saw (not a payload's non-zero exit)
 */
public record SandboxStats(
    Instant createdAt,
    long execCount,
    Duration busyTime,
    @Nullable Long memoryBytes,
    @Nullable String lastError) {

  public OptionalLong memory() {
    return memoryBytes == null ? OptionalLong.empty() : OptionalLong.of(memoryBytes);
  }
}
