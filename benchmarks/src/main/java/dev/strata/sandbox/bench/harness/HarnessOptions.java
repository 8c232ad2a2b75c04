package dev.strata.sandbox.bench.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a run is configured: the mode's JMH iteration counts per group, the probes' counts and
 * budgets, which tiers, and where the report goes. Parsed from the command line.
 */
public final class HarnessOptions {

  /** JMH settings for one group of benchmarks. Times in milliseconds. */
  public record Jmh(int forks, int warmupIterations, long warmupMillis, int iterations, long iterationMillis, long timeoutSeconds) {
    /** A rough duration of one benchmark, for the progress line. */
    public long estimateSeconds(long perForkOverheadSeconds) {
      long perFork = perForkOverheadSeconds + (warmupIterations * warmupMillis + iterations * iterationMillis) / 1000;
      return Math.max(1, forks) * perFork;
    }
  }

  /** Memory and density probe settings for one tier. */
  public record Probe(int memoryCount, int cap, long budgetBytes, long seconds, String maxHeap) {}

  public enum Mode {
    QUICK,
    FULL,
    /** CI's smoke run: tiny counts, WASM and the baseline only by default. */
    SMOKE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final long GIB = 1L << 30;

  Mode mode = Mode.FULL;
  @Nullable Path out;
  Path resultsRoot = Path.of("benchmarks", "results");
  Set<String> tiers = new LinkedHashSet<>(List.of("wasm", "linux", "kvm"));
  @Nullable String include;
  boolean jmh = true;
  boolean memory = true;
  boolean baseline = true;
  @Nullable Integer forksOverride;

  public Mode mode() {
    return mode;
  }

  public Set<String> tiers() {
    return tiers;
  }

  public boolean runJmh() {
    return jmh;
  }

  public boolean runMemory() {
    return memory;
  }

  public boolean runBaseline() {
    return baseline;
  }

  public @Nullable String include() {
    return include;
  }

  public @Nullable Path out() {
    return out;
  }

  public Path resultsRoot() {
    return resultsRoot;
  }

  /** JMH settings for a group: {@code baseline}, {@code wasm}, {@code linux}, {@code kvm}. */
  public Jmh jmh(String group) {
    Jmh j = jmhDefaults(group);
    if (forksOverride != null) {
      j = new Jmh(forksOverride, j.warmupIterations(), j.warmupMillis(), j.iterations(), j.iterationMillis(), j.timeoutSeconds());
    }
    return j;
  }

  private Jmh jmhDefaults(String group) {
    boolean vm = group.equals("kvm");
    switch (mode) {
      case SMOKE:
        return new Jmh(1, 1, 100, 1, 100, 120);
      case QUICK:
        return vm ? new Jmh(1, 1, 1000, 4, 1000, 300) : new Jmh(1, 1, 1000, 3, 1000, 120);
      default:
        return vm ? new Jmh(1, 2, 1000, 10, 1000, 600) : new Jmh(2, 3, 2000, 5, 3000, 300);
    }
  }

  /**
   * Seconds the JMH part may take before the remaining benchmarks are skipped (reported as not
   * measured), so that quick mode stays under five minutes with the probes; 0 for no limit.
   */
  public long jmhBudgetSeconds() {
    switch (mode) {
      case QUICK:
        return 180;
      case SMOKE:
        return 120;
      default:
        return 0;
    }
  }

  /** Probe settings for a tier. */
  public Probe probe(String backend) {
    switch (mode) {
      case SMOKE:
        switch (backend) {
          case "wasm":
            return new Probe(100, 300, GIB / 4, 20, "512m");
          case "linux":
            return new Probe(3, 5, GIB / 4, 20, "512m");
          default:
            return new Probe(1, 1, GIB, 60, "512m");
        }
      case QUICK:
        switch (backend) {
          case "wasm":
            return new Probe(1000, 10_000, GIB, 30, "2g");
          case "linux":
            return new Probe(10, 50, 2 * GIB, 45, "512m");
          default:
            return new Probe(2, 5, 4 * GIB, 60, "512m");
        }
      default:
        switch (backend) {
          case "wasm":
            return new Probe(10_000, 120_000, 10 * GIB, 900, "12g");
          case "linux":
            return new Probe(50, 1000, 8 * GIB, 900, "1g");
          default:
            return new Probe(5, 100, 12 * GIB, 1800, "1g");
        }
    }
  }

  /** One line per setting for the report. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add("mode: " + mode.label() + "; tiers asked: " + String.join(", ", tiers)
        + (include == null ? "" : "; include: " + include));
    for (String g : List.of("baseline", "wasm", "linux", "kvm")) {
      Jmh j = jmh(g);
      out.add(String.format(Locale.ROOT,
          "JMH %s: SampleTime, %d fork(s), %d warm-up × %d ms, %d measurement × %d ms",
          g, j.forks(), j.warmupIterations(), j.warmupMillis(), j.iterations(), j.iterationMillis()));
    }
    for (String t : List.of("wasm", "linux", "kvm")) {
      Probe p = probe(t);
      out.add(String.format(Locale.ROOT,
          "memory/density %s: memory at %d idle sandboxes; density up to %,d or a %d MiB budget or %d s; probe JVM -Xmx%s",
          t, p.memoryCount(), p.cap(), p.budgetBytes() >> 20, p.seconds(), p.maxHeap()));
    }
    return out;
  }

  static final String USAGE = String.join("\n",
      "usage: ClaimsHarness [--quick | --full | --smoke] [--tiers wasm,linux,kvm] [--include REGEX]",
      "                     [--out DIR | --results-root DIR] [--no-jmh] [--no-memory] [--no-baseline] [--forks N]",
      "  --quick         under 5 minutes on 2 cores: short iterations, small density caps",
      "  --full          the default: longer iterations, 2 forks, density up to 120k / 1000 / 100",
      "  --smoke         CI's check that the harness works: 100 ms iterations, wasm and the baseline",
      "  --tiers         backends to measure (default: all three; unavailable ones are reported as such)",
      "  --include       only JMH benchmarks whose name matches REGEX (the claims of the others: not measured)",
      "  --out           the report directory (default: <results-root>/<date>-<host>)");

  /** Parses the command line. */
  public static HarnessOptions parse(String... args) {
    HarnessOptions o = new HarnessOptions();
    boolean tiersGiven = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          o.mode = Mode.QUICK;
          break;
        case "--full":
          o.mode = Mode.FULL;
          break;
        case "--smoke":
          o.mode = Mode.SMOKE;
          break;
        case "--tiers":
          o.tiers = new LinkedHashSet<>();
          for (String t : value(args, ++i, a).split(",")) {
            String name = Map.of("instruction", "wasm", "process", "linux", "hardware", "kvm")
                .getOrDefault(t.trim().toLowerCase(Locale.ROOT), t.trim().toLowerCase(Locale.ROOT));
            if (!List.of("wasm", "linux", "kvm").contains(name)) {
              throw new IllegalArgumentException("--tiers: unknown tier '" + t + "' (use wasm, linux, kvm)");
            }
            o.tiers.add(name);
          }
          tiersGiven = true;
          break;
        case "--include":
          o.include = value(args, ++i, a);
          break;
        case "--out":
          o.out = Path.of(value(args, ++i, a));
          break;
        case "--results-root":
          o.resultsRoot = Path.of(value(args, ++i, a));
          break;
        case "--no-jmh":
          o.jmh = false;
          break;
        case "--no-memory":
          o.memory = false;
          break;
        case "--no-baseline":
          o.baseline = false;
          break;
        case "--forks":
          o.forksOverride = Integer.parseInt(value(args, ++i, a));
          break;
        case "-h":
        case "--help":
          throw new IllegalArgumentException(USAGE);
        default:
          throw new IllegalArgumentException("unknown argument '" + a + "'\n" + USAGE);
      }
    }
    if (o.mode == Mode.SMOKE && !tiersGiven) {
      o.tiers = new LinkedHashSet<>(List.of("wasm"));
    }
    return o;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
    }
    return args[i];
  }
}
