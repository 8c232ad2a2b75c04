package dev.strata.sandbox;

import java.util.List;
import java.util.Objects;

/**
 * Whether a backend can run on this host, and if not, why and how to fix it.
 *
 * @param available whether sandboxes can be created
 * @param reason why not (empty when available)
 * @param fix the exact step that would make it available, such as {@code apt-get install runc}
 *     (empty when available or when there is none)
 * @param notes what holds and what does not even when available: "TCG: not accelerated",
 *     "rootless on cgroup v1: memory limit by rlimit only"
 */
public record Availability(boolean available, String reason, String fix, List<String> notes) {

  public Availability {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(fix, "fix");
    notes = List.copyOf(notes);
  }

  /** Available, with notes on what holds and what does not (none is fine). */
  public static Availability ok(String... notes) {
    return new Availability(true, "", "", List.of(notes));
  }

  /** Available, with notes on what holds and what does not. */
  public static Availability ok(List<String> notes) {
    return new Availability(true, "", "", notes);
  }

  /** Not available: why, and the exact step that fixes it (empty if there is none). */
  public static Availability unavailable(String reason, String fix) {
    return new Availability(false, reason, fix, List.of());
  }

  /** One line: {@code available} or {@code unavailable: reason. Fix: fix}. */
  public String describe() {
    if (available) {
      return notes.isEmpty() ? "available" : "available (" + String.join("; ", notes) + ")";
    }
    return "unavailable: " + reason + (fix.isEmpty() ? "" : ". Fix: " + fix);
  }
}
