package dev.strata.sandbox.samples.serverless;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.sandbox.CapacityExceededException;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a {@link FunctionRunner}.
 *
 * <pre>{@code
 * try (FunctionRunner runner = new FunctionRunner(ResourceLimits.small());
 *     FunctionServer server = FunctionServer.start(runner, new InetSocketAddress("127.0.0.1", 8081))) {
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code PUT /functions/{name}?kind=wasm|native&trust=trusted|untrusted|hostile&warm=1&max=8}</td>
 *       <td>deploys the body as the function's code</td></tr>
 *   <tr><td>{@code POST /functions/{name}}</td><td>invokes it: the body is its stdin, the response
 *       body its stdout; headers {@code X-Strata-Status}, {@code X-Strata-Exit-Code}, {@code
 *       X-Strata-Start} (cold or warm), {@code X-Strata-Acquire-Micros}, {@code
 *       X-Strata-Exec-Micros}, {@code X-Strata-Isolation}</td></tr>
 *   <tr><td>{@code DELETE /functions/{name}}</td><td>undeploys it</td></tr>
 *   <tr><td>{@code GET /stats}</td><td>per function: invocations, cold and warm latency, its pool</td></tr>
 * </table>
 */
public final class FunctionServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionServer.class);
  private static final int MAX_CODE_BYTES = 32 << 20;
  private static final int MAX_INPUT_BYTES = 4 << 20;

  private final FunctionRunner runner;
  private final HttpServer http;
  private final ExecutorService workers;
  private final Object shutdown = new Object();
  private boolean closed;

  private FunctionServer(FunctionRunner runner, HttpServer http) {
    this.runner = runner;
    this.http = http;
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            32,
            r -> {
              Thread t = new Thread(r, "function-server-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(workers);
    http.createContext("/functions/", this::functions);
    http.createContext("/stats", this::stats);
  }

  /** Starts serving {@code runner} on {@code address} (port 0 picks a free one). */
  public static FunctionServer start(FunctionRunner runner, InetSocketAddress address) throws IOException {
    FunctionServer server = new FunctionServer(runner, HttpServer.create(address, 64));
    server.http.start();
    LOG.info("function server listening on http://{}:{}", address.getHostString(), server.port());
    return server;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private void functions(HttpExchange ex) throws IOException {
    try (ex) {
      String name = ex.getRequestURI().getPath().substring("/functions/".length());
      switch (ex.getRequestMethod()) {
        case "PUT" -> deploy(ex, name);
        case "POST" -> invoke(ex, name);
        case "DELETE" -> {
          if (runner.undeploy(name)) {
            sendJson(ex, 200, Json.object(Map.of("function", name, "undeployed", true)));
          } else {
            sendJson(ex, 404, error("no function named " + name));
          }
        }
        default -> sendJson(ex, 405, error("use PUT, POST or DELETE on /functions/{name}"));
      }
    }
  }

  private void deploy(HttpExchange ex, String name) throws IOException {
    byte[] code = body(ex, MAX_CODE_BYTES);
    if (code == null) {
      sendJson(ex, 413, error("code may be at most " + MAX_CODE_BYTES + " bytes"));
      return;
    }
    try {
      FunctionKind kind = FunctionKind.valueOf(param(ex, "kind", "wasm").toUpperCase(Locale.ROOT));
      Trust trust = Trust.valueOf(param(ex, "trust", "untrusted").toUpperCase(Locale.ROOT));
      int warm = Integer.parseInt(param(ex, "warm", "1"));
      int max = Integer.parseInt(param(ex, "max", "8"));
      FunctionRunner.FunctionStats s = runner.deploy(name, kind, trust, code, warm, max);
      sendJson(ex, 201, statsJson(s));
    } catch (IllegalArgumentException | InvalidSpecException | InvalidProgramException e) {
      sendJson(ex, 400, error(e.getMessage()));
    } catch (SandboxUnavailableException | CapacityExceededException e) {
      sendJson(ex, 503, error(e.getMessage()));
    }
  }

  private void invoke(HttpExchange ex, String name) throws IOException {
    byte[] input = body(ex, MAX_INPUT_BYTES);
    if (input == null) {
      sendJson(ex, 413, error("the input may be at most " + MAX_INPUT_BYTES + " bytes"));
      return;
    }
    Optional<Invocation> found;
    try {
      found = runner.invoke(name, input);
    } catch (InvalidProgramException e) {
      sendJson(ex, 400, error(e.getMessage()));
      return;
    } catch (CapacityExceededException e) {
      sendJson(ex, 503, error(e.getMessage()));
      return;
    } catch (SandboxException e) {
      LOG.warn("function {} could not run: {}", name, e.getMessage());
      sendJson(ex, 500, error(e.getMessage()));
      return;
    }
    if (found.isEmpty()) {
      sendJson(ex, 404, error("no function named " + name));
      return;
    }
    Invocation inv = found.get();
    ExecResult r = inv.result();
    var h = ex.getResponseHeaders();
    h.set("Content-Type", "application/octet-stream");
    h.set("X-Strata-Status", r.status().name());
    h.set("X-Strata-Exit-Code", String.valueOf(r.exitCode()));
    h.set("X-Strata-Start", inv.cold() ? "cold" : "warm");
    h.set("X-Strata-Acquire-Micros", String.valueOf(inv.acquire().toNanos() / 1000));
    h.set("X-Strata-Exec-Micros", String.valueOf(inv.exec().toNanos() / 1000));
    h.set("X-Strata-Isolation", inv.isolation().name());
    if (r.message() != null) {
      h.set("X-Strata-Message", r.message().replaceAll("[\\r\\n]+", " "));
    }
    int status =
        r.isSuccess() ? 200 : r.status() == ExecStatus.TIMED_OUT || r.status() == ExecStatus.FUEL_EXHAUSTED ? 504 : 502;
    byte[] body = r.isSuccess() ? r.stdout() : failureBody(r);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  private static byte[] failureBody(ExecResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", r.status().name());
    m.put("exitCode", r.exitCode());
    m.put("message", r.message());
    m.put("stderr", r.stderrText());
    return Json.object(m).getBytes(StandardCharsets.UTF_8);
  }

  private void stats(HttpExchange ex) throws IOException {
    try (ex) {
      List<String> list = new ArrayList<>();
      runner.stats().forEach(s -> list.add(statsJson(s)));
      sendJson(ex, 200, "[" + String.join(",", list) + "]");
    }
  }

  static String statsJson(FunctionRunner.FunctionStats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("function", s.name());
    m.put("kind", s.kind().name());
    m.put("trust", s.trust().name());
    m.put("isolation", s.isolation().name());
    m.put("invocations", s.invocations());
    m.put("cold", Json.raw(latencies(s.cold())));
    m.put("warm", Json.raw(latencies(s.warm())));
    var p = s.pool();
    Map<String, Object> pool = new LinkedHashMap<>();
    pool.put("idle", p.idle());
    pool.put("leased", p.leased());
    pool.put("starting", p.starting());
    pool.put("created", p.created());
    pool.put("reused", p.reused());
    pool.put("discarded", p.discarded());
    m.put("pool", Json.raw(Json.object(pool)));
    return Json.object(m);
  }

  private static String latencies(FunctionRunner.Latencies l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", l.count());
    m.put("meanMillis", Double.parseDouble(FunctionRunner.millis(l.mean())));
    m.put("maxMillis", Double.parseDouble(FunctionRunner.millis(l.max())));
    return Json.object(m);
  }

  private static String param(HttpExchange ex, String name, String dflt) {
    String q = ex.getRequestURI().getRawQuery();
    if (q != null) {
      for (String part : q.split("&")) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).equals(name)) {
          return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
    }
    return dflt;
  }

  private static byte @Nullable [] body(HttpExchange ex, int max) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(max + 1);
      return b.length > max ? null : b;
    }
  }

  private static String error(@Nullable String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message == null ? "unknown error" : message);
    return Json.object(m);
  }

  private static void sendJson(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  /** Blocks until {@link #close()} is called. */
  public void awaitShutdown() throws InterruptedException {
    synchronized (shutdown) {
      while (!closed) {
        shutdown.wait();
      }
    }
  }

  /** Stops serving; the runner is the caller's to close. */
  @Override
  public void close() {
    synchronized (shutdown) {
      if (closed) {
        return;
      }
      closed = true;
      shutdown.notifyAll();
    }
    http.stop(0);
    workers.shutdownNow();
  }
}
