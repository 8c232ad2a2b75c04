package dev.strata.sandbox.bench.report;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/** Renders a {@link Report} as GitHub-flavoured Markdown. */
public final class MarkdownReport {

  private static final Map<String, String> TIER_NAMES =
      Map.of("wasm", "INSTRUCTION (wasm)", "linux", "PROCESS (linux)", "kvm", "HARDWARE (kvm)");

  private MarkdownReport() {}

  public static String render(Report r) {
    StringBuilder s = new StringBuilder();
    Machine m = r.machine();
    s.append("# Strata Sandbox — claims report\n\n");
    s.append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(r.finishedAt().atOffset(ZoneOffset.UTC).withNano(0)))
        .append(" UTC · host `").append(m.host()).append("` · ").append(r.mode()).append(" mode · took ")
        .append(formatDuration(r.took())).append("\n\n");
    s.append("**")
        .append(r.count(Verdict.Outcome.HOLDS)).append(" hold, ")
        .append(r.count(Verdict.Outcome.BEATEN)).append(" beaten (better than claimed), ")
        .append(r.count(Verdict.Outcome.FAILS)).append(" fail, ")
        .append(r.count(Verdict.Outcome.NOT_JUDGED)).append(" not judged, ")
        .append(r.count(Verdict.Outcome.NOT_MEASURED)).append(" not measured")
        .append("** of ").append(r.evaluations().size()).append(" claims.\n\n");

    s.append("## Machine\n\n| | |\n|---|---|\n");
    row(s, "cores", String.valueOf(m.cpus()));
    row(s, "memory", Quantity.BYTES.format(m.memoryBytes()));
    row(s, "architecture", m.arch());
    row(s, "VM acceleration", m.accel());
    row(s, "kernel", m.kernel());
    row(s, "cgroups", m.cgroups());
    row(s, "running as", m.root() ? "root" : "an unprivileged user");
    row(s, "JVM", m.java());
    for (Map.Entry<String, String> e : new TreeMap<>(m.runtimes()).entrySet()) {
      row(s, e.getKey(), e.getValue());
    }
    for (String b : m.backends()) {
      row(s, "backend", b);
    }
    s.append('\n');

    s.append("## Claims\n\n");
    s.append("Medians; p95 and JMH's 99.9% error where sampled. Ratio = measured / baseline, both from this run.\n\n");
    s.append("| Tier | Claim | Source | Target | Measured (median) | p95 | ± error | Baseline | Ratio | Verdict |\n");
    s.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Evaluation e : r.evaluations()) {
      Claim c = e.claim();
      Quantity q = c.quantity();
      Stat ms = e.measured();
      Stat bs = e.baseline();
      s.append("| ").append(TIER_NAMES.getOrDefault(c.backend(), c.backend()))
          .append(" | ").append(esc(c.text()))
          .append(" | ").append(c.source())
          .append(" | ").append(esc(c.target()))
          .append(" | ").append(ms == null ? "–" : q.format(ms.median()))
          .append(" | ").append(ms == null ? "–" : q.format(ms.p95()))
          .append(" | ").append(ms == null ? "–" : q.format(ms.error()))
          .append(" | ").append(bs == null ? "–" : q.format(bs.median()) + " (" + shortKey(e.baselineKey()) + ")")
          .append(" | ").append(Double.isNaN(e.ratio()) ? "–" : Quantity.sig(e.ratio()) + "×")
          .append(" | **").append(esc(e.verdict().text())).append("**");
      for (String n : e.notes()) {
        s.append("<br>").append(esc(n));
      }
      s.append(" |\n");
    }
    s.append('\n');

    if (!r.metrics().unavailableBackends().isEmpty()) {
      s.append("## Tiers not measured\n\n");
      r.metrics().unavailableBackends().forEach((b, why) -> s.append("- **").append(b).append("**: ").append(esc(why)).append('\n'));
      s.append('\n');
    }

    s.append("## Every measurement\n\n");
    s.append("| Metric | Median | p95 | ± error | Samples | Source |\n|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Stat> e : r.metrics().values().entrySet()) {
      Quantity q = Report.quantityOf(e.getKey());
      Stat st = e.getValue();
      s.append("| `").append(e.getKey()).append("` | ").append(q.format(st.median()))
          .append(" | ").append(q.format(st.p95())).append(" | ").append(q.format(st.error()))
          .append(" | ").append(st.samples()).append(" | ").append(esc(st.source()))
          .append(r.metrics().isCapped(e.getKey()) ? " (stopped at the run's cap)" : "")
          .append(" |\n");
    }
    if (!r.metrics().failures().isEmpty()) {
      s.append("\nFailed or skipped:\n\n");
      r.metrics().failures().forEach((k, why) -> s.append("- `").append(k).append("`: ").append(esc(why)).append('\n'));
    }
    s.append('\n');

    s.append("## Settings\n\n");
    for (String line : r.settings()) {
      s.append("- ").append(esc(line)).append('\n');
    }
    s.append("\nReproduce: `./strata bench").append("quick".equals(r.mode()) ? " --quick" : "")
        .append("` (see benchmarks/README.md). Chart: `chart.svg`; machine-readable: `claims.json`.\n");
    return s.toString();
  }

  private static void row(StringBuilder s, String k, String v) {
    s.append("| ").append(esc(k)).append(" | ").append(esc(v)).append(" |\n");
  }

  static String shortKey(String key) {
    // jmh:linux:rawRuncRun -> linux rawRuncRun
    if (key == null) {
      return "";
    }
    String k = key.startsWith("jmh:") ? key.substring(4) : key;
    return k.replace(':', ' ');
  }

  static String esc(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  static String formatDuration(java.time.Duration d) {
    long s = d.getSeconds();
    return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
  }
}
