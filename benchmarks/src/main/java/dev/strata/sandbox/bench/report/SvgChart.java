package dev.strata.sandbox.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A hand-written SVG: two log-scale panels, start-up and memory per idle sandbox, one group per
 * tier. Each group shows the nominal claim as a shaded band, the stricter target as a dashed
 * line, our measurement as a bar and the raw baseline as a grey bar beside it.
 */
public final class SvgChart {

  private static final String[] TIERS = {"wasm", "linux", "kvm"};
  private static final String[] TIER_LABELS = {"INSTRUCTION (wasm)", "PROCESS (linux)", "HARDWARE (kvm)"};
  private static final int WIDTH = 980;
  private static final int HEIGHT = 470;
  private static final int TOP = 70;
  private static final int BOTTOM = 390;
  private static final int PANEL_W = 470;
  private static final int AXIS_W = 70;

  private SvgChart() {}

  /** One panel's content. */
  private record Panel(
      String title, Quantity q, double min, double max, String nominalSuffix, String[] strictIds) {}

  public static String render(Report r) {
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(text(WIDTH / 2.0, 22, "Strata Sandbox: claims vs. measurements (" + esc(r.machine().host()) + ", "
        + r.mode() + " mode, " + r.machine().cpus() + " cores, " + r.machine().accel() + ")", "middle", 14, "bold"));
    s.append(text(WIDTH / 2.0, 40,
        "bars: our median (blue), raw baseline (grey) · shaded: nominal claim · dashed: stricter target · log scale",
        "middle", 11, "normal"));
    panel(s, r, 0, new Panel("Start-up: create to first result", Quantity.TIME, 1e3, 1e12, ".nominal.startup",
        new String[] {null, null, null}));
    panel(s, r, PANEL_W + 20, new Panel("Memory per idle sandbox", Quantity.BYTES, 1e2, 1e12, ".nominal.memory",
        new String[] {"wasm.retained-heap", "linux.memory", "kvm.memory"}));
    s.append("</svg>\n");
    return s.toString();
  }

  private static void panel(StringBuilder s, Report r, int x0, Panel p) {
    int left = x0 + AXIS_W;
    int right = x0 + PANEL_W;
    s.append(text((left + right) / 2.0, TOP - 12, p.title(), "middle", 13, "bold"));
    s.append("<rect x=\"").append(left).append("\" y=\"").append(TOP).append("\" width=\"").append(right - left)
        .append("\" height=\"").append(BOTTOM - TOP).append("\" fill=\"none\" stroke=\"#999\"/>\n");
    for (double v = p.min(); v <= p.max() * 1.0001; v *= 10) {
      double y = y(p, v);
      s.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", left, y, right, y));
      s.append(text(left - 6, y + 4, tick(p.q(), v), "end", 10, "normal"));
    }
    double groupW = (right - left) / 3.0;
    for (int i = 0; i < TIERS.length; i++) {
      double gx = left + i * groupW;
      double cx = gx + groupW / 2;
      s.append(text(cx, BOTTOM + 16, TIER_LABELS[i], "middle", 11, "normal"));
      Optional<Evaluation> nominal = find(r, TIERS[i] + p.nominalSuffix());
      if (nominal.isEmpty()) {
        continue;
      }
      Evaluation e = nominal.get();
      if (e.claim().rule() instanceof Rule.Band b) {
        double lo = Math.max(b.low() <= 0 ? p.min() : b.low(), p.min());
        double hi = Math.min(b.high(), p.max());
        s.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f6d7a7\" opacity=\"0.6\"/>\n",
            gx + 6, y(p, hi), groupW - 12, y(p, lo) - y(p, hi)));
        s.append(text(gx + 10, y(p, hi) + 12, "claim: " + esc(e.claim().target()), "start", 10, "normal"));
      }
      String strictId = p.strictIds()[i];
      if (strictId != null) {
        find(r, strictId).ifPresent(st -> {
          if (st.claim().rule() instanceof Rule.AtMost am) {
            double ty = y(p, am.limit());
            s.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"5,3\"/>\n",
                gx + 4, ty, gx + groupW - 4, ty));
            s.append(text(gx + groupW - 6, ty - 3, "target " + esc(st.claim().target()), "end", 10, "normal"));
          }
        });
      }
      if (e.measured() == null) {
        s.append(text(cx, (TOP + BOTTOM) / 2.0, "not measured", "middle", 11, "italic"));
        continue;
      }
      bar(s, p, cx - 30, e.measured().median(), "#2e6da4", p.q().format(e.measured().median()));
      if (e.baseline() != null) {
        bar(s, p, cx + 4, e.baseline().median(), "#9a9a9a", p.q().format(e.baseline().median()));
        s.append(text(cx + 17, BOTTOM - 4, "raw", "middle", 9, "normal").replace("fill=\"#222\"", "fill=\"white\""));
        s.append(text(cx, BOTTOM + 44, "grey: " + esc(baselineName(e.baselineKey())), "middle", 9, "normal"));
      }
      s.append(text(cx, BOTTOM + 30, e.verdict().outcome().label(), "middle", 10, "bold"));
    }
  }

  private static void bar(StringBuilder s, Panel p, double x, double v, String color, String label) {
    double clamped = Math.max(Math.min(v, p.max()), p.min());
    double top = y(p, clamped);
    s.append(String.format(Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"26\" height=\"%.1f\" fill=\"%s\"/>\n", x, top, BOTTOM - top, color));
    s.append(text(x + 13, top - 4, label, "middle", 10, "normal"));
  }

  /** {@code jmh:linux:rawRuncRun} → {@code runc run}-like short names for the legend. */
  static String baselineName(String key) {
    if (key == null) {
      return "";
    }
    String method = key.substring(key.lastIndexOf(':') + 1);
    if (method.startsWith("raw")) {
      method = method.substring(3);
    }
    return method.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
  }

  private static Optional<Evaluation> find(Report r, String id) {
    return r.evaluations().stream().filter(e -> e.claim().id().equals(id)).findFirst();
  }

  static double y(Panel p, double v) {
    double lv = Math.log10(Math.max(v, p.min()));
    double f = (lv - Math.log10(p.min())) / (Math.log10(p.max()) - Math.log10(p.min()));
    return BOTTOM - f * (BOTTOM - TOP);
  }

  private static String tick(Quantity q, double v) {
    int exp = (int) Math.round(Math.log10(v));
    if (q == Quantity.TIME) {
      String[] units = {"ns", "µs", "ms", "s"};
      int u = Math.min(exp / 3, units.length - 1);
      return (long) Math.pow(10, exp - 3 * u) + " " + units[u];
    }
    List<String> units = List.of("B", "kB", "MB", "GB", "TB");
    return (long) Math.pow(10, exp % 3) + " " + units.get(exp / 3);
  }

  private static String text(double x, double y, String t, String anchor, int size, String weight) {
    String style = "italic".equals(weight) ? " font-style=\"italic\"" : " font-weight=\"" + weight + "\"";
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s fill=\"#222\">%s</text>\n",
        x, y, anchor, size, style, t);
  }

  /** Escapes XML text. Labels built from measured values go through here too. */
  static String esc(String t) {
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
