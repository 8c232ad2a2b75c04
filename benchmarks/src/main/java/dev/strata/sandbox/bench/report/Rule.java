package dev.strata.sandbox.bench.report;

/** How a measurement is judged against a claim. Values in the claim's {@link Quantity}. */
public sealed interface Rule {

  /** A target such as "≤ 50 µs": lower is better. */
  record AtMost(double limit) implements Rule {}

  /** A target such as "100,000 live": higher is better. */
  record AtLeast(double limit) implements Rule {}

  /** A target relative to the baseline measured in the same run: measured / baseline ≤ max. */
  record RatioAtMost(double max) implements Rule {}

  /**
   * A nominal order of magnitude such as "starts in seconds" or "100–1000 per host": inside the
   * band the claim holds; on the good side of it the claim is beaten (it undersells); on the bad
   * side it fails.
   *
   * @param higherIsBetter true for counts (density), false for times and sizes
   */
  record Band(double low, double high, boolean higherIsBetter) implements Rule {}

  /** The target in words for the report, such as {@code ≤ 50.0 µs} or {@code 1.00 s – 60.0 s}. */
  static String describe(Rule rule, Quantity q) {
    if (rule instanceof AtMost r) {
      return "≤ " + q.format(r.limit());
    }
    if (rule instanceof AtLeast r) {
      return "≥ " + q.format(r.limit());
    }
    if (rule instanceof RatioAtMost r) {
      return "≤ " + Quantity.sig(r.max()) + "× baseline";
    }
    Band b = (Band) rule;
    if (b.low() <= 0) {
      return "< " + nominal(q, b.high());
    }
    return nominal(q, b.low()) + " – " + nominal(q, b.high());
  }

  /** The project table writes MB and GB: show round decimal sizes as such, not in KiB. */
  private static String nominal(Quantity q, double v) {
    if (q == Quantity.BYTES && v >= 1e6) {
      String[] units = {"MB", "GB", "TB", "PB"};
      double scaled = v / 1e6;
      int i = 0;
      while (scaled >= 1000 && i < units.length - 1) {
        scaled /= 1000;
        i++;
      }
      if (scaled == Math.rint(scaled)) {
        return (long) scaled + " " + units[i];
      }
    }
    return q.format(v);
  }
}
