package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxClosedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The plugin API against plugin.wasm (src/test/c/plugin.c). */
class PluginTest {

  private final List<String> logged = new ArrayList<>();

  private final WasmHostFunction log =
      WasmHostFunction.of(
          "strata",
          "log",
          List.of(WasmValueType.I32, WasmValueType.I32),
          List.of(),
          (memory, args) -> {
            logged.add(memory.readString((int) args[0], (int) args[1]));
            return new long[0];
          });

  private WasmPlugin plugin(WasmEngine engine) {
    return WasmPlugin.builder(Wasm.module("plugin")).withEngine(engine).withHostFunction(log).build();
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void numbersInNumbersOut(WasmEngine engine) {
    try (WasmPlugin p = plugin(engine)) {
      assertEquals(5, p.call("add", 2, 3)[0]);
      assertEquals(12586269025L, p.call("fib", 50)[0]);
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void bytesAndStringsGoThroughLinearMemory(WasmEngine engine) {
    try (WasmPlugin p = plugin(engine)) {
      assertArrayEquals(new byte[] {3, 2, 1}, p.call("reverse", new byte[] {1, 2, 3}));
      assertEquals("hello, world!", p.call("greet", "world"));
      assertEquals("hello, !", p.call("greet", ""));
      String big = "x".repeat(200_000);
      assertEquals("hello, " + big + "!", p.call("greet", big));
      long before = p.memoryBytes();
      for (int i = 0; i < 2000; i++) {
        p.call("greet", "again " + i);
      }
      assertEquals(before, p.memoryBytes(), "dealloc frees both buffers: no growth over 2000 calls");
    }
  }

  @Test
  void grantedHostFunctionsAreCalled() {
    try (WasmPlugin p = plugin(WasmEngine.COMPILER)) {
      assertEquals(0, p.call("log_it", "héllo".getBytes(StandardCharsets.UTF_8)).length);
      assertEquals(List.of("héllo"), logged);
    }
  }

  @Test
  void nothingIsGrantedByDefault() {
    InvalidProgramException e =
        assertThrows(
            InvalidProgramException.class, () -> WasmPlugin.builder(Wasm.module("plugin")).build());
    assertTrue(e.getMessage().contains("strata.log"), e.getMessage());
    assertTrue(e.getMessage().contains("withHostFunction"), "names the fix: " + e.getMessage());
  }

  @Test
  void aTrapIsAnExceptionWithItsStatusAndThePluginLivesOn() {
    try (WasmPlugin p = plugin(WasmEngine.COMPILER)) {
      WasmCallException e = assertThrows(WasmCallException.class, () -> p.call("boom"));
      assertEquals(ExecStatus.TRAPPED, e.status());
      assertEquals(7, p.call("add", 3, 4)[0]);
      InvalidProgramException missing =
          assertThrows(InvalidProgramException.class, () -> p.call("nope"));
      assertTrue(missing.getMessage().contains("nope"));
    }
  }

  @Test
  void aRunawayCallTimesOutAndFuelRunsOut() {
    ResourceLimits tight =
        ResourceLimits.small().toBuilder().withTimeout(Duration.ofMillis(200)).build();
    for (WasmEngine engine : WasmEngine.values()) {
      try (WasmPlugin p =
          WasmPlugin.builder(Wasm.module("plugin"))
              .withLimits(tight)
              .withEngine(engine)
              .withHostFunction(log)
              .build()) {
        // fib(2^31-1) loops for far longer than 200 ms; the call runs on this thread
        WasmCallException e =
            assertThrows(WasmCallException.class, () -> p.call("fib", Integer.MAX_VALUE));
        assertEquals(ExecStatus.TIMED_OUT, e.status(), engine.name());
        assertEquals(false, Thread.currentThread().isInterrupted(), "the interrupt is cleared");
        assertEquals(3, p.call("add", 1, 2)[0]);
      }
    }
    ResourceLimits fuel = ResourceLimits.small().toBuilder().withFuel(10_000L).build();
    try (WasmPlugin p =
        WasmPlugin.builder(Wasm.module("plugin")).withLimits(fuel).withHostFunction(log).build()) {
      assertEquals(ExecStatus.FUEL_EXHAUSTED,
          assertThrows(WasmCallException.class, () -> p.call("fib", 1_000_000)).status());
      assertEquals(55, p.call("fib", 10)[0], "fuel is per call");
    }
  }

  @Test
  void aPluginFromAFactoryMadeSandboxClosesWithIt() {
    WasmPlugin p;
    try (Sandbox sb = Wasm.sandbox(Wasm.spec().build())) {
      p = WasmSandbox.unwrap(sb).loadPlugin(Wasm.module("plugin"), log);
      assertEquals("hello, sandbox!", p.call("greet", "sandbox"));
    }
    assertThrows(SandboxClosedException.class, () -> p.call("add", 1, 2));
  }

  @Test
  void unwrapRefusesOtherSandboxes() {
    try (Sandbox other =
        new dev.strata.sandbox.spi.AbstractSandbox(
            "strata-test-1-0", "test", dev.strata.sandbox.IsolationLevel.PROCESS, Wasm.spec().build()) {
          @Override
          protected dev.strata.sandbox.ExecResult doExec(dev.strata.sandbox.Command command) {
            throw new UnsupportedOperationException();
          }

          @Override
          protected void doClose() {}
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WasmSandbox.unwrap(other));
      assertTrue(e.getMessage().contains("not wasm"), e.getMessage());
    }
  }
}
