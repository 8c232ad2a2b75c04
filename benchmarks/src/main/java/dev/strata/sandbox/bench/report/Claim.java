package dev.strata.sandbox.bench.report;

import java.util.List;
import java.util.Objects;

/**
 * One claim the project makes, the target that checks it, and where its measurement comes from.
 *
 * @param id a stable id, such as {@code wasm.instantiate-cached}
 * @param backend the tier's backend name: {@code wasm}, {@code linux}, {@code kvm}
 * @param source {@code nominal} for the project table's claims, or the issue the target is from
 * @param text the claim in words
 * @param quantity what is measured
 * @param rule how the measurement is judged
 * @param measuredBy metric keys that measure it, the first present wins (tier benchmark first,
 *     then the harness's fallback)
 * @param baselines metric keys of the raw baseline, the first present is used for the ratio; when
 *     the two lists have the same length they are pairs (the tier's own measurement with the
 *     tier's own baseline, the harness's fallback with the fallback's baseline), and the first
 *     complete pair wins
 * @param requiresKvm true when the target only applies with KVM (under TCG it is reported, not
 *     judged)
 */
public record Claim(
    String id,
    String backend,
    String source,
    String text,
    Quantity quantity,
    Rule rule,
    List<String> measuredBy,
    List<String> baselines,
    boolean requiresKvm) {

  public Claim {
    Objects.requireNonNull(id);
    measuredBy = List.copyOf(measuredBy);
    baselines = List.copyOf(baselines);
    if (rule instanceof Rule.RatioAtMost && baselines.isEmpty()) {
      throw new IllegalArgumentException("claim " + id + " is relative to a baseline but names none");
    }
  }

  /** The target in words: {@code ≤ 50.0 µs}. */
  public String target() {
    return Rule.describe(rule, quantity);
  }

  /** Whether this is one of the project table's nominal claims. */
  public boolean nominal() {
    return "nominal".equals(source);
  }
}
