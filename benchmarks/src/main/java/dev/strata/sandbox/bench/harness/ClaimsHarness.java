package dev.strata.sandbox.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.bench.memory.MemoryDensityProbe;
import dev.strata.sandbox.bench.report.Claims;
import dev.strata.sandbox.bench.report.Evaluation;
import dev.strata.sandbox.bench.report.Evaluator;
import dev.strata.sandbox.bench.report.JmhResult;
import dev.strata.sandbox.bench.report.Machine;
import dev.strata.sandbox.bench.report.Metrics;
import dev.strata.sandbox.bench.report.Quantity;
import dev.strata.sandbox.bench.report.Report;
import dev.strata.sandbox.bench.report.Stat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./strata bench [--quick]}: runs the JMH benchmarks of every available tier and the
 * baseline, the memory and density probes, and writes {@code claims.md}, {@code claims.json} and
 * {@code chart.svg}. See benchmarks/README.md for the naming convention tier benchmarks follow.
 */
public final class ClaimsHarness {

  private final HarnessOptions options;
  private final PrintStream terminal;

  public ClaimsHarness(HarnessOptions options, PrintStream terminal) {
    this.options = options;
    this.terminal = terminal;
  }

  public static void main(String[] args) throws IOException {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // the tiers' INFO lines would drown the progress lines; warnings still show
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(HarnessOptions.USAGE);
      return;
    }
    HarnessOptions options;
    try {
      options = HarnessOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Report report = new ClaimsHarness(options, System.out).run();
    System.exit(report == null ? 1 : 0);
  }

  /** Runs everything and writes the report; returns it. */
  public Report run() throws IOException {
    Instant start = Instant.now();
    HardwareProfile hw;
    List<BackendStatus> backends;
    Set<String> available = new LinkedHashSet<>();
    Metrics metrics = new Metrics();
    try (SandboxFactory factory = SandboxFactory.create()) {
      hw = factory.hardwareProfile();
      backends = factory.availability();
    }
    for (String tier : List.of("wasm", "linux", "kvm")) {
      BackendStatus b = backends.stream().filter(s -> s.name().equals(tier)).findFirst().orElse(null);
      if (!options.tiers().contains(tier)) {
        metrics.unavailable(tier, "not asked for in this run (--tiers " + String.join(",", options.tiers()) + ")");
      } else if (b == null) {
        metrics.unavailable(tier, "backend '" + tier + "' is not on the class path (no provider found)");
      } else if (!b.available()) {
        metrics.unavailable(tier, b.availability().describe());
      } else {
        available.add(tier);
      }
    }
    Machine machine = MachineProbe.describe(hw, backends);
    Path out = options.out() != null
        ? options.out()
        : options.resultsRoot().resolve(LocalDate.now(ZoneOffset.UTC) + "-" + machine.host());
    Path work = out.resolve("raw");
    banner(machine, available, metrics, out);

    List<String> settings = new ArrayList<>(options.describe());
    if (options.runJmh()) {
      runJmh(work, available, metrics).forEach(w -> settings.add("warning: " + w));
    }
    if (options.runMemory()) {
      for (String tier : available) {
        runProbe(tier, work, metrics);
      }
    }
    List<Evaluation> evaluations = new Evaluator(metrics, machine.kvm()).evaluate(Claims.all());
    Report report = new Report(Instant.now(), options.mode().label(), Duration.between(start, Instant.now()),
        machine, evaluations, metrics, settings);
    List<Path> files = report.writeTo(out);
    printSummary(report, files);
    return report;
  }

  private void banner(Machine m, Set<String> available, Metrics metrics, Path out) {
    terminal.printf(Locale.ROOT, "Strata claims harness, %s mode, on %s: %d cores, %s, %s%n",
        options.mode().label(), m.host(), m.cpus(), Quantity.BYTES.format(m.memoryBytes()), m.accel());
    terminal.println("  tiers measured: " + (available.isEmpty() ? "none" : String.join(", ", available)));
    metrics.unavailableBackends().forEach((t, why) -> terminal.println("  not measured: " + t + ": " + why));
    terminal.println("  report: " + out);
  }

  /** Runs the plan; returns warnings for the report. */
  private java.util.Collection<String> runJmh(Path work, Set<String> available, Metrics metrics) throws IOException {
    List<String> found = JmhRunner.listBenchmarks();
    BenchmarkPlan plan = BenchmarkPlan.build(found, options.tiers(), available, options.include(), options.runBaseline());
    List<BenchmarkPlan.Entry> entries = plan.entries();
    long total = entries.stream().mapToLong(e -> options.jmh(e.backend().equals("baseline") ? "baseline" : e.backend()).estimateSeconds(2)).sum();
    terminal.printf(Locale.ROOT, "JMH: %d benchmark runs planned from %d benchmark methods found, about %s%n",
        entries.size(), found.size(), eta(total));
    plan.skipped().forEach((n, why) -> terminal.println("  skipped " + n + ": " + why));
    JmhRunner runner = new JmhRunner(work, terminal);
    long left = total;
    long jmhStart = System.nanoTime();
    long budget = options.jmhBudgetSeconds();
    for (int i = 0; i < entries.size(); i++) {
      BenchmarkPlan.Entry e = entries.get(i);
      HarnessOptions.Jmh settings = options.jmh(e.backend().equals("baseline") ? "baseline" : e.backend());
      long est = settings.estimateSeconds(2);
      long spent = (System.nanoTime() - jmhStart) / 1_000_000_000L;
      if (budget > 0 && spent + est > budget) {
        String why = "skipped: the " + options.mode().label() + " mode's JMH time budget (" + budget + " s) ran out";
        metrics.fail(e.key(), why);
        terminal.printf(Locale.ROOT, "[%d/%d] %s %s%n", i + 1, entries.size(), e.label(), why);
        continue;
      }
      terminal.printf(Locale.ROOT, "[%d/%d] %s (~%s; about %s left in JMH)%n", i + 1, entries.size(), e.label(), eta(est), eta(left));
      long t0 = System.nanoTime();
      JmhRunner.Outcome o = runner.run(e, settings);
      left -= est;
      double took = (System.nanoTime() - t0) / 1e9;
      if (o.results().isEmpty()) {
        metrics.fail(e.key(), o.failure());
        terminal.printf(Locale.ROOT, "      FAILED after %.0f s: %s%n", took, o.failure());
        continue;
      }
      for (JmhResult r : o.results()) {
        metrics.put(r.key(), r.stat());
        terminal.printf(Locale.ROOT, "      done in %.0f s: median %s, p95 %s, ±%s (%d samples)%n", took,
            Quantity.TIME.format(r.stat().median()), Quantity.TIME.format(r.stat().p95()),
            Quantity.TIME.format(r.stat().error()), r.stat().samples());
      }
    }
    return runner.warnings();
  }

  private void runProbe(String tier, Path work, Metrics metrics) throws IOException {
    HarnessOptions.Probe p = options.probe(tier);
    Files.createDirectories(work);
    Path result = work.resolve("memory-" + tier + ".json");
    Files.deleteIfExists(result);
    terminal.printf(Locale.ROOT, "memory/density [%s]: %d idle sandboxes, then up to %,d (budget %s, %d s max)%n",
        tier, p.memoryCount(), p.cap(), Quantity.BYTES.format(p.budgetBytes()), p.seconds());
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx" + p.maxHeap(), "-Xms64m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), MemoryDensityProbe.class.getName(),
        tier, String.valueOf(p.memoryCount()), String.valueOf(p.cap()), String.valueOf(p.budgetBytes()),
        String.valueOf(p.seconds()), result.toString()));
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    proc.getOutputStream().close();
    Thread echo = new Thread(() -> {
      try (java.io.BufferedReader r = new java.io.BufferedReader(
          new java.io.InputStreamReader(proc.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          terminal.println(line);
        }
      } catch (IOException ignored) {
        // the probe is gone; its result file says the rest
      }
    }, "probe-output-" + tier);
    echo.setDaemon(true);
    echo.start();
    boolean finished;
    try {
      // the probe closes its sandboxes itself; the margin covers closing thousands of them
      finished = proc.waitFor(p.seconds() + 300, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    if (!finished) {
      proc.destroy();
      try {
        if (!proc.waitFor(30, TimeUnit.SECONDS)) {
          proc.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      metrics.fail("memory:" + tier + ":perSandbox", "the probe did not finish in time");
      return;
    }
    try {
      echo.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!Files.exists(result)) {
      metrics.fail("memory:" + tier + ":perSandbox", "the probe exited with " + proc.exitValue() + " and wrote nothing");
      return;
    }
    importProbe(Files.readString(result), metrics);
  }

  /** Reads the probe's JSON into {@code metrics}. */
  static void importProbe(String json, Metrics metrics) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    for (JsonNode n : root) {
      String key = n.get("key").asText();
      if (n.hasNonNull("error")) {
        metrics.fail(key, n.get("error").asText());
        if (key.endsWith(":perSandbox")) {
          String tier = key.split(":")[1];
          metrics.fail("density:" + tier + ":held", n.get("error").asText());
          metrics.fail("density:" + tier + ":perHost", n.get("error").asText());
        }
        continue;
      }
      if (!n.hasNonNull("value")) {
        continue;
      }
      metrics.put(key, Stat.single(n.get("value").asDouble(), n.path("samples").asLong(), n.path("source").asText()));
      if (n.path("capped").asBoolean(false)) {
        metrics.capped(key);
      }
    }
  }

  private void printSummary(Report r, List<Path> files) {
    terminal.println();
    terminal.println("Claims:");
    for (Evaluation e : r.evaluations()) {
      Stat m = e.measured();
      terminal.printf(Locale.ROOT, "  %-26s %-12s %s%n", e.claim().id(),
          m == null ? "–" : e.claim().quantity().format(m.median()), e.verdict().text());
    }
    terminal.printf(Locale.ROOT, "%nWrote %s (took %s)%n", files, eta(r.took().toSeconds()));
  }

  static String eta(long seconds) {
    return seconds >= 60 ? (seconds / 60) + " min " + (seconds % 60) + " s" : seconds + " s";
  }
}
