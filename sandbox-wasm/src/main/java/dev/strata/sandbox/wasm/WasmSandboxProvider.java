package dev.strata.sandbox.wasm;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.spi.SandboxIds;
import dev.strata.sandbox.spi.SandboxProvider;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

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
    // the factory asks once when it starts: the moment to clear what dead JVMs left
    reapOnce();
    MemoryBudget budget = MemoryBudget.global();
    return Availability.ok(
        java.util.List.of(
        "Chicory 1.7.5, WASI preview1; engine: compiler (interpreter by option wasm.engine)",
        "memory budget " + (budget.limit() >> 20) + " MiB for all wasm sandboxes"));
  }

  @Override
  public Sandbox create(SandboxSpec spec, HardwareProfile host) {
    reapOnce();
    return WasmSandbox.create(spec, MemoryBudget.global());
  }

  private static final AtomicBoolean REAPED = new AtomicBoolean();

  private static void reapOnce() {
    if (REAPED.compareAndSet(false, true)) {
      reapStaleScratch(Path.of(System.getProperty("java.io.tmpdir")));
    }
  }

  /**
   * Deletes the scratch directories of wasm sandboxes whose JVM died without closing them (killed,
   * crashed). Their names start with the sandbox id, which carries the owner's pid.
   */
  static int reapStaleScratch(Path tmp) {
    int reaped = 0;
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(tmp, SandboxIds.PREFIX + WasmSandbox.BACKEND + "-*-scratch-*")) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        String id = name.substring(0, name.indexOf("-scratch-"));
        if (SandboxIds.isStale(id) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          WasmSandbox.deleteTree(dir);
          reaped++;
        }
      }
    } catch (IOException e) {
      // the reaper is best effort: a later JVM tries again
    }
    return reaped;
  }
}
