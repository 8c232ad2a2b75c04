package dev.strata.sandbox;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What a command consumed, where the backend can tell.
 *
 * @param peakMemoryBytes the highest memory use seen: cgroup peak, linear memory size, guest use
 * @param cpuTime CPU time used (user plus system)
 */
public record ResourceUsage(@Nullable Long peakMemoryBytes, @Nullable Duration cpuTime) {

  private static final ResourceUsage UNKNOWN = new ResourceUsage(null, null);

  /** Nothing known. */
  public static ResourceUsage unknown() {
    return UNKNOWN;
  }

  public OptionalLong peakMemory() {
    return peakMemoryBytes == null ? OptionalLong.empty() : OptionalLong.of(peakMemoryBytes);
  }

  public Optional<Duration> cpu() {
    return Optional.ofNullable(cpuTime);
  }
}
