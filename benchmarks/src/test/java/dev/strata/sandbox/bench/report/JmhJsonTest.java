package dev.strata.sandbox.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhJsonTest {

  /** A real JMH 1.37 SampleTime result of two benchmarks, one with a @Param, checked in. */
  private static List<JmhResult> sample() throws IOException {
    try (InputStream in = JmhJsonTest.class.getResourceAsStream("/jmh-sample.json")) {
      return JmhJson.read(in);
    }
  }

  @Test
  void readsNamesParamsAndKeys() throws IOException {
    List<JmhResult> r = sample();
    assertEquals(2, r.size());
    JmhResult pb = r.get(0);
    assertEquals("dev.strata.sandbox.bench.baseline.ProcessBuilderBenchmark.rawProcessBuilderTrue", pb.benchmark());
    assertEquals("baseline", pb.group());
    assertEquals("rawProcessBuilderTrue", pb.method());
    assertEquals("jmh:baseline:rawProcessBuilderTrue", pb.key());
    assertEquals("sample", pb.mode());
    JmhResult api = r.get(1);
    assertEquals(Map.of("tier", "wasm"), api.params());
    assertEquals("jmh:api:oursCreateExecClose[tier=wasm]", api.key());
    assertEquals(BenchNames.api("wasm", "oursCreateExecClose"), api.key());
  }

  @Test
  void convertsTheSampledPercentilesToNanoseconds() throws IOException {
    JmhResult pb = sample().get(0);
    // us/op in the file: p50 1577.984, p95 14281.1136, score 3584.32, error 2490.06
    assertEquals(1_577_984, pb.stat().median(), 1);
    assertEquals(14_281_113.6, pb.stat().p95(), 1);
    assertEquals(3_584_320, pb.stat().mean(), 1);
    assertEquals(2_490_059.85, pb.stat().error(), 1);
    assertEquals(32, pb.stat().samples(), "samples counted from rawDataHistogram");
    assertEquals("us/op", pb.unit());
  }

  @Test
  void readsAverageTimeThroughputAndNaNErrors() throws IOException {
    String json = "[{\"benchmark\":\"dev.strata.sandbox.bench.wasm.XBenchmark.oursCall\",\"mode\":\"avgt\","
        + "\"primaryMetric\":{\"score\":2.5,\"scoreError\":\"NaN\",\"scoreUnit\":\"ms/op\",\"rawData\":[[2.4,2.6]]}},"
        + "{\"benchmark\":\"dev.strata.sandbox.bench.wasm.XBenchmark.rawCall\",\"mode\":\"thrpt\","
        + "\"primaryMetric\":{\"score\":4.0,\"scoreError\":0.4,\"scoreUnit\":\"ops/us\",\"rawData\":[[4.0],[4.0]]}}]";
    List<JmhResult> r = JmhJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    Stat avg = r.get(0).stat();
    assertEquals(2_500_000, avg.median(), 1e-6, "average time: the mean stands in for the median");
    assertTrue(Double.isNaN(avg.p95()), "no percentiles in avgt mode");
    assertTrue(Double.isNaN(avg.error()), "JMH's \"NaN\" string is NaN");
    assertEquals(2, avg.samples());
    Stat thr = r.get(1).stat();
    assertEquals(250, thr.median(), 1e-9, "4 ops/us is 250 ns/op");
    assertEquals(25, thr.error(), 1e-9, "the relative error carries over");
    assertEquals("jmh:wasm:rawCall", r.get(1).key());
  }

  @Test
  void anEmptyResultFileMeansNoResults(@TempDir Path dir) throws IOException {
    Path f = Files.createFile(dir.resolve("empty.json"));
    assertEquals(List.of(), JmhJson.read(f));
  }

  @Test
  void rejectsWhatIsNotJmhJson() {
    IOException e = assertThrows(IOException.class,
        () -> JmhJson.read(new ByteArrayInputStream("{\"a\":1}".getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("not an array"), e.getMessage());
    IOException unit = assertThrows(IOException.class, () -> JmhJson.read(new ByteArrayInputStream(
        ("[{\"benchmark\":\"a.B.c\",\"mode\":\"avgt\",\"primaryMetric\":{\"score\":1,\"scoreUnit\":\"furlong/op\"}}]")
            .getBytes(StandardCharsets.UTF_8))));
    assertTrue(unit.getMessage().contains("furlong/op"), unit.getMessage());
  }

  @Test
  void aBenchmarkOutsideTheConventionHasNoGroup() {
    JmhResult r = new JmhResult("org.example.FooBenchmark.bar", Map.of(), "sample", Stat.single(1, 1, "x"), "ns/op");
    assertEquals("", r.group());
  }
}
