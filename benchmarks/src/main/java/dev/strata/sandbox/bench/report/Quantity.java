package dev.strata.sandbox.bench.report;

import java.util.Locale;

/** What a number measures, in base units: nanoseconds, bytes, or a count of sandboxes. */
public enum Quantity {
  TIME,
  BYTES,
  COUNT;

  /** A short human form: {@code 41.2 µs}, {@code 3.10 s}, {@code 68.0 KiB}, {@code 12,000}. */
  public String format(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    switch (this) {
      case TIME:
        return formatTime(v);
      case BYTES:
        return formatBytes(v);
      default:
        return String.format(Locale.ROOT, "%,.0f", v);
    }
  }

  static String formatTime(double ns) {
    double a = Math.abs(ns);
    if (a < 1e3) {
      return String.format(Locale.ROOT, "%.0f ns", ns);
    }
    if (a < 1e6) {
      return sig(ns / 1e3) + " µs";
    }
    if (a < 1e9) {
      return sig(ns / 1e6) + " ms";
    }
    if (a < 120e9) {
      return sig(ns / 1e9) + " s";
    }
    return sig(ns / 60e9) + " min";
  }

  static String formatBytes(double b) {
    double a = Math.abs(b);
    if (a < 1024) {
      return String.format(Locale.ROOT, "%.0f B", b);
    }
    if (a < 1024 * 1024) {
      return sig(b / 1024) + " KiB";
    }
    if (a < 1024.0 * 1024 * 1024) {
      return sig(b / (1024 * 1024)) + " MiB";
    }
    return sig(b / (1024.0 * 1024 * 1024)) + " GiB";
  }

  /** Three significant digits, no exponent. */
  static String sig(double v) {
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
