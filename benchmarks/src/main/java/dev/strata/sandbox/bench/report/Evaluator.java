package dev.strata.sandbox.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Judges each claim against what a run measured. */
public final class Evaluator {

  private final Metrics metrics;
  private final boolean kvm;

  /**
   * @param kvm whether the host has KVM (targets that apply only with KVM are not judged without)
   */
  public Evaluator(Metrics metrics, boolean kvm) {
    this.metrics = metrics;
    this.kvm = kvm;
  }

  public List<Evaluation> evaluate(List<Claim> claims) {
    List<Evaluation> out = new ArrayList<>();
    for (Claim c : claims) {
      out.add(evaluate(c));
    }
    return out;
  }

  public Evaluation evaluate(Claim claim) {
    List<String> notes = new ArrayList<>();
    Optional<String> down = metrics.unavailable(claim.backend());
    String measuredKey = firstPresent(claim.measuredBy());
    String baselineKey = firstPresent(claim.baselines());
    if (claim.measuredBy().size() == claim.baselines().size()) {
      // paired: compare like with like (same module, same command) when a complete pair exists
      for (int i = 0; i < claim.measuredBy().size(); i++) {
        if (metrics.get(claim.measuredBy().get(i)).isPresent() && metrics.get(claim.baselines().get(i)).isPresent()) {
          measuredKey = claim.measuredBy().get(i);
          baselineKey = claim.baselines().get(i);
          break;
        }
      }
    }
    Stat measured = measuredKey == null ? null : metrics.get(measuredKey).orElseThrow();
    Stat baseline = baselineKey == null ? null : metrics.get(baselineKey).orElseThrow();
    double ratio =
        measured != null && baseline != null && baseline.median() > 0
            ? measured.median() / baseline.median()
            : Double.NaN;
    if (measured == null) {
      String reason =
          down.map(r -> "tier unavailable: " + r).orElseGet(() -> whyMissing(claim.measuredBy()));
      return new Evaluation(claim, null, null, baselineKey, baseline, ratio, Verdict.notMeasured(reason), notes);
    }
    if (claim.rule() instanceof Rule.RatioAtMost && baseline == null) {
      String reason = "baseline not measured (" + whyMissing(claim.baselines()) + ")";
      return new Evaluation(claim, measuredKey, measured, null, null, ratio, Verdict.notMeasured(reason), notes);
    }
    if (claim.requiresKvm() && !kvm) {
      return new Evaluation(claim, measuredKey, measured, baselineKey, baseline, ratio,
          Verdict.notJudged("the target is for KVM; this host runs QEMU under TCG (figure shown as measured)"), notes);
    }
    double base = baseline == null ? Double.NaN : baseline.median();
    Verdict v = Verdict.judge(claim.rule(), measured.median(), base);
    if (v.outcome() == Verdict.Outcome.FAILS
        && claim.rule() instanceof Rule.AtLeast
        && metrics.isCapped(measuredKey)) {
      v = Verdict.notJudged("the run's count cap (" + claim.quantity().format(measured.median())
          + ") came first; run the full mode");
    }
    addNotes(claim, measured, base, notes);
    return new Evaluation(claim, measuredKey, measured, baselineKey, baseline, ratio, v, notes);
  }

  private void addNotes(Claim claim, Stat m, double base, List<String> notes) {
    double threshold = threshold(claim.rule(), base);
    if (!Double.isNaN(threshold) && !Double.isNaN(m.error()) && m.error() > 0) {
      double v = claim.rule() instanceof Rule.RatioAtMost ? m.median() / base : m.median();
      double err = claim.rule() instanceof Rule.RatioAtMost ? m.error() / base : m.error();
      if (Math.abs(v - threshold) <= err) {
        notes.add("borderline: the target lies within JMH's error (±" + claim.quantity().format(m.error()) + ")");
      }
    }
    if (claim.rule() instanceof Rule.AtMost r && m.median() <= r.limit() && m.p95() > r.limit()) {
      notes.add("p95 (" + claim.quantity().format(m.p95()) + ") is over the target");
    }
    if (m.source().startsWith("projected")) {
      notes.add("a projection from memory alone, not a count held: " + m.source());
    }
    if (m.source().contains("AverageTime")) {
      notes.add("nanosecond-scale: AverageTime mean (SampleTime cannot resolve it), no p95");
    } else if (m.samples() > 0 && m.samples() < 5 && claim.quantity() == Quantity.TIME) {
      notes.add("only " + m.samples() + " samples: indicative");
    }
  }

  private static double threshold(Rule rule, double base) {
    if (rule instanceof Rule.AtMost r) {
      return r.limit();
    }
    if (rule instanceof Rule.AtLeast r) {
      return r.limit();
    }
    if (rule instanceof Rule.RatioAtMost r) {
      return r.max();
    }
    return Double.NaN;
  }

  private @Nullable String firstPresent(List<String> keys) {
    for (String k : keys) {
      if (metrics.get(k).isPresent()) {
        return k;
      }
    }
    return null;
  }

  private String whyMissing(List<String> keys) {
    for (String k : keys) {
      Optional<String> f = metrics.failure(k);
      if (f.isPresent()) {
        return k + " failed: " + f.get();
      }
    }
    if (keys.isEmpty()) {
      return "nothing measures it";
    }
    return "no benchmark " + String.join(" or ", keys) + " in this run";
  }
}
