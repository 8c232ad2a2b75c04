package dev.strata.sandbox.cli;

import java.time.Duration;
import java.util.Locale;

/** Parses the sizes and durations people type: {@code 64m}, {@code 1g}, {@code 10s}, {@code 500ms}. */
final class Units {

  private Units() {}

  /** Bytes from {@code 123}, {@code 64k}, {@code 64m}, {@code 2g} (binary units; a trailing b or ib is fine). */
  static long parseBytes(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    s = s.endsWith("ib") ? s.substring(0, s.length() - 2) : s.endsWith("b") ? s.substring(0, s.length() - 1) : s;
    long factor = 1;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'k':
          factor = 1L << 10;
          break;
        case 'm':
          factor = 1L << 20;
          break;
        case 'g':
          factor = 1L << 30;
          break;
        default:
          break;
      }
    }
    String digits = factor == 1 ? s : s.substring(0, s.length() - 1);
    try {
      long value = Long.parseLong(digits);
      if (value <= 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(value, factor);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "bad size '" + text + "': use a positive number with k, m or g, such as 64m");
    }
  }

  /** A duration from {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
  static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
      } else if (s.endsWith("m")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
      } else if (s.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        d = Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
      }
      if (d.isNegative() || d.isZero()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bad duration '" + text + "': use a positive number with ms, s, m or h, such as 10s");
    }
  }

  /** Human-readable bytes: {@code 1.5 MiB}. */
  static String formatBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[i]);
  }
}
