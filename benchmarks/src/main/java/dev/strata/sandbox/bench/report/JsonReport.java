package dev.strata.sandbox.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;

/** Renders a {@link Report} as JSON: one object per claim, figures in base units. */
public final class JsonReport {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static String render(Report r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("finishedAt", r.finishedAt().toString());
    root.put("mode", r.mode());
    root.put("tookSeconds", r.took().toSeconds());
    ObjectNode m = root.putObject("machine");
    Machine mc = r.machine();
    m.put("host", mc.host());
    m.put("arch", mc.arch());
    m.put("cpus", mc.cpus());
    m.put("memoryBytes", mc.memoryBytes());
    m.put("acceleration", mc.kvm() ? "kvm" : "tcg");
    m.put("kernel", mc.kernel());
    m.put("cgroups", mc.cgroups());
    m.put("root", mc.root());
    m.put("java", mc.java());
    ObjectNode rt = m.putObject("runtimes");
    new java.util.TreeMap<>(mc.runtimes()).forEach(rt::put);
    ArrayNode be = m.putArray("backends");
    mc.backends().forEach(be::add);

    ObjectNode summary = root.putObject("summary");
    for (Verdict.Outcome o : Verdict.Outcome.values()) {
      summary.put(o.name().toLowerCase(java.util.Locale.ROOT), r.count(o));
    }

    ArrayNode claims = root.putArray("claims");
    for (Evaluation e : r.evaluations()) {
      ObjectNode c = claims.addObject();
      Claim cl = e.claim();
      c.put("id", cl.id());
      c.put("tier", cl.backend());
      c.put("source", cl.source());
      c.put("claim", cl.text());
      c.put("target", cl.target());
      c.put("unit", unit(cl.quantity()));
      putStat(c, "measured", e.measuredKey(), e.measured());
      putStat(c, "baseline", e.baselineKey(), e.baseline());
      putNumber(c, "ratio", e.ratio());
      c.put("verdict", e.verdict().outcome().name().toLowerCase(java.util.Locale.ROOT));
      putNumber(c, "factor", e.verdict().factor());
      c.put("verdictText", e.verdict().text());
      ArrayNode notes = c.putArray("notes");
      e.notes().forEach(notes::add);
    }

    ObjectNode all = root.putObject("measurements");
    for (Map.Entry<String, Stat> e : r.metrics().values().entrySet()) {
      ObjectNode n = all.putObject(e.getKey());
      n.put("unit", unit(Report.quantityOf(e.getKey())));
      fill(n, e.getValue());
      if (r.metrics().isCapped(e.getKey())) {
        n.put("cappedByRun", true);
      }
    }
    ObjectNode failures = root.putObject("failures");
    r.metrics().failures().forEach(failures::put);
    ObjectNode unavailable = root.putObject("unavailableTiers");
    r.metrics().unavailableBackends().forEach(unavailable::put);
    ArrayNode settings = root.putArray("settings");
    r.settings().forEach(settings::add);
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String unit(Quantity q) {
    switch (q) {
      case TIME:
        return "ns";
      case BYTES:
        return "bytes";
      default:
        return "count";
    }
  }

  private static void putStat(ObjectNode parent, String field, String key, Stat st) {
    if (st == null) {
      parent.putNull(field);
      return;
    }
    ObjectNode n = parent.putObject(field);
    n.put("key", key);
    fill(n, st);
  }

  private static void fill(ObjectNode n, Stat st) {
    putNumber(n, "median", st.median());
    putNumber(n, "p95", st.p95());
    putNumber(n, "error", st.error());
    putNumber(n, "mean", st.mean());
    n.put("samples", st.samples());
    n.put("source", st.source());
  }

  /** JSON has no NaN: absent figures are null. */
  private static void putNumber(ObjectNode n, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }
}
