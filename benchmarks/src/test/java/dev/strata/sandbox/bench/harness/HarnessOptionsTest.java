package dev.strata.sandbox.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HarnessOptionsTest {

  @Test
  void quickModeFitsInFiveMinutesOfJmhOnPaper() {
    HarnessOptions o = HarnessOptions.parse("--quick");
    assertEquals(HarnessOptions.Mode.QUICK, o.mode());
    assertEquals(Set.of("wasm", "linux", "kvm"), o.tiers());
    // a plausible quick run: 8 wasm, 5 linux, 4 kvm benchmarks and the baseline
    long seconds = 9 * o.jmh("wasm").estimateSeconds(2) + 5 * o.jmh("linux").estimateSeconds(2)
        + 4 * o.jmh("kvm").estimateSeconds(2);
    assertTrue(seconds < 150, "JMH alone would take " + seconds + " s");
    assertEquals(10_000, o.probe("wasm").cap());
    assertEquals(50, o.probe("linux").cap());
    assertEquals(5, o.probe("kvm").cap());
  }

  @Test
  void smokeModeIsTinyAndWasmOnlyUnlessToldOtherwise() {
    HarnessOptions o = HarnessOptions.parse("--smoke");
    assertEquals(Set.of("wasm"), o.tiers());
    HarnessOptions.Jmh j = o.jmh("wasm");
    assertEquals(List.of(1, 1, 100L, 1, 100L), List.of(j.forks(), j.warmupIterations(), j.warmupMillis(), j.iterations(), j.iterationMillis()));
    assertEquals(Set.of("linux", "wasm"), HarnessOptions.parse("--smoke", "--tiers", "process,instruction").tiers());
  }

  @Test
  void badArgumentsSayWhatIsWrong() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--tiers", "docker"));
    assertTrue(e.getMessage().contains("unknown tier 'docker'"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--out"));
    assertTrue(missing.getMessage().startsWith("--out needs a value"), missing.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--fast")).getMessage().contains("usage:"));
  }

  @Test
  void forksCanBeOverridden() {
    assertEquals(3, HarnessOptions.parse("--quick", "--forks", "3").jmh("kvm").forks());
  }
}
