package dev.strata.sandbox.bench.report;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One benchmark of a JMH JSON result file, times converted to nanoseconds per operation.
 *
 * @param benchmark the full name, {@code dev.strata.sandbox.bench.wasm.WasmBenchmark.oursCall}
 * @param params its {@code @Param} values, empty when none
 * @param mode JMH's mode ({@code sample}, {@code avgt}, {@code thrpt}, {@code ss})
 * @param stat median, p95 and error in nanoseconds per operation
 * @param unit JMH's own unit, for the record ({@code us/op})
 */
public record JmhResult(
    String benchmark, Map<String, String> params, String mode, Stat stat, String unit) {

  public JmhResult {
    params = Map.copyOf(params);
  }

  /** The method's simple name: the part after the last dot. */
  public String method() {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  /**
   * The group the benchmark belongs to, from its package: {@code wasm}, {@code linux}, {@code
   * kvm}, {@code baseline}, {@code api}; empty if it lives outside {@code
   * dev.strata.sandbox.bench}.
   */
  public String group() {
    String prefix = BenchNames.ROOT_PACKAGE + ".";
    if (!benchmark.startsWith(prefix)) {
      return "";
    }
    String rest = benchmark.substring(prefix.length());
    int dot = rest.indexOf('.');
    return dot < 0 ? "" : rest.substring(0, dot);
  }

  /**
   * The key claims refer to: {@code jmh:<group>:<method>}, with {@code [k=v,...]} appended when
   * the benchmark has parameters.
   */
  public String key() {
    return BenchNames.jmhKey(group(), method(), params);
  }

  static String paramSuffix(Map<String, String> params) {
    if (params.isEmpty()) {
      return "";
    }
    return new TreeMap<>(params)
        .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",", "[", "]"));
  }
}
