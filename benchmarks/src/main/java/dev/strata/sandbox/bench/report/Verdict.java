package dev.strata.sandbox.bench.report;

import java.util.Locale;

/**
 * How a claim fared.
 *
 * @param outcome the short answer
 * @param factor how far from the threshold: the margin when it holds, the factor when beaten,
 *     the excess when it fails; NaN when not measured
 * @param text the verdict as the report prints it: {@code holds (2.1× margin)}, {@code beaten by
 *     12×}, {@code fails (1.4× over)}, {@code not measured: runc missing}
 */
public record Verdict(Outcome outcome, double factor, String text) {

  /** The short answer. */
  public enum Outcome {
    HOLDS,
    /** Better than the claim says: the claim undersells. */
    BEATEN,
    FAILS,
    /** Measured, but the target does not apply here (a KVM target on a TCG host, a capped run). */
    NOT_JUDGED,
    NOT_MEASURED;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  public static Verdict notMeasured(String reason) {
    return new Verdict(Outcome.NOT_MEASURED, Double.NaN, "not measured: " + reason);
  }

  public static Verdict notJudged(String reason) {
    return new Verdict(Outcome.NOT_JUDGED, Double.NaN, "not judged: " + reason);
  }

  /**
   * Judges {@code value} by {@code rule}; {@code baseline} is needed for a ratio rule (NaN
   * otherwise).
   */
  public static Verdict judge(Rule rule, double value, double baseline) {
    if (Double.isNaN(value)) {
      return notMeasured("no value");
    }
    if (rule instanceof Rule.AtMost r) {
      return value <= r.limit()
          ? holds(r.limit() / value)
          : fails(value / r.limit());
    }
    if (rule instanceof Rule.AtLeast r) {
      return value >= r.limit() ? holds(value / r.limit()) : short_(r.limit() / value);
    }
    if (rule instanceof Rule.RatioAtMost r) {
      if (Double.isNaN(baseline) || baseline <= 0) {
        return notMeasured("the baseline was not measured");
      }
      double ratio = value / baseline;
      return ratio <= r.max() ? holds(r.max() / ratio) : fails(ratio / r.max());
    }
    Rule.Band b = (Rule.Band) rule;
    if (b.higherIsBetter()) {
      if (value < b.low()) {
        return short_(b.low() / value);
      }
      return value > b.high() ? beaten(value / b.high()) : holds(value / b.low());
    }
    if (value > b.high()) {
      return fails(value / b.high());
    }
    if (b.low() > 0 && value < b.low()) {
      return beaten(b.low() / value);
    }
    return holds(b.high() / value);
  }

  static Verdict holds(double margin) {
    return new Verdict(Outcome.HOLDS, margin, "holds (" + times(margin) + " margin)");
  }

  static Verdict beaten(double factor) {
    return new Verdict(Outcome.BEATEN, factor, "beaten by " + times(factor));
  }

  static Verdict fails(double excess) {
    return new Verdict(Outcome.FAILS, excess, "fails (" + times(excess) + " over)");
  }

  /** A count below its target: "short", not "over". */
  static Verdict short_(double shortfall) {
    return new Verdict(Outcome.FAILS, shortfall, "fails (" + times(shortfall) + " short)");
  }

  static String times(double f) {
    if (Double.isInfinite(f)) {
      return "∞×";
    }
    return Quantity.sig(f) + "×";
  }
}
