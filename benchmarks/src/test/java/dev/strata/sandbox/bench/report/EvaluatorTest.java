package dev.strata.sandbox.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.bench.report.Verdict.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  private static Claim claim(String id) {
    return Claims.all().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  private static Stat time(double medianNs, double errorNs) {
    return new Stat(medianNs, medianNs * 1.5, errorNs, medianNs, 100, "test");
  }

  @Test
  void anUnavailableTierIsNotMeasuredWithItsReasonNeverAPass() {
    Metrics m = new Metrics().unavailable("linux", "unavailable: runc not found. Fix: apt-get install runc");
    Evaluation e = new Evaluator(m, false).evaluate(claim("linux.warm-exec"));
    assertEquals(Outcome.NOT_MEASURED, e.verdict().outcome());
    assertTrue(e.verdict().text().contains("apt-get install runc"), e.verdict().text());
    assertNull(e.measured());
  }

  @Test
  void theTiersOwnBenchmarkWinsOverTheHarnessFallback() {
    Metrics m = new Metrics()
        .put(BenchNames.api("linux", "oursWarmExec"), time(30e6, 1e6))
        .put(BenchNames.tier("linux", "oursWarmExec"), time(9e6, 1e6));
    Evaluation e = new Evaluator(m, false).evaluate(claim("linux.warm-exec"));
    assertEquals("jmh:linux:oursWarmExec", e.measuredKey());
    assertEquals(Outcome.HOLDS, e.verdict().outcome());
    Metrics onlyFallback = new Metrics().put(BenchNames.api("linux", "oursWarmExec"), time(30e6, 1e6));
    Evaluation f = new Evaluator(onlyFallback, false).evaluate(claim("linux.warm-exec"));
    assertEquals("jmh:api:oursWarmExec[tier=linux]", f.measuredKey());
    assertEquals(Outcome.FAILS, f.verdict().outcome());
    assertEquals(2.0, f.verdict().factor(), 1e-9);
  }

  @Test
  void aRatioClaimUsesTheBaselineOfTheSameRun() {
    Metrics m = new Metrics()
        .put(BenchNames.tier("linux", "oursCreateExecClose"), time(300e6, 5e6))
        .put(BenchNames.tier("linux", "rawRuncRun"), time(200e6, 5e6));
    Evaluation e = new Evaluator(m, false).evaluate(claim("linux.cold.vs-runc"));
    assertEquals(1.5, e.ratio(), 1e-9);
    assertEquals(Outcome.FAILS, e.verdict().outcome());
    assertEquals("jmh:linux:rawRuncRun", e.baselineKey());
  }

  @Test
  void aRatioComparesLikeWithLikeWhenAPairIsComplete() {
    Metrics m = new Metrics()
        .put(BenchNames.tier("wasm", "oursCreateExecClose"), time(900e3, 1e3)) // hello module, no raw of its own
        .put(BenchNames.api("wasm", "oursCreateExecClose"), time(60e3, 1e3)) // 1-page module
        .put(BenchNames.baseline("rawChicoryCreateRun"), time(50e3, 1e3)); // 1-page module
    Evaluation e = new Evaluator(m, false).evaluate(claim("wasm.overhead.cold"));
    assertEquals("jmh:api:oursCreateExecClose[tier=wasm]", e.measuredKey());
    assertEquals("jmh:baseline:rawChicoryCreateRun", e.baselineKey());
    assertEquals(1.2, e.ratio(), 1e-9);
    assertEquals(Outcome.FAILS, e.verdict().outcome());
    m.put(BenchNames.tier("wasm", "rawCreateExecClose"), time(850e3, 1e3));
    Evaluation own = new Evaluator(m, false).evaluate(claim("wasm.overhead.cold"));
    assertEquals("jmh:wasm:oursCreateExecClose", own.measuredKey(), "the tier's own pair comes first");
    assertEquals("jmh:wasm:rawCreateExecClose", own.baselineKey());
  }

  @Test
  void aMissingBaselineIsSaidSo() {
    Metrics m = new Metrics()
        .put(BenchNames.tier("kvm", "oursBootToFirstExec"), time(3e9, 1e8))
        .fail(BenchNames.tier("kvm", "rawQemuBoot"), "IllegalStateException: no initramfs");
    Evaluation e = new Evaluator(m, false).evaluate(claim("kvm.boot.vs-qemu"));
    assertEquals(Outcome.NOT_MEASURED, e.verdict().outcome());
    assertTrue(e.verdict().text().contains("no initramfs"), e.verdict().text());
  }

  @Test
  void aKvmTargetIsNotJudgedUnderTcgButShown() {
    Metrics m = new Metrics().put(BenchNames.memory("kvm", "perSandbox"), Stat.single(150e6, 2, "qemu rss"));
    Evaluation tcg = new Evaluator(m, false).evaluate(claim("kvm.memory"));
    assertEquals(Outcome.NOT_JUDGED, tcg.verdict().outcome());
    assertEquals(150e6, tcg.measured().median());
    Evaluation kvm = new Evaluator(m, true).evaluate(claim("kvm.memory"));
    assertEquals(Outcome.FAILS, kvm.verdict().outcome());
  }

  @Test
  void aCountStoppedByTheRunsCapIsNotAFailure() {
    String held = BenchNames.density("wasm", "held");
    Metrics m = new Metrics().put(held, Stat.single(10_000, 10_000, "held")).capped(held);
    assertEquals(Outcome.NOT_JUDGED, new Evaluator(m, false).evaluate(claim("wasm.live-100k")).verdict().outcome());
    Metrics refused = new Metrics().put(held, Stat.single(10_000, 10_000, "refused"));
    assertEquals(Outcome.FAILS, new Evaluator(refused, false).evaluate(claim("wasm.live-100k")).verdict().outcome());
  }

  @Test
  void notesFlagBorderlineResultsAndAHighP95() {
    Metrics m = new Metrics().put(BenchNames.tier("wasm", "oursInstantiateCached"),
        new Stat(48_000, 90_000, 5_000, 49_000, 1000, "t"));
    Evaluation e = new Evaluator(m, false).evaluate(claim("wasm.instantiate-cached"));
    assertEquals(Outcome.HOLDS, e.verdict().outcome());
    assertEquals(2, e.notes().size(), e.notes().toString());
    assertTrue(e.notes().get(0).startsWith("borderline"));
    assertTrue(e.notes().get(1).startsWith("p95"));
  }

  @Test
  void everyTierHasTheThreeNominalClaimsAndEveryKeyFollowsTheConvention() {
    for (String tier : List.of("wasm", "linux", "kvm")) {
      for (String what : List.of("startup", "memory", "density")) {
        Claim c = claim(tier + ".nominal." + what);
        assertTrue(c.nominal());
      }
    }
    for (Claim c : Claims.all()) {
      for (String k : c.measuredBy()) {
        assertTrue(k.matches("(jmh:(wasm|linux|kvm|api|baseline):[a-z][A-Za-z]+(\\[tier=\\w+])?|memory:\\w+:\\w+|density:\\w+:\\w+)"), k);
      }
    }
  }
}
