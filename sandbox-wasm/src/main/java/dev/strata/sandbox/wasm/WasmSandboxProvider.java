package dev.strata.sandbox.wasm;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.spi.SandboxProvider;

/**
 * The INSTRUCTION tier: WebAssembly in this JVM on Chicory. Always available; needs no system
 * package. Options: {@code wasm.engine} ({@code compiler}, the default, or {@code interpreter}).
 * System properties: {@code strata.wasm.memoryBudgetBytes} (JVM-wide linear memory budget, default
 * half of the max heap), {@code strata.wasm.cacheDir} (on-disk cache of compiled modules, off by
 * default), {@code strata.wasm.threads} (size of the thread pool guests run on).
 */
public final class WasmSandboxProvider implements SandboxProvider {

  /** For {@link java.util.ServiceLoader}. */
  public WasmSandboxProvider() {}

  @Override
  public String name() {
    return WasmSandbox.BACKEND;
  }

  @Override
  public IsolationLevel isolationLevel() {
    return IsolationLevel.INSTRUCTION;
  }

  @Override
  public Availability availability(HardwareProfile host) {
    MemoryBudget budget = MemoryBudget.global();
    return Availability.ok(
        java.util.List.of(
        "Chicory 1.7.5, WASI preview1; engine: compiler (interpreter by option wasm.engine)",
        "memory budget " + (budget.limit() >> 20) + " MiB for all wasm sandboxes"));
  }

  @Override
  public Sandbox create(SandboxSpec spec, HardwareProfile host) {
    return WasmSandbox.create(spec, MemoryBudget.global());
  }
}
