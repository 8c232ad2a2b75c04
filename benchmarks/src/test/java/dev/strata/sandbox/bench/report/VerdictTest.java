package dev.strata.sandbox.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.sandbox.bench.report.Verdict.Outcome;
import org.junit.jupiter.api.Test;

class VerdictTest {

  private static final double NAN = Double.NaN;

  @Test
  void atMostHoldsAtAndUnderTheLimitAndFailsOver() {
    assertEquals(Outcome.HOLDS, Verdict.judge(new Rule.AtMost(50_000), 50_000, NAN).outcome());
    Verdict under = Verdict.judge(new Rule.AtMost(50_000), 25_000, NAN);
    assertEquals(Outcome.HOLDS, under.outcome());
    assertEquals(2.0, under.factor(), 1e-9);
    assertEquals("holds (2.00× margin)", under.text());
    Verdict over = Verdict.judge(new Rule.AtMost(50_000), 75_000, NAN);
    assertEquals(Outcome.FAILS, over.outcome());
    assertEquals("fails (1.50× over)", over.text());
  }

  @Test
  void aLowerIsBetterBandIsBeatenBelowHoldsInsideFailsAbove() {
    Rule seconds = new Rule.Band(1e9, 60e9, false); // "starts in seconds"
    Verdict fast = Verdict.judge(seconds, 200e6, NAN);
    assertEquals(Outcome.BEATEN, fast.outcome());
    assertEquals("beaten by 5.00×", fast.text());
    assertEquals(Outcome.HOLDS, Verdict.judge(seconds, 3e9, NAN).outcome());
    assertEquals(Outcome.FAILS, Verdict.judge(seconds, 120e9, NAN).outcome());
    Rule underOneMb = new Rule.Band(0, 1e6, false); // "< 1 MB": nothing can beat it
    assertEquals(Outcome.HOLDS, Verdict.judge(underOneMb, 10, NAN).outcome());
    assertEquals(Outcome.FAILS, Verdict.judge(underOneMb, 2e6, NAN).outcome());
  }

  @Test
  void aHigherIsBetterBandFailsBelowHoldsInsideIsBeatenAbove() {
    Rule density = new Rule.Band(100, 1000, true); // "100–1000 per host"
    assertEquals(Outcome.FAILS, Verdict.judge(density, 50, NAN).outcome());
    assertEquals(Outcome.HOLDS, Verdict.judge(density, 500, NAN).outcome());
    Verdict many = Verdict.judge(density, 3000, NAN);
    assertEquals(Outcome.BEATEN, many.outcome());
    assertEquals(3.0, many.factor(), 1e-9);
  }

  @Test
  void atLeast() {
    assertEquals(Outcome.HOLDS, Verdict.judge(new Rule.AtLeast(100_000), 120_000, NAN).outcome());
    Verdict few = Verdict.judge(new Rule.AtLeast(100_000), 25_000, NAN);
    assertEquals(Outcome.FAILS, few.outcome());
    assertEquals(4.0, few.factor(), 1e-9);
    assertEquals("fails (4.00× short)", few.text());
  }

  @Test
  void aRatioNeedsItsBaseline() {
    Rule r = new Rule.RatioAtMost(1.2);
    assertEquals(Outcome.HOLDS, Verdict.judge(r, 110, 100).outcome());
    Verdict slow = Verdict.judge(r, 180, 100);
    assertEquals(Outcome.FAILS, slow.outcome());
    assertEquals(1.5, slow.factor(), 1e-9);
    assertEquals(Outcome.NOT_MEASURED, Verdict.judge(r, 110, NAN).outcome());
  }

  @Test
  void noValueIsNeverAPass() {
    assertEquals(Outcome.NOT_MEASURED, Verdict.judge(new Rule.AtMost(1), NAN, NAN).outcome());
    assertEquals("not measured: runc missing", Verdict.notMeasured("runc missing").text());
  }

  @Test
  void targetsAreWrittenAsTheClaimsWriteThem() {
    assertEquals("< 1 MB", Rule.describe(new Rule.Band(0, 1e6, false), Quantity.BYTES));
    assertEquals("1 MB – 1 GB", Rule.describe(new Rule.Band(1e6, 1e9, false), Quantity.BYTES));
    assertEquals("≤ 70.0 KiB", Rule.describe(new Rule.AtMost(70 * 1024), Quantity.BYTES));
    assertEquals("≤ 50.0 µs", Rule.describe(new Rule.AtMost(50_000), Quantity.TIME));
    assertEquals("1.00 s – 60.0 min", Rule.describe(new Rule.Band(1e9, 3600e9, false), Quantity.TIME));
    assertEquals("≤ 1.20× baseline", Rule.describe(new Rule.RatioAtMost(1.2), Quantity.TIME));
    assertEquals("100 – 1,000", Rule.describe(new Rule.Band(100, 1000, true), Quantity.COUNT));
  }
}
