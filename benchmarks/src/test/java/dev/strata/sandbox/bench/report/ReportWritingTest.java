package dev.strata.sandbox.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportWritingTest {

  private static Report report() {
    Metrics m = new Metrics()
        .put(BenchNames.tier("wasm", "oursCreateExecClose"), new Stat(400_000, 900_000, 20_000, 420_000, 500, "w"))
        .put(BenchNames.tier("wasm", "rawCreateExecClose"), new Stat(380_000, 800_000, 20_000, 390_000, 500, "r"))
        .put(BenchNames.memory("wasm", "perSandbox"), Stat.single(40 * 1024, 1000, "heap | delta"))
        .put(BenchNames.density("wasm", "held"), Stat.single(10_000, 10_000, "held")).capped(BenchNames.density("wasm", "held"))
        .fail(BenchNames.tier("wasm", "oursCall"), "IllegalStateException: <no export>")
        .unavailable("linux", "unavailable: runc not found. Fix: apt-get install runc")
        .unavailable("kvm", "unavailable: no guest kernel");
    Machine machine = new Machine("bench-host", "x86_64", 2, 24L << 30, false, "6.1.0", "hybrid", true, "OpenJDK 17",
        Map.of("runc", "runc version 1.1.5", "chicory", "1.7.5"), List.of("wasm (INSTRUCTION): available"));
    List<Evaluation> ev = new Evaluator(m, machine.kvm()).evaluate(Claims.all());
    return new Report(Instant.parse("2026-11-28T12:00:00Z"), "quick", Duration.ofSeconds(200), machine, ev, m,
        List.of("mode: quick"));
  }

  @Test
  void writesMarkdownWithTheMachineEveryClaimAndHonestVerdicts(@TempDir Path dir) throws Exception {
    List<Path> files = report().writeTo(dir);
    assertEquals(List.of(dir.resolve("claims.md"), dir.resolve("claims.json"), dir.resolve("chart.svg")), files);
    String md = Files.readString(dir.resolve("claims.md"));
    assertTrue(md.contains("| cores | 2 |"), md);
    assertTrue(md.contains("| VM acceleration | TCG (no usable /dev/kvm) |"), md);
    assertTrue(md.contains("| runc | runc version 1.1.5 |"), md);
    assertTrue(md.contains("| INSTRUCTION (wasm) | starts in milliseconds (create + exec + close) | nominal | 1.00 ms – 1.00 s | 400 µs | 900 µs | 20.0 µs | 380 µs (wasm rawCreateExecClose) | 1.05× | **beaten by 2.50×** |"), md);
    assertTrue(md.contains("| 40.0 KiB |"), md);
    assertTrue(md.contains("**not measured: tier unavailable: unavailable: runc not found. Fix: apt-get install runc**"), md);
    assertTrue(md.contains("oursCall failed: IllegalStateException: <no export>"), md);
    assertTrue(md.contains("heap \\| delta"), "pipes in text are escaped: " + md);
    assertTrue(md.contains("Reproduce: `./strata bench --quick`"), md);
    long rows = md.lines().filter(l -> l.startsWith("| INSTRUCTION") || l.startsWith("| PROCESS") || l.startsWith("| HARDWARE")).count();
    assertEquals(Claims.all().size(), rows, "one row per claim");
  }

  @Test
  void writesJsonWithNullsForWhatWasNotMeasured(@TempDir Path dir) throws Exception {
    report().writeTo(dir);
    JsonNode root = new ObjectMapper().readTree(dir.resolve("claims.json").toFile());
    assertEquals("quick", root.get("mode").asText());
    assertEquals("tcg", root.at("/machine/acceleration").asText());
    JsonNode claims = root.get("claims");
    assertEquals(Claims.all().size(), claims.size());
    JsonNode startup = claims.get(0);
    assertEquals("wasm.nominal.startup", startup.get("id").asText());
    assertEquals(400_000, startup.at("/measured/median").asDouble(), 1e-9);
    assertEquals("beaten", startup.get("verdict").asText());
    JsonNode warm = find(claims, "linux.warm-exec");
    assertTrue(warm.get("measured").isNull());
    assertEquals("not_measured", warm.get("verdict").asText());
    assertTrue(warm.get("factor").isNull(), "NaN is written as null");
    assertEquals(root.at("/summary/not_measured").asLong(),
        java.util.stream.StreamSupport.stream(claims.spliterator(), false).filter(c -> c.get("verdict").asText().equals("not_measured")).count());
    assertTrue(root.at("/measurements/density:wasm:held/cappedByRun").asBoolean());
  }

  @Test
  void writesAWellFormedSvgWithBarsBandsAndGaps(@TempDir Path dir) throws Exception {
    report().writeTo(dir);
    Path svg = dir.resolve("chart.svg");
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
    assertEquals("svg", doc.getDocumentElement().getTagName());
    String text = Files.readString(svg);
    assertTrue(text.contains("fill=\"#2e6da4\""), "a bar of ours");
    assertTrue(text.contains("fill=\"#9a9a9a\""), "a bar of the baseline");
    assertTrue(text.contains("claim: 1.00 ms – 1.00 s"), "the nominal band");
    assertTrue(text.contains("target ≤ 70.0 KiB"), "the strict memory target");
    assertTrue(text.contains("not measured"), "the tiers without figures");
    assertTrue(text.contains(">400 µs<"), "the measured value as a label");
  }

  private static JsonNode find(JsonNode claims, String id) {
    for (JsonNode c : claims) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new AssertionError("no claim " + id);
  }
}
