package dev.strata.sandbox.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.bench.report.Metrics;
import org.junit.jupiter.api.Test;

class ImportProbeTest {

  @Test
  void importsValuesCapsAndFailures() throws Exception {
    Metrics m = new Metrics();
    ClaimsHarness.importProbe("["
        + "{\"key\":\"memory:wasm:perSandbox\",\"value\":1234.5,\"samples\":100,\"source\":\"heap\"},"
        + "{\"key\":\"memory:wasm:pssPerSandbox\",\"value\":null,\"samples\":100,\"source\":\"none\"},"
        + "{\"key\":\"density:wasm:held\",\"value\":300,\"samples\":300,\"source\":\"cap\",\"capped\":true}"
        + "]", m);
    assertEquals(1234.5, m.get("memory:wasm:perSandbox").orElseThrow().median());
    assertFalse(m.get("memory:wasm:pssPerSandbox").isPresent(), "a null value is no measurement");
    assertTrue(m.isCapped("density:wasm:held"));

    Metrics failed = new Metrics();
    ClaimsHarness.importProbe("[{\"key\":\"memory:linux:perSandbox\",\"value\":null,"
        + "\"error\":\"memory probe failed: SandboxStartException: runc exited 1\"}]", failed);
    assertEquals("memory probe failed: SandboxStartException: runc exited 1",
        failed.failure("memory:linux:perSandbox").orElseThrow());
    assertTrue(failed.failure("density:linux:perHost").isPresent(), "the density figures fail with it");
  }
}
