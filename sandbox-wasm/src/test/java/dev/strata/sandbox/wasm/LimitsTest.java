package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.CapacityExceededException;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every limit of the tier, each hit on purpose. */
class LimitsTest {

  private static Sandbox sandbox(WasmEngine engine, ResourceLimits limits) {
    return Wasm.sandbox(
        Wasm.spec().withOption(WasmEngine.OPTION, engine.name()).withLimits(limits).build());
  }

  private static ResourceLimits.Builder limits() {
    return ResourceLimits.defaults().toBuilder();
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void anInfiniteLoopTimesOutAndThePoolThreadIsFineAfterwards(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine, limits().withTimeout(Duration.ofMillis(300)).build())) {
      ExecResult r = sb.exec(Wasm.command("spin"));
      assertEquals(ExecStatus.TIMED_OUT, r.status(), r::toString);
      assertTrue(r.duration().compareTo(Duration.ofMillis(300)) >= 0, r::toString);
      // generous: on 2 busy cores a JIT compile can delay the check, but not by seconds
      assertTrue(r.duration().compareTo(Duration.ofSeconds(5)) < 0, "stopped soon: " + r);
      // many runs after a timeout: none may see a stale interrupt from the watchdog
      for (int i = 0; i < 20; i++) {
        ExecResult ok = sb.exec(Wasm.command("hello"));
        assertEquals(ExecStatus.EXITED, ok.status(), ok::toString);
      }
    }
    assertFalse(Thread.currentThread().isInterrupted());
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void closingTheSandboxStopsWhatRuns(WasmEngine engine) throws Exception {
    Sandbox sb = sandbox(engine, limits().build());
    var future = sb.execAsync(Wasm.command("spin"));
    Thread.sleep(300);
    long t0 = System.nanoTime();
    sb.close();
    ExecResult r = future.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(ExecStatus.KILLED, r.status(), r::toString);
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "stopped at close, not at the 60 s timeout");
  }

  /** Stdin that never delivers a byte and ignores interrupts until closed, like a stuck socket. */
  static final class StuckInput extends java.io.InputStream {
    private volatile boolean closed;

    @Override
    public int read() {
      while (!closed) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      return -1;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void aGuestBlockedOnStdinStillTimesOut() {
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().withTimeout(Duration.ofMillis(300)).build())) {
      ExecResult r = sb.exec(Wasm.command("echo").withStdin(new StuckInput()));
      assertEquals(ExecStatus.TIMED_OUT, r.status(), r::toString);
      assertTrue(r.duration().compareTo(Duration.ofSeconds(5)) < 0, r::toString);
    }
  }

  @Test
  void aCommandTimeoutOverridesTheSpecs() {
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().build())) {
      ExecResult r = sb.exec(Wasm.command("spin").withTimeout(Duration.ofMillis(200)));
      assertEquals(ExecStatus.TIMED_OUT, r.status());
    }
  }

  @Test
  void fuelRunsOutInTheInterpreter() {
    ResourceLimits fuel = limits().withFuel(2_000_000L).build();
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, fuel)) {
      assertEquals(WasmEngine.INTERPRETER, WasmSandbox.unwrap(sb).engine(), "fuel forces the interpreter");
      ExecResult spin = sb.exec(Wasm.command("spin"));
      assertEquals(ExecStatus.FUEL_EXHAUSTED, spin.status(), spin::toString);
      ExecResult hello = sb.exec(Wasm.command("hello"));
      assertEquals(ExecStatus.EXITED, hello.status(), "fuel is per command: " + hello);
      assertEquals("hello from wasm\n", hello.stdoutText());
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void aMemoryBombRunsOutOfMemoryAtTheCapAndTheJvmIsUntouched(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine, limits().withMemoryBytes(16L << 20).build())) {
      ExecResult r = sb.exec(Wasm.command("membomb"));
      assertEquals(ExecStatus.OUT_OF_MEMORY, r.status(), r::toString);
      Matcher m = Pattern.compile("malloc failed after (\\d+) MiB").matcher(r.stderrText());
      assertTrue(m.find(), r.stderrText());
      assertTrue(Integer.parseInt(m.group(1)) < 16, "stopped below the 16 MiB cap: " + r.stderrText());
      assertTrue(r.usage().peakMemory().getAsLong() <= 16L << 20, r.usage().toString());
      assertEquals(ExecStatus.EXITED, sb.exec(Wasm.command("hello")).status());
    }
  }

  @Test
  void theCapLowersTheModulesMaximumButNeverRaisesIt() {
    // grow-max.wasm declares 4 pages initial and 8 maximum: a 64 MiB cap must not lift that
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().withMemoryBytes(64L << 20).build())) {
      assertEquals(
          "grew 4 of 100 pages, now 8 pages\n", sb.exec(Wasm.command("grow-max", "100")).stdoutText());
    }
    // grow.wasm declares 32 pages and no maximum: the 3 MiB cap (48 pages) becomes its maximum
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().withMemoryBytes(3L << 20).build())) {
      assertEquals(
          "grew 16 of 100 pages, now 48 pages\n", sb.exec(Wasm.command("grow", "100")).stdoutText());
    }
  }

  @Test
  void aModuleWhoseInitialMemoryIsAboveTheCapIsRefused() {
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().withMemoryBytes(1L << 20).build())) {
      InvalidProgramException e =
          assertThrows(InvalidProgramException.class, () -> sb.exec(Wasm.command("grow")));
      assertTrue(e.getMessage().contains("32 pages"), e.getMessage());
      assertTrue(e.getMessage().contains("memoryBytes"), "names the fix: " + e.getMessage());
    }
  }

  @Test
  void theJvmWideBudgetRefusesNewSandboxesWhenUsedUp() {
    // a budget of its own, so that nothing else in this JVM changes the count
    MemoryBudget budget = new MemoryBudget(4 * MemoryBudget.SANDBOX_SHARE);
    List<Sandbox> open = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        open.add(WasmSandbox.create(Wasm.spec().build(), budget));
      }
      CapacityExceededException e =
          assertThrows(
              CapacityExceededException.class, () -> WasmSandbox.create(Wasm.spec().build(), budget));
      assertTrue(e.getMessage().contains(MemoryBudget.PROPERTY), "names the knob: " + e.getMessage());
      open.remove(0).close();
      open.add(WasmSandbox.create(Wasm.spec().build(), budget));
    } finally {
      open.forEach(Sandbox::close);
    }
    assertEquals(0, budget.used());
  }

  @Test
  void theBudgetAlsoStopsGrowthWhileRunning() {
    // room for the sandbox's share, the module's 2 MiB and 10 more pages: far below its own cap
    MemoryBudget budget = new MemoryBudget(MemoryBudget.SANDBOX_SHARE + (2L << 20) + 10 * 65536L);
    try (Sandbox sb =
        WasmSandbox.create(
            Wasm.spec().withLimits(limits().withMemoryBytes(256L << 20).build()).build(), budget)) {
      assertEquals(
          "grew 10 of 100 pages, now 42 pages\n", sb.exec(Wasm.command("grow", "100")).stdoutText());
    }
    assertEquals(0, budget.used());
  }

  @Test
  void outputFloodIsCappedAndStopped() {
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().withMaxOutputBytes(100_000).build())) {
      ExecResult r = sb.exec(Wasm.command("flood"));
      assertEquals(ExecStatus.OUTPUT_LIMIT, r.status(), r::toString);
      assertEquals(100_000, r.stdout().length, "exactly the cap is kept");
    }
  }

  @Test
  void budgetIsGivenBackWhenSandboxesClose() {
    long before = MemoryBudget.global().used();
    try (Sandbox sb = sandbox(WasmEngine.COMPILER, limits().build())) {
      sb.exec(Wasm.command("membomb"));
      assertTrue(MemoryBudget.global().used() > before, "an open sandbox holds its share");
    }
    assertEquals(before, MemoryBudget.global().used(), "all linear memory and shares returned");
  }
}
