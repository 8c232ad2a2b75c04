package dev.strata.sandbox.bench.report;

import org.jspecify.annotations.Nullable;

/**
 * One claim with its measurement, baseline, ratio and verdict.
 *
 * @param measuredKey the metric that measured it, null when none did
 * @param baselineKey the baseline it is compared with, null when none was measured
 * @param ratio measured / baseline, NaN without a baseline
 * @param notes caveats: borderline within JMH's error, p95 over the target, a projection
 */
public record Evaluation(
    Claim claim,
    @Nullable String measuredKey,
    @Nullable Stat measured,
    @Nullable String baselineKey,
    @Nullable Stat baseline,
    double ratio,
    Verdict verdict,
    java.util.List<String> notes) {

  public Evaluation {
    notes = java.util.List.copyOf(notes);
  }
}
