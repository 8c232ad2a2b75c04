package dev.strata.sandbox.bench.report;

/**
 * One measured figure in base units (see {@link Quantity}).
 *
 * @param median the median (for a single-valued measurement, the value)
 * @param p95 the 95th percentile, NaN when not sampled
 * @param error JMH's 99.9% confidence half-width of the mean, NaN when unknown
 * @param mean the mean, NaN when unknown
 * @param samples how many samples the figure rests on
 * @param source where it comes from: a JMH benchmark name or a harness and its method
 */
public record Stat(double median, double p95, double error, double mean, long samples, String source) {

  /** A single value without a distribution (a memory or density figure). */
  public static Stat single(double value, long samples, String source) {
    return new Stat(value, Double.NaN, Double.NaN, value, samples, source);
  }
}
