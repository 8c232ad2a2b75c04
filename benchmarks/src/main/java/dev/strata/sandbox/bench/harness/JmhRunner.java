package dev.strata.sandbox.bench.harness;

import dev.strata.sandbox.bench.report.JmhJson;
import dev.strata.sandbox.bench.report.JmhResult;
import dev.strata.sandbox.bench.report.Stat;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs one benchmark at a time through JMH's Runner API, in SampleTime mode (so there are medians
 * and p95s), JSON results, and JMH's own output in a log file that a tailer condenses onto the
 * terminal.
 */
final class JmhRunner {

  /** What one benchmark run gave: results, or why there are none. */
  record Outcome(List<JmhResult> results, String failure, Path log) {}

  private static final long LOCK_WAIT_SECONDS = 120;

  /** Below this median a sampled call is mostly timer overhead and granularity. */
  static final double TIMER_RESOLVED_NS = 2_000;

  private final Path workDir;
  private final PrintStream terminal;
  private final java.util.Set<String> warnings = new java.util.LinkedHashSet<>();

  JmhRunner(Path workDir, PrintStream terminal) {
    this.workDir = workDir;
    this.terminal = terminal;
  }

  /** Every benchmark name compiled into this class path ({@code META-INF/BenchmarkList}). */
  static List<String> listBenchmarks() {
    OutputFormat silent = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
    SortedSet<String> names = new TreeSet<>();
    try {
      for (BenchmarkListEntry e : BenchmarkList.defaultList().getAll(silent, List.of())) {
        names.add(e.getUsername());
      }
    } catch (RuntimeException e) {
      // no BenchmarkList resource: nothing compiled with the annotation processor
    }
    return new ArrayList<>(names);
  }

  Outcome run(BenchmarkPlan.Entry entry, HarnessOptions.Jmh settings) throws IOException {
    Files.createDirectories(workDir);
    String file = entry.label().replaceAll("[^A-Za-z0-9_.=-]", "_");
    Path json = workDir.resolve(file + ".json");
    Path log = workDir.resolve(file + ".log");
    Files.deleteIfExists(json);
    ChainedOptionsBuilder b = options(entry, settings, Mode.SampleTime, json, log);
    Tailer tailer = new Tailer(log, terminal);
    tailer.start();
    String failure = "";
    try {
      runHoldingTheLock(b);
    } catch (RunnerException | RuntimeException e) {
      failure = failureFrom(log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } finally {
      tailer.finish();
    }
    List<JmhResult> results = Files.exists(json) ? JmhJson.read(json) : List.of();
    if (results.isEmpty() && failure.isEmpty()) {
      failure = failureFrom(log, null);
    }
    if (failure.isEmpty() && results.stream().anyMatch(r -> r.stat().median() < TIMER_RESOLVED_NS)) {
      Path avgJson = workDir.resolve(file + "-avgt.json");
      Path avgLog = workDir.resolve(file + "-avgt.log");
      results = averageTime(options(entry, settings, Mode.AverageTime, avgJson, avgLog).timeUnit(TimeUnit.NANOSECONDS),
          avgJson, avgLog, results);
    }
    return new Outcome(results, failure, log);
  }

  /** JMH options for one benchmark in one mode (a fresh builder: JMH's modes accumulate). */
  private static ChainedOptionsBuilder options(
      BenchmarkPlan.Entry entry, HarnessOptions.Jmh settings, Mode mode, Path json, Path log) {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include("^" + Pattern.quote(entry.name()) + "$")
        .mode(mode)
        .forks(settings.forks())
        .warmupIterations(settings.warmupIterations())
        .warmupTime(TimeValue.milliseconds(settings.warmupMillis()))
        .measurementIterations(settings.iterations())
        .measurementTime(TimeValue.milliseconds(settings.iterationMillis()))
        .timeout(TimeValue.seconds(settings.timeoutSeconds()))
        .threads(1)
        .shouldFailOnError(true)
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .output(log.toString())
        // prepend, not append: a tier's @Fork(jvmArgsAppend = ...) must survive
        .jvmArgsPrepend("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    for (Map.Entry<String, String> p : entry.params().entrySet()) {
      b.param(p.getKey(), p.getValue());
    }
    return b;
  }

  /**
   * SampleTime times each call on its own, so a call of a few tens of nanoseconds is mostly
   * timer: such benchmarks run again in AverageTime, whose mean (with its error) replaces the
   * sampled median; the p95 is then unknown.
   */
  private List<JmhResult> averageTime(ChainedOptionsBuilder b, Path json, Path log, List<JmhResult> sampled)
      throws IOException {
    terminal.println("      nanosecond-scale: measuring again in AverageTime mode (SampleTime cannot resolve it)");
    Files.deleteIfExists(json);
    Tailer tailer = new Tailer(log, terminal);
    tailer.start();
    try {
      runHoldingTheLock(b);
    } catch (RunnerException | RuntimeException e) {
      terminal.println("      AverageTime run failed (" + failureFrom(log, e) + "); keeping the sampled figures");
      return sampled;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return sampled;
    } finally {
      tailer.finish();
    }
    List<JmhResult> out = new ArrayList<>();
    for (JmhResult r : Files.exists(json) ? JmhJson.read(json) : List.<JmhResult>of()) {
      Stat st = r.stat();
      out.add(new JmhResult(r.benchmark(), r.params(), r.mode(),
          new Stat(st.mean(), Double.NaN, st.error(), st.mean(), st.samples(), r.benchmark() + " (AverageTime mean)"), r.unit()));
    }
    return out.isEmpty() ? sampled : out;
  }

  /**
   * JMH refuses to run while another JMH run on the host holds {@code /tmp/jmh.lock} (the tier
   * engineers run theirs too): wait for it rather than measure side by side, up to {@link
   * #LOCK_WAIT_SECONDS}; after that, run anyway and say so.
   */
  private void runHoldingTheLock(ChainedOptionsBuilder b) throws RunnerException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOCK_WAIT_SECONDS);
    while (true) {
      try {
        new Runner(b.build()).run();
        return;
      } catch (RunnerException e) {
        if (!String.valueOf(e.getMessage()).contains("JMH lock")) {
          throw e;
        }
        if (System.nanoTime() > deadline) {
          String w = "another JMH run held /tmp/jmh.lock for over " + LOCK_WAIT_SECONDS
              + " s; benchmarks ran beside it (figures may be slower than on a quiet host)";
          terminal.println("      warning: " + w);
          warnings.add(w);
          System.setProperty("jmh.ignoreLock", "true");
          new Runner(b.build()).run();
          return;
        }
        terminal.println("      another JMH run holds /tmp/jmh.lock; waiting for it...");
        TimeUnit.SECONDS.sleep(5);
      }
    }
  }

  /** Warnings for the report's settings section. */
  java.util.Set<String> warnings() {
    return warnings;
  }

  /** The first line of the benchmark's exception from JMH's log, or the runner's message. */
  static String failureFrom(Path log, Throwable e) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).trim().equals("<failure>")) {
          for (int j = i + 1; j < lines.size(); j++) {
            String l = lines.get(j).trim();
            if (!l.isEmpty()) {
              return l;
            }
          }
        }
      }
    } catch (IOException ignored) {
      // fall through to the exception
    }
    if (e == null) {
      return "no result (see the JMH log " + log + ")";
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Shows JMH's fork and iteration lines, shortened, while a benchmark runs. */
  private static final class Tailer extends Thread {
    private final Path log;
    private final PrintStream terminal;
    private volatile boolean done;
    private long position;

    Tailer(Path log, PrintStream terminal) {
      super("jmh-log-tailer");
      setDaemon(true);
      this.log = log;
      this.terminal = terminal;
    }

    @Override
    public void run() {
      while (!done) {
        pump();
        try {
          TimeUnit.MILLISECONDS.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void finish() {
      done = true;
      interrupt();
      try {
        join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pump();
    }

    private synchronized void pump() {
      if (!Files.exists(log)) {
        return;
      }
      try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
        if (f.length() <= position) {
          return;
        }
        f.seek(position);
        byte[] buf = new byte[(int) (f.length() - position)];
        f.readFully(buf);
        String chunk = new String(buf, StandardCharsets.UTF_8);
        int lastNl = chunk.lastIndexOf('\n');
        if (lastNl < 0) {
          return;
        }
        position += chunk.substring(0, lastNl + 1).getBytes(StandardCharsets.UTF_8).length;
        for (String line : chunk.substring(0, lastNl).split("\n")) {
          String l = line.strip();
          if (l.startsWith("# Fork:") || l.startsWith("# Warmup Iteration") || l.startsWith("Iteration")
              || l.startsWith("<failure>") || l.startsWith("java.") || l.contains("Exception:")) {
            terminal.println("      " + (l.length() > 110 ? l.substring(0, 110) + "…" : l));
          }
        }
      } catch (IOException ignored) {
        // the log may be rotated or not yet written; try again later
      }
    }
  }
}
