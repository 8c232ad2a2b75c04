package dev.strata.sandbox.samples.serverless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.testing.CiRequirements;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deploys and invokes functions over HTTP, as a client of the function server would. */
class FunctionServerTest {

  static FunctionRunner runner;
  static FunctionServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws IOException {
    runner =
        new FunctionRunner(ResourceLimits.small().toBuilder().withTimeout(Duration.ofSeconds(10)).build())
            .withDeployWait(Duration.ofSeconds(30));
    server = FunctionServer.start(runner, new InetSocketAddress("127.0.0.1", 0));
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (runner != null) {
      var factory = runner.factory();
      runner.close();
      // every pool's sandboxes are closed with the runner
      assertEquals(0, factory.sandboxes().size(), "left open: " + factory.sandboxes());
    }
  }

  @Test
  void wasmFunctionStartsColdWithoutWarmSandboxes() throws Exception {
    HttpResponse<String> d = deploy("shout-cold", "wasm", "untrusted", 0, resource("/functions/shout.wasm"));
    assertEquals(201, d.statusCode(), d.body());
    assertEquals("INSTRUCTION", field(d.body(), "isolation"));

    HttpResponse<String> r = invoke("shout-cold", "cold start");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("COLD START", r.body());
    assertEquals("cold", r.headers().firstValue("X-Strata-Start").orElseThrow());
    assertEquals("EXITED", r.headers().firstValue("X-Strata-Status").orElseThrow());

    FunctionRunner.FunctionStats s = runner.stats("shout-cold").orElseThrow();
    assertEquals(1, s.cold().count());
    assertEquals(0, s.warm().count());
    assertEquals(1, s.pool().created());
  }

  @Test
  void wasmFunctionIsServedWarmFromItsPool() throws Exception {
    HttpResponse<String> d = deploy("shout", "wasm", "untrusted", 2, resource("/functions/shout.wasm"));
    assertEquals(201, d.statusCode(), d.body());
    // deploy returns once the pool holds two warm sandboxes, made by the pool, not by a caller
    assertEquals(2, Integer.parseInt(number(d.body(), "idle")), d.body());
    assertEquals(2, Integer.parseInt(number(d.body(), "created")), d.body());

    for (String word : new String[] {"warm", "again"}) {
      HttpResponse<String> r = invoke("shout", word);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(word.toUpperCase(Locale.ROOT), r.body());
      assertEquals("warm", r.headers().firstValue("X-Strata-Start").orElseThrow(), "invocation of " + word);
      assertEquals("INSTRUCTION", r.headers().firstValue("X-Strata-Isolation").orElseThrow());
    }
    FunctionRunner.FunctionStats s = runner.stats("shout").orElseThrow();
    // no invocation created a sandbox on its own thread: both leased a pre-warmed one
    assertEquals(0, s.cold().count(), s.toString());
    assertEquals(2, s.warm().count(), s.toString());

    HttpResponse<String> stats = get("/stats");
    assertEquals(200, stats.statusCode());
    assertTrue(stats.body().contains("\"function\":\"shout\""), stats.body());
  }

  @Test
  void concurrentInvocationsEachGetTheirOwnAnswer() throws Exception {
    assertEquals(201, deploy("shout-many", "wasm", "trusted", 2, resource("/functions/shout.wasm")).statusCode());
    int n = 24;
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(
          client.sendAsync(
              HttpRequest.newBuilder(uri("/functions/shout-many"))
                  .POST(HttpRequest.BodyPublishers.ofString("request number " + i))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = calls.get(i).get();
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("REQUEST NUMBER " + i, r.body());
    }
    FunctionRunner.FunctionStats s = runner.stats("shout-many").orElseThrow();
    assertEquals(n, s.invocations());
    assertEquals(n, s.cold().count() + s.warm().count());
    assertTrue(s.pool().total() <= 8, "the pool stays within its maximum: " + s.pool());
  }

  @Test
  void badDeploymentsAreRefusedWithTheReason() throws Exception {
    HttpResponse<String> hostileWasm = deploy("h", "wasm", "hostile", 0, resource("/functions/shout.wasm"));
    assertEquals(400, hostileWasm.statusCode());
    assertTrue(field(hostileWasm.body(), "error").contains("HARDWARE"), hostileWasm.body());

    HttpResponse<String> notWasm = deploy("junk", "wasm", "trusted", 0, "#!/bin/sh\n".getBytes());
    assertEquals(400, notWasm.statusCode());
    assertTrue(field(notWasm.body(), "error").contains("not a WebAssembly module"), notWasm.body());

    assertEquals(404, invoke("nobody", "x").statusCode());
  }

  @Test
  void untrustedNativeFunctionRunsInTheProcessTier() throws Exception {
    CiRequirements.require(
        runner.factory().isAvailable(IsolationLevel.PROCESS),
        "the PROCESS tier (apt-get install runc; run as root or allow user namespaces)");
    HttpResponse<String> d = deploy("shout-native", "native", "untrusted", 1, resource("/functions/shout-x86_64"));
    assertEquals(201, d.statusCode(), d.body());
    assertEquals("PROCESS", field(d.body(), "isolation"));

    HttpResponse<String> r = invoke("shout-native", "from a container");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("FROM A CONTAINER", r.body());
    assertEquals("PROCESS", r.headers().firstValue("X-Strata-Isolation").orElseThrow());
    assertEquals("warm", r.headers().firstValue("X-Strata-Start").orElseThrow());
    assertEquals(200, delete("/functions/shout-native").statusCode());
  }

  // --- HTTP helpers

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  static HttpResponse<String> deploy(String name, String kind, String trust, int warm, byte[] code)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri("/functions/" + name + "?kind=" + kind + "&trust=" + trust + "&warm=" + warm))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(code))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> invoke(String name, String input) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri("/functions/" + name)).POST(HttpRequest.BodyPublishers.ofString(input)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    if (!m.find()) {
      throw new AssertionError("no string field " + name + " in " + json);
    }
    return m.group(1);
  }

  static String number(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(-?[0-9.]+)").matcher(json);
    if (!m.find()) {
      throw new AssertionError("no number field " + name + " in " + json);
    }
    return m.group(1);
  }

  static byte[] resource(String name) {
    try (InputStream in = FunctionServerTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
