package dev.strata.sandbox.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.bench.report.Evaluation;
import dev.strata.sandbox.bench.report.Report;
import dev.strata.sandbox.bench.report.Verdict;
import dev.strata.sandbox.testing.CiRequirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The harness end to end with tiny iteration counts: the ProcessBuilder baseline and the WASM
 * tier (its own benchmarks and the API fallbacks), 1 fork, 1 warm-up and 1 measurement of 100 ms,
 * the memory and density probe at 100 and 300 sandboxes. Real JMH, real forks, real sandboxes;
 * the report goes to target/smoke-report. Keeps the harness from rotting; proves no figure.
 */
class QuickModeSmokeTest {

  @Test
  void smokeRunMeasuresTheBaselineAndWasmAndWritesTheReport() throws Exception {
    boolean wasm;
    try (SandboxFactory f = SandboxFactory.create()) {
      wasm = f.isAvailable(IsolationLevel.INSTRUCTION);
    }
    CiRequirements.require(wasm, "the wasm backend (sandbox-wasm on the class path; it needs no system package)");
    Path out = Path.of("target", "smoke-report");
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    Report r = new ClaimsHarness(
        HarnessOptions.parse("--smoke", "--tiers", "wasm", "--out", out.toString()),
        new PrintStream(terminal, true, StandardCharsets.UTF_8)).run();
    String progress = terminal.toString(StandardCharsets.UTF_8);

    assertTrue(Files.size(out.resolve("claims.md")) > 0);
    assertTrue(Files.size(out.resolve("claims.json")) > 0);
    assertTrue(Files.readString(out.resolve("chart.svg")).startsWith("<svg"));
    assertTrue(progress.contains("[1/"), "progress shows which benchmark and how far: " + progress);
    assertTrue(progress.contains("Iteration"), "JMH's iterations are echoed: " + progress);

    assertTrue(r.metrics().get("jmh:baseline:rawProcessBuilderTrue").isPresent(),
        "the ProcessBuilder baseline ran: " + r.metrics().failures());
    double pb = r.metrics().get("jmh:baseline:rawProcessBuilderTrue").get().median();
    assertTrue(pb > 10_000 && pb < 5e9, "fork+exec of /bin/true takes between 10 µs and 5 s, not " + pb + " ns");

    Evaluation startup = find(r, "wasm.nominal.startup");
    assertNotEquals(Verdict.Outcome.NOT_MEASURED, startup.verdict().outcome(), startup.verdict().text());
    Evaluation memory = find(r, "wasm.retained-heap");
    assertNotEquals(Verdict.Outcome.NOT_MEASURED, memory.verdict().outcome(), memory.verdict().text() + "\n" + progress);
    assertTrue(memory.measured().median() > 0, "an idle sandbox retains something");
    assertEquals(Verdict.Outcome.NOT_MEASURED, find(r, "linux.warm-exec").verdict().outcome(),
        "a tier not asked for is never a pass");
    assertTrue(r.metrics().get("density:wasm:held").isPresent(), "density ran");
    assertEquals(300, r.metrics().get("density:wasm:held").get().median(), "held up to the smoke cap, closed after");
  }

  private static Evaluation find(Report r, String id) {
    return r.evaluations().stream().filter(e -> e.claim().id().equals(id)).findFirst().orElseThrow();
  }
}
