package dev.strata.sandbox.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One run's claims report, written as {@code claims.md}, {@code claims.json} and {@code
 * chart.svg}.
 *
 * @param finishedAt when the run ended
 * @param mode {@code quick}, {@code full} or {@code smoke}
 * @param took how long the run took
 * @param machine the host
 * @param evaluations one per claim
 * @param metrics everything measured, with failures
 * @param settings how JMH and the probes were configured, one line each
 */
public record Report(
    Instant finishedAt,
    String mode,
    Duration took,
    Machine machine,
    List<Evaluation> evaluations,
    Metrics metrics,
    List<String> settings) {

  public Report {
    evaluations = List.copyOf(evaluations);
    settings = List.copyOf(settings);
  }

  /** The quantity a metric key measures, from its prefix. */
  public static Quantity quantityOf(String key) {
    if (key.startsWith("memory:")) {
      return Quantity.BYTES;
    }
    if (key.startsWith("density:")) {
      return Quantity.COUNT;
    }
    return Quantity.TIME;
  }

  public long count(Verdict.Outcome outcome) {
    return evaluations.stream().filter(e -> e.verdict().outcome() == outcome).count();
  }

  /** Writes the three files into {@code dir} (created if needed) and returns their paths. */
  public List<Path> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path md = dir.resolve("claims.md");
    Path json = dir.resolve("claims.json");
    Path svg = dir.resolve("chart.svg");
    Files.writeString(md, MarkdownReport.render(this), StandardCharsets.UTF_8);
    Files.writeString(json, JsonReport.render(this), StandardCharsets.UTF_8);
    Files.writeString(svg, SvgChart.render(this), StandardCharsets.UTF_8);
    return List.of(md, json, svg);
  }
}
