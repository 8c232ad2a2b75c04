package dev.strata.sandbox.samples.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.testing.CiRequirements;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts the server on a free port and talks to it over HTTP, as a client would. */
class PluginServerTest {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
  static final long OUTPUT_CAP = 64 << 10;

  static SandboxFactory factory;
  static PluginServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    factory = SandboxFactory.create();
    server =
        PluginServer.start(
            factory,
            new InetSocketAddress("127.0.0.1", 0),
            ResourceLimits.small().toBuilder().withTimeout(CALL_TIMEOUT).withMaxOutputBytes(OUTPUT_CAP).build());
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (String name : new String[] {"greet", "spin", "flood", "crash", "hog"}) {
      HttpResponse<String> r = put("/plugins/" + name + "?kind=wasm", resource("/plugins/" + name + ".wasm"));
      assertEquals(201, r.statusCode(), r.body());
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (factory != null) {
      // every plugin's sandbox is gone with the server
      assertEquals(0, factory.sandboxes().size(), "sandboxes left: " + factory.sandboxes());
      factory.close();
    }
  }

  @Test
  void wasmPluginReadsTheGrantedKeyValueStore() throws Exception {
    assertEquals(200, put("/kv/greeting", "hej".getBytes(StandardCharsets.UTF_8)).statusCode());
    HttpResponse<String> r = post("/plugins/greet", "world");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("EXITED", field(r, "status"));
    assertEquals("INSTRUCTION", field(r, "isolation"));
    assertEquals("hej, world!", field(r, "output"));
  }

  @Test
  void loopingPluginIsStoppedWhileTheServerKeepsServing() throws Exception {
    long t0 = System.nanoTime();
    CompletableFuture<HttpResponse<String>> spinning = postAsync("/plugins/spin", "x");
    // while spin burns its CPU, another plugin answers at once
    HttpResponse<String> good = post("/plugins/greet", "meanwhile");
    assertEquals(200, good.statusCode(), good.body());
    assertTrue(!spinning.isDone(), "greet answered only after spin ended");

    HttpResponse<String> spun = spinning.get();
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(504, spun.statusCode(), spun.body());
    assertEquals("TIMED_OUT", field(spun, "status"));
    assertTrue(took >= CALL_TIMEOUT.toMillis() - 100 && took < CALL_TIMEOUT.toMillis() + 5000, "took " + took + " ms");

    // the plugin stays loaded and is stopped again; the server is fine
    assertEquals(504, post("/plugins/spin", "again").statusCode());
    assertEquals(200, get("/health").statusCode());
  }

  @Test
  void floodingPluginIsCutOffAtTheOutputCap() throws Exception {
    HttpResponse<String> r = post("/plugins/flood", "x");
    assertEquals(502, r.statusCode(), r.body());
    assertEquals("OUTPUT_LIMIT", field(r, "status"));
    long bytes = Long.parseLong(number(r, "outputBytes"));
    assertTrue(bytes > 0 && bytes <= OUTPUT_CAP, "outputBytes " + bytes);
    assertEquals(200, post("/plugins/greet", "after the flood").statusCode());
  }

  @Test
  void crashingPluginTrapsAndIsReported() throws Exception {
    HttpResponse<String> r = post("/plugins/crash", "x");
    assertEquals(502, r.statusCode(), r.body());
    assertEquals("TRAPPED", field(r, "status"));
    assertTrue(field(r, "message").contains("out of bounds"), r.body());
    // it can be called again, and traps again: nothing in the server broke
    assertEquals("TRAPPED", field(post("/plugins/crash", "y"), "status"));
    assertEquals(200, post("/plugins/greet", "after the crash").statusCode());
  }

  @Test
  void memoryHogIsStoppedAtItsMemoryLimit() throws Exception {
    HttpResponse<String> r = post("/plugins/hog", "x");
    assertEquals(502, r.statusCode(), r.body());
    assertEquals("OUT_OF_MEMORY", field(r, "status"));
    assertTrue(field(r, "message").contains("memory.grow was refused"), r.body());
    assertEquals(200, post("/plugins/greet", "after the hog").statusCode());
  }

  @Test
  void badModulesAreRefusedWithTheReason() throws Exception {
    HttpResponse<String> notWasm = put("/plugins/junk?kind=wasm", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, notWasm.statusCode(), notWasm.body());
    assertTrue(field(notWasm, "error").contains("junk"), notWasm.body());

    // deny by default: a module that imports WASI (printf) is refused, naming what it wanted
    HttpResponse<String> sneaky = put("/plugins/sneaky?kind=wasm", resource("/plugins/sneaky.wasm"));
    assertEquals(400, sneaky.statusCode(), sneaky.body());
    assertTrue(field(sneaky, "error").contains("wasi_snapshot_preview1.fd_write"), sneaky.body());

    HttpResponse<String> badName = put("/plugins/Bad_Name?kind=wasm", resource("/plugins/greet.wasm"));
    assertEquals(400, badName.statusCode(), badName.body());

    assertEquals(404, post("/plugins/nobody", "x").statusCode());
    assertTrue(get("/plugins").body().contains("\"name\":\"greet\""));
    assertTrue(!get("/plugins").body().contains("junk"));
    assertTrue(!get("/plugins").body().contains("sneaky"));
  }

  @Test
  void nativePluginsRunInTheProcessTier() throws Exception {
    CiRequirements.require(
        factory.isAvailable(IsolationLevel.PROCESS),
        "the PROCESS tier (apt-get install runc; run as root or allow user namespaces)");
    for (String name : new String[] {"upper", "spin", "flood", "crash"}) {
      HttpResponse<String> r = put("/plugins/" + name + "-native?kind=native", resource("/native/" + name + ".sh"));
      assertEquals(201, r.statusCode(), r.body());
    }

    HttpResponse<String> upper = post("/plugins/upper-native", "shout");
    assertEquals(200, upper.statusCode(), upper.body());
    assertEquals("PROCESS", field(upper, "isolation"));
    assertEquals("SHOUT", field(upper, "output"));

    CompletableFuture<HttpResponse<String>> spinning = postAsync("/plugins/spin-native", "x");
    assertEquals(200, post("/plugins/greet", "beside a spinning process").statusCode());
    HttpResponse<String> spun = spinning.get();
    assertEquals(504, spun.statusCode(), spun.body());
    assertEquals("TIMED_OUT", field(spun, "status"));

    HttpResponse<String> flood = post("/plugins/flood-native", "x");
    assertEquals(502, flood.statusCode(), flood.body());
    assertEquals("OUTPUT_LIMIT", field(flood, "status"));

    HttpResponse<String> crash = post("/plugins/crash-native", "x");
    assertEquals(502, crash.statusCode(), crash.body());
    assertTrue(!field(crash, "status").equals("EXITED") || !number(crash, "exitCode").equals("0"), crash.body());

    // after all that, the same sandbox still serves its plugin
    assertEquals("SHOUT", field(post("/plugins/upper-native", "shout"), "output"));
    for (String name : new String[] {"upper", "spin", "flood", "crash"}) {
      assertEquals(200, delete("/plugins/" + name + "-native").statusCode());
    }
  }

  // --- HTTP helpers

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  static HttpResponse<String> put(String path, byte[] body) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
    return client.sendAsync(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A string field of the flat JSON the server writes (escapes are the few it uses). */
  static String field(HttpResponse<String> r, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(r.body());
    if (!m.find()) {
      throw new AssertionError("no string field " + name + " in " + r.body());
    }
    return m.group(1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
  }

  static String number(HttpResponse<String> r, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(-?[0-9]+)").matcher(r.body());
    if (!m.find()) {
      throw new AssertionError("no number field " + name + " in " + r.body());
    }
    return m.group(1);
  }

  static byte[] resource(String name) {
    try (InputStream in = PluginServerTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
