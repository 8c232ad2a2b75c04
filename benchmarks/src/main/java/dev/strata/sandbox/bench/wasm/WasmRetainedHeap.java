package dev.strata.sandbox.bench.wasm;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.wasm.WasmPlugin;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Retained JVM heap per idle INSTRUCTION sandbox, measured after full GCs: (a) idle {@link
 * Sandbox}es from the factory (a WASI sandbox holds no instance between commands), (b) idle
 * {@link WasmPlugin}s of the 1-page {@code add} module (instance and its 64 KiB of linear memory
 * kept). Usage: {@code WasmRetainedHeap [count]} (default 20000); run with a large -Xmx (and
 * -Dstrata.wasm.memoryBudgetBytes) to try 100,000.
 */
public final class WasmRetainedHeap {

  private WasmRetainedHeap() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    ResourceLimits limits = ResourceLimits.small().toBuilder().withMemoryBytes(1L << 20).build();
    try (SandboxFactory factory = SandboxFactory.create()) {
      SandboxSpec spec = SandboxSpec.exactly(IsolationLevel.INSTRUCTION).withLimits(limits).build();
      // warm up the classes and the module cache
      factory.create(spec).close();
      WasmPlugin.builder(WasmModules.add(), "add.wasm").withLimits(limits).build().close();

      long base = usedAfterGc();
      List<Sandbox> sandboxes = new ArrayList<>(n);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sandboxes.add(factory.create(spec));
      }
      double createUs = (System.nanoTime() - t0) / 1e3 / n;
      long withSandboxes = usedAfterGc();
      report("idle sandbox (factory, WASI, no instance)", n, withSandboxes - base, createUs);
      sandboxes.forEach(Sandbox::close);
      sandboxes.clear();

      base = usedAfterGc();
      List<WasmPlugin> plugins = new ArrayList<>(n);
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        plugins.add(WasmPlugin.builder(WasmModules.add(), "add.wasm").withLimits(limits).build());
      }
      createUs = (System.nanoTime() - t0) / 1e3 / n;
      long withPlugins = usedAfterGc();
      report("idle 1-page plugin (instance + 64 KiB memory)", n, withPlugins - base, createUs);
      long sum = 0;
      for (WasmPlugin p : plugins) {
        sum += p.call("add", 1, 1)[0];
      }
      System.out.println("all " + n + " plugins answer: " + (sum == 2L * n));
      plugins.forEach(WasmPlugin::close);
    }
  }

  private static void report(String what, int n, long bytes, double createUs) {
    System.out.printf(
        "%s: %d live, %.1f KiB retained each (%.1f KiB beyond 64 KiB of linear memory), %.1f us to"
            + " create each%n",
        what, n, bytes / 1024.0 / n, bytes / 1024.0 / n - 64, createUs);
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed();
  }
}
