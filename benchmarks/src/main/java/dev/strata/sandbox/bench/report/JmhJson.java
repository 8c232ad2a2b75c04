package dev.strata.sandbox.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads JMH's {@code -rf json} output into {@link JmhResult}s, in nanoseconds per operation. */
public final class JmhJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JmhJson() {}

  public static List<JmhResult> read(Path file) throws IOException {
    if (Files.size(file) == 0) {
      return List.of(); // JMH writes an empty file when every benchmark failed
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    }
  }

  public static List<JmhResult> read(InputStream in) throws IOException {
    JsonNode root = MAPPER.readTree(in);
    if (root == null || root.isMissingNode()) {
      return List.of();
    }
    if (!root.isArray()) {
      throw new IOException("not a JMH JSON result: the top level is not an array");
    }
    List<JmhResult> out = new ArrayList<>();
    for (JsonNode b : root) {
      out.add(parseOne(b));
    }
    return out;
  }

  private static JmhResult parseOne(JsonNode b) throws IOException {
    String name = text(b, "benchmark");
    String mode = text(b, "mode");
    Map<String, String> params = new LinkedHashMap<>();
    JsonNode p = b.get("params");
    if (p != null && p.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        params.put(e.getKey(), e.getValue().asText());
      }
    }
    JsonNode m = b.get("primaryMetric");
    if (m == null) {
      throw new IOException("JMH result " + name + " has no primaryMetric");
    }
    String unit = text(m, "scoreUnit");
    double score = number(m.get("score"));
    double error = number(m.get("scoreError"));
    JsonNode pct = m.get("scorePercentiles");
    double p50 = pct == null ? Double.NaN : number(pct.get("50.0"));
    double p95 = pct == null ? Double.NaN : number(pct.get("95.0"));
    long samples = countSamples(m);
    boolean throughput = unit.startsWith("ops/");
    double factor = toNanos(unit, name);
    Stat stat;
    if (throughput) {
      // ops per unit: invert into time per op; percentiles of a rate do not invert into
      // percentiles of time, so only the mean is kept
      double nsPerOp = factor / score;
      stat = new Stat(nsPerOp, Double.NaN, Double.isNaN(error) ? Double.NaN : nsPerOp * error / score, nsPerOp, samples, name);
    } else {
      boolean sampled = "sample".equals(mode);
      double median = sampled && !Double.isNaN(p50) ? p50 * factor : score * factor;
      double p95ns = sampled || "ss".equals(mode) ? p95 * factor : Double.NaN;
      stat = new Stat(median, p95ns, error * factor, score * factor, samples, name);
    }
    return new JmhResult(name, params, mode, stat, unit);
  }

  private static long countSamples(JsonNode m) {
    long n = 0;
    JsonNode hist = m.get("rawDataHistogram");
    if (hist != null && hist.isArray()) {
      for (JsonNode fork : hist) {
        for (JsonNode iteration : fork) {
          for (JsonNode bin : iteration) {
            n += bin.size() > 1 ? bin.get(1).asLong() : 0;
          }
        }
      }
      return n;
    }
    JsonNode raw = m.get("rawData");
    if (raw != null && raw.isArray()) {
      for (JsonNode fork : raw) {
        n += fork.size();
      }
    }
    return n;
  }

  /** Nanoseconds in one of the unit's time unit: {@code us/op} → 1000, {@code ops/ms} → 1e6. */
  static double toNanos(String unit, String benchmark) throws IOException {
    String u = unit.toLowerCase(Locale.ROOT);
    String time = u.startsWith("ops/") ? u.substring(4) : u.endsWith("/op") ? u.substring(0, u.length() - 3) : u;
    switch (time) {
      case "ns":
        return 1;
      case "us":
        return 1e3;
      case "ms":
        return 1e6;
      case "s":
        return 1e9;
      case "min":
        return 60e9;
      case "hr":
        return 3600e9;
      default:
        throw new IOException("JMH result " + benchmark + " has an unknown unit: " + unit);
    }
  }

  private static String text(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("JMH result is missing '" + field + "'");
    }
    return v.asText();
  }

  /** JMH writes NaN as the string "NaN". */
  private static double number(JsonNode v) {
    if (v == null || v.isNull()) {
      return Double.NaN;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    try {
      return Double.parseDouble(v.asText());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
