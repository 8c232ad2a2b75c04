package dev.strata.sandbox.bench.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.bench.api.TierSetup;
import dev.strata.sandbox.wasm.WasmPlugin;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Runs in its own JVM, one tier at a time: creates idle sandboxes through the public API and
 * writes what they cost to a JSON file the harness reads.
 *
 * <ol>
 *   <li><b>memory</b>: after one warm-up sandbox, creates {@code memoryCount} sandboxes (each runs
 *       the trivial command once, so it is really up), then measures per sandbox: retained heap
 *       (after GC), PSS and RSS of the new processes that belong to them, QEMU RSS, the tier's
 *       own {@code stats().memory()}, and the drop of {@code MemAvailable};
 *   <li><b>density</b>: keeps adding sandboxes until the count cap, the memory budget, the time
 *       limit, or a refusal, then closes every one.
 * </ol>
 *
 * Usage: {@code MemoryDensityProbe <backend> <memoryCount> <cap> <budgetBytes> <seconds> <out.json>}
 */
public final class MemoryDensityProbe {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String backend;
  private final int memoryCount;
  private final int cap;
  private final long budgetBytes;
  private final long deadlineNanos;
  private final ProcMemory proc = ProcMemory.system();
  private final long self = ProcessHandle.current().pid();
  private final ArrayNode out = MAPPER.createArrayNode();
  /** WASM: retained heap of an idle 1-page instance, NaN until measured. */
  private double perInstance = Double.NaN;

  private MemoryDensityProbe(String backend, int memoryCount, int cap, long budgetBytes, long seconds) {
    this.backend = backend;
    this.memoryCount = memoryCount;
    this.cap = Math.max(cap, memoryCount);
    this.budgetBytes = budgetBytes;
    this.deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: MemoryDensityProbe <backend> <memoryCount> <cap> <budgetBytes> <seconds> <out.json>");
      System.exit(2);
    }
    MemoryDensityProbe p = new MemoryDensityProbe(
        args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
    int status = 0;
    try {
      p.run();
    } catch (Exception | Error e) {
      p.failure("memory", e);
      status = 1;
    }
    MAPPER.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[5]).toFile(), p.out);
    // sandboxes of the factory are closed; leave no provider threads holding the JVM
    System.exit(status);
  }

  private void run() throws IOException, InterruptedException {
    List<Sandbox> live = new ArrayList<>();
    try (SandboxFactory factory = SandboxFactory.create()) {
      BackendStatus status = factory.availability().stream()
          .filter(b -> b.name().equals(backend)).findFirst().orElse(null);
      if (status == null || !status.available()) {
        throw new IllegalStateException("backend " + backend + " is "
            + (status == null ? "not on the class path" : status.availability().describe()));
      }
      SandboxSpec spec = TierSetup.spec(backend);
      Command command = TierSetup.command(backend);
      try (Sandbox warm = factory.create(spec)) {
        TierSetup.check(warm.exec(command));
      }
      if (backend.equals("wasm")) {
        perInstance = instances(spec);
      }
      try {
        measure(factory, spec, command, live);
      } finally {
        long t0 = System.nanoTime();
        int n = live.size();
        for (Sandbox s : live) {
          s.close();
        }
        live.clear();
        progress("closed %d sandboxes in %.1f s", n, (System.nanoTime() - t0) / 1e9);
      }
    }
  }

  /**
   * WASM only: idle {@link WasmPlugin}s of the 1-page module. A WASI sandbox keeps no instance
   * between commands; a plugin keeps its instance and its 64 KiB page, the "idle 1-page
   * sandbox" of issue 3's ≤ 70 KiB target.
   */
  private double instances(SandboxSpec spec) throws InterruptedException {
    List<WasmPlugin> plugins = new ArrayList<>();
    byte[] module = TinyWasm.emptyCommand();
    try {
      WasmPlugin.builder(module, "tiny.wasm").withLimits(spec.limits()).build().close();
      long heap0 = usedHeapAfterGc();
      for (int i = 0; i < memoryCount; i++) {
        plugins.add(WasmPlugin.builder(module, "tiny.wasm").withLimits(spec.limits()).build());
      }
      long heap1 = usedHeapAfterGc();
      double per = (heap1 - heap0) / (double) plugins.size();
      put("memory:wasm:perInstance", per, plugins.size(), "retained JVM heap after GC / " + plugins.size()
          + " idle WasmPlugins of the 1-page module (instance and its 64 KiB linear memory kept)");
      progress("memory: %s per idle 1-page instance (WasmPlugin, %d of them)", bytes(per), plugins.size());
      return per;
    } catch (RuntimeException e) {
      ObjectNode n = out.addObject();
      n.put("key", "memory:wasm:perInstance");
      n.putNull("value");
      n.put("error", "instance probe failed: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
      return Double.NaN;
    } finally {
      plugins.forEach(WasmPlugin::close);
    }
  }

  private void measure(SandboxFactory factory, SandboxSpec spec, Command command, List<Sandbox> live)
      throws InterruptedException {
    long heap0 = usedHeapAfterGc();
    Set<Long> pids0 = proc.pids();
    long avail0 = proc.memAvailable();
    long kernel0 = proc.kernelBytes();
    long t0 = System.nanoTime();
    for (int i = 0; i < memoryCount; i++) {
      if (i > 0 && System.nanoTime() > deadlineNanos) {
        progress("memory: time limit reached after %d sandboxes; measuring those", i);
        break;
      }
      live.add(start(factory, spec, command));
      if ((i + 1) % Math.max(1, memoryCount / 5) == 0) {
        progress("memory: %d/%d idle sandboxes", i + 1, memoryCount);
      }
    }
    double createSeconds = (System.nanoTime() - t0) / 1e9;
    long heap1 = usedHeapAfterGc();
    long avail1 = proc.memAvailable();
    long kernel1 = proc.kernelBytes();
    List<String> ids = live.stream().map(Sandbox::id).toList();
    ProcMemory.Usage usage = proc.usageOfNew(pids0, self, ids);
    long statsSum = 0;
    int statsCount = 0;
    for (Sandbox s : live) {
      OptionalLong m = s.stats().memory();
      if (m.isPresent()) {
        statsSum += m.getAsLong();
        statsCount++;
      }
    }
    int n = live.size();
    double heapPer = (heap1 - heap0) / (double) n;
    double statsPer = statsCount == 0 ? Double.NaN : statsSum / (double) statsCount;
    double pssPer = usage.processes() == 0 ? Double.NaN : usage.pssBytes() / (double) n;
    double rssPer = usage.processes() == 0 ? Double.NaN : usage.rssBytes() / (double) n;
    double qemuPer = usage.qemuRssBytes() == 0 ? Double.NaN : usage.qemuRssBytes() / (double) n;
    double availPer = avail0 < 0 || avail1 < 0 ? Double.NaN : (avail0 - avail1) / (double) n;
    double kernelPer = kernel0 < 0 || kernel1 < 0 ? Double.NaN : (kernel1 - kernel0) / (double) n;
    String at = n + " idle sandboxes";
    put("memory:" + backend + ":heapPerSandbox", heapPer, n, "retained JVM heap after GC / " + at);
    put("memory:" + backend + ":statsPerSandbox", statsPer, statsCount, "mean Sandbox.stats().memory() of " + at);
    put("memory:" + backend + ":pssPerSandbox", pssPer, n,
        "PSS of " + usage.processes() + " sandbox processes (/proc/*/smaps_rollup) / " + at);
    put("memory:" + backend + ":rssPerSandbox", rssPer, n, "RSS of " + usage.processes() + " sandbox processes / " + at);
    put("memory:" + backend + ":qemuRssPerSandbox", qemuPer, n, "RSS of the QEMU processes / " + at);
    put("memory:" + backend + ":kernelPerSandbox", kernelPer, n,
        "growth of Slab + KernelStack + PageTables / " + at + " (host-wide: other work on the host adds noise)");
    put("memory:" + backend + ":memAvailableDropPerSandbox", availPer, n,
        "drop of MemAvailable / " + at + " (noisy on a shared host)");

    // the figure the claims use: what the issue names for the tier
    double primary;
    String how;
    switch (backend) {
      case "wasm":
        primary = heapPer;
        how = "retained JVM heap after GC / " + at + " (each ran the 1-page module once; its linear"
            + " memory counts only if the tier keeps the instance between execs)";
        break;
      case "kvm":
        primary = !Double.isNaN(qemuPer) ? qemuPer : !Double.isNaN(rssPer) ? rssPer : statsPer;
        how = !Double.isNaN(qemuPer) ? "QEMU RSS / " + at : "RSS of sandbox processes or stats() / " + at;
        break;
      default:
        // conservative: user memory (the larger of PSS and the cgroup's charge) plus the kernel's
        // growth, which the cgroup may partly count already
        double user = Math.max(Double.isNaN(pssPer) ? 0 : pssPer, Double.isNaN(statsPer) ? 0 : statsPer);
        primary = user + (Double.isNaN(kernelPer) ? 0 : Math.max(0, kernelPer));
        how = "max(PSS of the sandbox's host processes, cgroup memory from stats()) + kernel growth"
            + " (Slab, stacks, page tables) / " + at;
    }
    put("memory:" + backend + ":perSandbox", primary, n, how);
    progress("memory: %s per idle sandbox (%s); %d created in %.1f s", bytes(primary), how, n, createSeconds);

    density(factory, spec, command, live, heap0, avail0, primary);
  }

  private void density(SandboxFactory factory, SandboxSpec spec, Command command, List<Sandbox> live,
      long heap0, long avail0, double perSandbox) {
    long t0 = System.nanoTime();
    int start = live.size();
    String stop = "count cap " + cap;
    boolean capped = true;
    int step = Math.max(1, cap / 20);
    long hostTotal = proc.memTotal();
    while (live.size() < cap) {
      if (System.nanoTime() > deadlineNanos) {
        stop = "time limit";
        break;
      }
      try {
        live.add(start(factory, spec, command));
      } catch (RuntimeException e) {
        stop = "refused: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        capped = false;
        break;
      }
      if (live.size() % step == 0) {
        long used = backend.equals("wasm") ? usedHeap() - heap0 : avail0 - proc.memAvailable();
        progress("density: %d/%d live, %s used of the %s budget", live.size(), cap, bytes(used), bytes(budgetBytes));
        if (used > budgetBytes) {
          stop = "memory budget " + bytes(budgetBytes);
          capped = false;
          break;
        }
        long avail = proc.memAvailable();
        if (hostTotal > 0 && avail >= 0 && avail < hostTotal / 10) {
          stop = "host memory below 10% free";
          capped = false;
          break;
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    int held = live.size();
    if (backend.equals("wasm") && held > memoryCount) {
      // more sandboxes, a steadier figure: retained heap per sandbox at the highest count
      try {
        double atMax = (usedHeapAfterGc() - heap0) / (double) held;
        put("memory:wasm:heapPerSandboxAtMax", atMax, held, "retained JVM heap after GC / " + held + " idle sandboxes");
        perSandbox = Math.max(perSandbox, atMax);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String key = "density:" + backend + ":held";
    put(key, held, held, String.format(Locale.ROOT, "idle sandboxes held at once; stopped by %s; %.1f created/s",
        stop, (held - start) / Math.max(seconds, 1e-9)));
    ObjectNode last = (ObjectNode) out.get(out.size() - 1);
    last.put("capped", capped);
    // a WASM sandbox that keeps state keeps an instance: project with the heavier of the two
    String basis = "";
    if (!Double.isNaN(perInstance) && perInstance > perSandbox) {
      perSandbox = perInstance;
      basis = " (an idle 1-page instance, the heavier WASM figure)";
    }
    // per host: what the host's memory holds at the measured cost each, or what was really held
    long usable = backend.equals("wasm") ? Math.max(Runtime.getRuntime().maxMemory(), hostTotal * 9 / 10) : hostTotal * 9 / 10;
    double projected = perSandbox > 0 ? Math.floor(usable / perSandbox) : Double.NaN;
    double perHost = Double.isNaN(projected) ? held : Math.max(held, capped ? projected : Math.min(projected, held));
    String how = capped && !Double.isNaN(projected)
        ? String.format(Locale.ROOT, "projected: 90%% of host memory (%s) / %s each%s; %d really held (run's cap)",
            bytes(usable), bytes(perSandbox), basis, held)
        : String.format(Locale.ROOT, "really held %d before: %s", held, stop);
    put("density:" + backend + ":perHost", perHost, held, how);
    progress("density: held %d (%s); per host %s", held, stop, how);
  }

  private Sandbox start(SandboxFactory factory, SandboxSpec spec, Command command) {
    Sandbox s = factory.create(spec);
    try {
      TierSetup.check(s.exec(command));
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void put(String key, double value, long samples, String source) {
    ObjectNode n = out.addObject();
    n.put("key", key);
    if (Double.isNaN(value)) {
      n.putNull("value");
    } else {
      n.put("value", value);
    }
    n.put("samples", samples);
    n.put("source", source);
  }

  private void failure(String phase, Throwable e) {
    ObjectNode n = out.addObject();
    n.put("key", "memory:" + backend + ":perSandbox");
    n.putNull("value");
    n.put("error", phase + " probe failed: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
    System.err.println("probe[" + backend + "] failed:");
    e.printStackTrace();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private void progress(String fmt, Object... args) {
    System.err.println("    [" + backend + "] " + String.format(Locale.ROOT, fmt, args));
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, usedHeap());
    }
    return best;
  }

  static String bytes(double b) {
    return dev.strata.sandbox.bench.report.Quantity.BYTES.format(b);
  }
}
