package dev.strata.sandbox.bench.harness;

import dev.strata.sandbox.bench.report.BenchNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which JMH benchmarks a run executes, in order: the baseline, then per tier its own benchmarks
 * and the harness's API fallbacks it lacks. Pure logic over benchmark names.
 */
public final class BenchmarkPlan {

  /**
   * One benchmark to run.
   *
   * @param name {@code package.Class.method}
   * @param group the package group: {@code baseline}, {@code wasm}, {@code linux}, {@code kvm},
   *     {@code api}
   * @param backend the tier it measures ({@code baseline} for the baseline)
   * @param params JMH parameters to set ({@code tier} for the API fallback)
   */
  public record Entry(String name, String group, String backend, Map<String, String> params) {
    public Entry {
      params = Map.copyOf(params);
    }

    /** The method's name. */
    public String method() {
      return name.substring(name.lastIndexOf('.') + 1);
    }

    /** The metric key its result will have. */
    public String key() {
      return BenchNames.jmhKey(group, method(), params);
    }

    /** For the progress line: {@code linux.LinuxBenchmark.rawRuncRun} or with {@code [tier=kvm]}. */
    public String label() {
      String shortName = name.substring(BenchNames.ROOT_PACKAGE.length() + 1);
      return params.isEmpty() ? shortName : shortName + params.toString().replace('{', '[').replace('}', ']');
    }
  }

  private static final Pattern CONVENTION = Pattern.compile(BenchNames.INCLUDE_ALL);

  /** The API fallback methods, and the tier methods that make each unnecessary. */
  private static final Map<String, List<String>> FALLBACK_UNLESS = Map.of(
      BenchNames.OURS_CREATE_EXEC_CLOSE, List.of(BenchNames.OURS_CREATE_EXEC_CLOSE, BenchNames.OURS_BOOT_TO_FIRST_EXEC),
      BenchNames.OURS_WARM_EXEC, List.of(BenchNames.OURS_WARM_EXEC));

  /**
   * API fallbacks that apply to some tiers only (the claim exists only there); the others run for
   * every tier.
   */
  private static final Map<String, Set<String>> FALLBACK_TIERS = Map.of(
      BenchNames.OURS_POOLED_ACQUIRE, Set.of("wasm"),
      BenchNames.OURS_POOLED_ACQUIRE_EXEC, Set.of("linux", "kvm"));

  private final List<Entry> entries;
  private final Map<String, String> skipped;

  private BenchmarkPlan(List<Entry> entries, Map<String, String> skipped) {
    this.entries = List.copyOf(entries);
    this.skipped = Map.copyOf(skipped);
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Benchmarks found but not run, with why (a metric key or a name to the reason). */
  public Map<String, String> skipped() {
    return skipped;
  }

  /**
   * @param found every benchmark name JMH knows ({@code package.Class.method})
   * @param asked the tiers the user asked for
   * @param available the tiers that can run here
   * @param include an extra filter on names, or null
   * @param withBaseline whether to run the baseline group
   */
  public static BenchmarkPlan build(
      Iterable<String> found, Set<String> asked, Set<String> available, @Nullable String include, boolean withBaseline) {
    Pattern extra = include == null ? null : Pattern.compile(include);
    Map<String, TreeSet<String>> byGroup = new LinkedHashMap<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (String name : new TreeSet<>(toList(found))) {
      if (!CONVENTION.matcher(name).matches()) {
        continue;
      }
      if (extra != null && !extra.matcher(name).find()) {
        continue;
      }
      String group = name.substring(BenchNames.ROOT_PACKAGE.length() + 1, name.indexOf('.', BenchNames.ROOT_PACKAGE.length() + 1));
      byGroup.computeIfAbsent(group, g -> new TreeSet<>()).add(name);
    }
    List<Entry> out = new ArrayList<>();
    if (withBaseline) {
      for (String n : byGroup.getOrDefault("baseline", new TreeSet<>())) {
        out.add(new Entry(n, "baseline", "baseline", Map.of()));
      }
    }
    for (String tier : List.of("wasm", "linux", "kvm")) {
      TreeSet<String> own = byGroup.getOrDefault(tier, new TreeSet<>());
      if (!asked.contains(tier)) {
        own.forEach(n -> skipped.put(n, "tier " + tier + " not asked for"));
        continue;
      }
      if (!available.contains(tier)) {
        own.forEach(n -> skipped.put(n, "tier " + tier + " unavailable here"));
        continue;
      }
      Set<String> ownMethods = new TreeSet<>();
      for (String n : own) {
        out.add(new Entry(n, tier, tier, Map.of()));
        ownMethods.add(n.substring(n.lastIndexOf('.') + 1));
      }
      for (String n : byGroup.getOrDefault("api", new TreeSet<>())) {
        String method = n.substring(n.lastIndexOf('.') + 1);
        if (!FALLBACK_TIERS.getOrDefault(method, Set.of(tier)).contains(tier)) {
          continue;
        }
        List<String> unless = FALLBACK_UNLESS.getOrDefault(method, List.of(method));
        if (unless.stream().anyMatch(ownMethods::contains)) {
          skipped.put(n + "[tier=" + tier + "]", "the " + tier + " tier has its own benchmark");
          continue;
        }
        out.add(new Entry(n, "api", tier, Map.of("tier", tier)));
      }
    }
    return new BenchmarkPlan(out, skipped);
  }

  private static List<String> toList(Iterable<String> it) {
    List<String> l = new ArrayList<>();
    it.forEach(l::add);
    return l;
  }
}
