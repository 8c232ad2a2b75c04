package dev.strata.sandbox.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchmarkPlanTest {

  private static final String P = "dev.strata.sandbox.bench.";
  private static final List<String> FOUND = List.of(
      P + "baseline.ProcessBuilderBenchmark.rawProcessBuilderTrue",
      P + "api.ApiBenchmark.oursCreateExecClose",
      P + "api.ApiBenchmark.oursWarmExec",
      P + "wasm.WasmBenchmark.oursInstantiateCached",
      P + "wasm.WasmBenchmark.rawInstantiate",
      P + "wasm.WasmHelpers.notABenchmarkClass",
      P + "linux.LinuxBenchmark.oursCreateExecClose",
      P + "linux.LinuxBenchmark.rawRuncRun",
      P + "kvm.KvmBenchmark.oursBootToFirstExec",
      P + "kvm.KvmBenchmark.oursWarmExec",
      "org.openjdk.jmh.samples.OtherBenchmark.foo",
      P + "elsewhere.StrayBenchmark.oursX");

  private static List<String> labels(BenchmarkPlan p) {
    return p.entries().stream().map(BenchmarkPlan.Entry::label).toList();
  }

  @Test
  void runsTheBaselineThenEachAvailableTierWithTheFallbacksItLacks() {
    BenchmarkPlan plan = BenchmarkPlan.build(FOUND, Set.of("wasm", "linux", "kvm"), Set.of("wasm", "linux", "kvm"), null, true);
    assertEquals(List.of(
        "baseline.ProcessBuilderBenchmark.rawProcessBuilderTrue",
        "wasm.WasmBenchmark.oursInstantiateCached",
        "wasm.WasmBenchmark.rawInstantiate",
        "api.ApiBenchmark.oursCreateExecClose[tier=wasm]",
        "api.ApiBenchmark.oursWarmExec[tier=wasm]",
        "linux.LinuxBenchmark.oursCreateExecClose",
        "linux.LinuxBenchmark.rawRuncRun",
        "api.ApiBenchmark.oursWarmExec[tier=linux]",
        "kvm.KvmBenchmark.oursBootToFirstExec",
        "kvm.KvmBenchmark.oursWarmExec"), labels(plan));
    assertEquals("the kvm tier has its own benchmark",
        plan.skipped().get(P + "api.ApiBenchmark.oursCreateExecClose[tier=kvm]"),
        "a tier's boot benchmark replaces the fallback cold start");
    BenchmarkPlan.Entry fallback = plan.entries().get(3);
    assertEquals(Map.of("tier", "wasm"), fallback.params());
    assertEquals("jmh:api:oursCreateExecClose[tier=wasm]", fallback.key());
    assertEquals("wasm", fallback.backend());
  }

  @Test
  void skipsUnavailableAndUnaskedTiers() {
    BenchmarkPlan plan = BenchmarkPlan.build(FOUND, Set.of("wasm", "linux"), Set.of("wasm"), null, false);
    assertTrue(labels(plan).stream().allMatch(l -> l.startsWith("wasm.") || l.endsWith("[tier=wasm]")), labels(plan).toString());
    assertEquals("tier linux unavailable here", plan.skipped().get(P + "linux.LinuxBenchmark.rawRuncRun"));
    assertEquals("tier kvm not asked for", plan.skipped().get(P + "kvm.KvmBenchmark.oursWarmExec"));
  }

  @Test
  void poolFallbacksRunOnlyForTheTiersWhoseClaimTheyMeasure() {
    List<String> found = List.of(P + "api.PooledBenchmark.oursPooledAcquire", P + "api.PooledBenchmark.oursPooledAcquireExec",
        P + "kvm.KvmBenchmark.oursPooledAcquireExec");
    BenchmarkPlan plan = BenchmarkPlan.build(found, Set.of("wasm", "linux", "kvm"), Set.of("wasm", "linux", "kvm"), null, true);
    assertEquals(List.of(
        "api.PooledBenchmark.oursPooledAcquire[tier=wasm]",
        "api.PooledBenchmark.oursPooledAcquireExec[tier=linux]",
        "kvm.KvmBenchmark.oursPooledAcquireExec"), labels(plan));
  }

  @Test
  void anIncludePatternNarrowsTheRun() {
    BenchmarkPlan plan = BenchmarkPlan.build(FOUND, Set.of("wasm"), Set.of("wasm"), "Instantiate", true);
    assertEquals(List.of("wasm.WasmBenchmark.oursInstantiateCached", "wasm.WasmBenchmark.rawInstantiate"), labels(plan));
  }
}
