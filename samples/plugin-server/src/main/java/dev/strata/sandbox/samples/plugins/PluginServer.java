package dev.strata.sandbox.samples.plugins;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.CapacityExceededException;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server that loads untrusted plugins at run time and keeps serving whatever they do.
 *
 * <pre>{@code
 * try (SandboxFactory factory = SandboxFactory.create();
 *     PluginServer server = PluginServer.start(factory, new InetSocketAddress("127.0.0.1", 8080),
 *         ResourceLimits.small().toBuilder().withTimeout(Duration.ofSeconds(2)).build())) {
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code PUT /plugins/{name}?kind=wasm|native}</td><td>loads the body as a plugin (a
 *       {@code .wasm} module, or a script or static program)</td></tr>
 *   <tr><td>{@code POST /plugins/{name}}</td><td>calls the plugin with the body as input</td></tr>
 *   <tr><td>{@code DELETE /plugins/{name}}</td><td>unloads it</td></tr>
 *   <tr><td>{@code GET /plugins}</td><td>lists the plugins</td></tr>
 *   <tr><td>{@code PUT|GET /kv/{key}}</td><td>the key-value store WASM plugins may read</td></tr>
 *   <tr><td>{@code GET /health}</td><td>the server's own state and the factory's feedback</td></tr>
 * </table>
 *
 * <p>A call answers 200 when the plugin succeeded, 504 when it was stopped for taking too long,
 * and 502 for any other plugin failure, always with a JSON body that says what happened ({@link
 * PluginResult}). Every plugin has its own sandbox, so a plugin that loops, floods or crashes
 * holds up only its own calls.
 */
public final class PluginServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  private static final int MAX_UPLOAD_BYTES = 16 << 20;
  private static final int MAX_INPUT_BYTES = 1 << 20;

  private final SandboxFactory factory;
  private final ResourceLimits limits;
  private final HttpServer http;
  private final ExecutorService workers;
  private final Path workDirectory;
  private final Map<String, LoadedPlugin> plugins = new ConcurrentHashMap<>();
  private final Map<String, String> store = new ConcurrentHashMap<>();
  private final Object shutdown = new Object();
  private boolean closed;

  private PluginServer(SandboxFactory factory, ResourceLimits limits, HttpServer http, Path workDirectory) {
    this.factory = factory;
    this.limits = limits;
    this.http = http;
    this.workDirectory = workDirectory;
    AtomicInteger n = new AtomicInteger();
    // a plugin call blocks its worker until the sandbox ends it: enough workers that slow plugins
    // do not starve the others
    this.workers =
        Executors.newFixedThreadPool(
            32,
            r -> {
              Thread t = new Thread(r, "plugin-server-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(workers);
    http.createContext("/plugins", this::plugins);
    http.createContext("/kv", this::keyValue);
    http.createContext("/health", this::health);
  }

  /**
   * Starts a server on {@code address} (port 0 picks a free one).
   *
   * @param limits what every plugin call may use: its timeout, output cap and memory
   */
  public static PluginServer start(SandboxFactory factory, InetSocketAddress address, ResourceLimits limits)
      throws IOException {
    Path work = Files.createTempDirectory("strata-plugins-");
    HttpServer http;
    try {
      http = HttpServer.create(address, 64);
    } catch (IOException e) {
      deleteTree(work);
      throw e;
    }
    PluginServer server = new PluginServer(factory, limits, http, work);
    http.start();
    LOG.info("plugin server listening on http://{}:{}", address.getHostString(), server.port());
    return server;
  }

  /** The port the server listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** A value WASM plugins can read through {@code kv.get}. */
  public void put(String key, String value) {
    store.put(key, value);
  }

  /**
   * Loads (or replaces) a plugin.
   *
   * @param kind {@code wasm} or {@code native}
   * @throws InvalidProgramException if a WASM module is malformed or imports what is not granted
   * @throws SandboxUnavailableException if the plugin's tier cannot run here
   */
  public void load(String name, String kind, byte[] content) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "plugin name (" + name + ") must be 1-32 of a-z, 0-9 and '-', starting with a letter or digit");
    }
    LoadedPlugin plugin =
        switch (kind) {
          case "wasm" -> loadWasm(name, content);
          case "native" -> loadNative(name, content);
          default -> throw new IllegalArgumentException("kind (" + kind + ") must be wasm or native");
        };
    LoadedPlugin old = plugins.put(name, plugin);
    if (old != null) {
      old.close();
    }
    LOG.info("loaded {} plugin {}", kind, name);
  }

  private LoadedPlugin loadWasm(String name, byte[] module) {
    Path dir = workDirectory.resolve("wasm-" + name + "-" + System.nanoTime());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = write(dir.resolve(name + ".wasm"), module, false);
    SandboxSpec spec =
        SandboxSpec.exactly(IsolationLevel.INSTRUCTION).withLimits(limits).withLabel("plugin", name).build();
    try {
      return WasmPluginHost.load(name, factory, spec, file, store);
    } finally {
      // the module is compiled and held in memory by now, or refused
      deleteTree(dir);
    }
  }

  private LoadedPlugin loadNative(String name, byte[] program) {
    if (!factory.isAvailable(IsolationLevel.PROCESS)) {
      throw new SandboxUnavailableException(
          "native plugins run in the PROCESS tier, which is not available here: "
              + factory.availability().stream()
                  .filter(b -> b.level() == IsolationLevel.PROCESS)
                  .map(BackendStatus::describe)
                  .findFirst()
                  .orElse("no PROCESS backend (sandbox-linux) on the class path"),
          List.of());
    }
    Path dir = workDirectory.resolve("native-" + name + "-" + System.nanoTime());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(dir.resolve("run"), program, true);
    SandboxSpec spec =
        SandboxSpec.exactly(IsolationLevel.PROCESS).withLimits(limits).withLabel("plugin", name).build();
    try {
      return NativePluginHost.start(name, factory, spec, dir);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  private static Path write(Path file, byte[] content, boolean executable) {
    try {
      Files.write(file, content);
      // world-readable: a rootless container may see the file as another user
      Files.setPosixFilePermissions(
          file, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Calls a plugin with {@code input}.
   *
   * @return what happened, or empty if there is no such plugin
   */
  public Optional<PluginResult> call(String name, byte[] input) {
    LoadedPlugin plugin = plugins.get(name);
    if (plugin == null) {
      return Optional.empty();
    }
    PluginResult r = plugin.call(input);
    LOG.info(
        "plugin {} ({} on {}): {}{} in {} ms",
        name,
        r.kind(),
        r.isolation(),
        r.status(),
        r.status() == ExecStatus.EXITED ? " " + r.exitCode() : "",
        r.duration().toMillis());
    return Optional.of(r);
  }

  private void plugins(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/plugins") || path.equals("/plugins/")) {
        if (!method.equals("GET")) {
          send(ex, 405, error("use GET /plugins"));
          return;
        }
        List<String> list = new ArrayList<>();
        new TreeMap<>(plugins).forEach((n, p) -> list.add(Json.object(Map.of("name", n, "kind", p.kind()))));
        send(ex, 200, "[" + String.join(",", list) + "]");
        return;
      }
      String name = path.substring("/plugins/".length());
      switch (method) {
        case "PUT" -> {
          String kind = query(ex, "kind");
          byte[] content = body(ex, MAX_UPLOAD_BYTES);
          if (content == null) {
            send(ex, 413, error("a plugin may be at most " + MAX_UPLOAD_BYTES + " bytes"));
            return;
          }
          try {
            load(name, kind == null ? "wasm" : kind, content);
          } catch (IllegalArgumentException | InvalidProgramException | InvalidSpecException e) {
            send(ex, 400, error(e.getMessage()));
            return;
          } catch (SandboxUnavailableException | CapacityExceededException e) {
            send(ex, 503, error(e.getMessage()));
            return;
          }
          send(ex, 201, Json.object(Map.of("plugin", name, "kind", plugins.get(name).kind(), "loaded", true)));
        }
        case "POST" -> {
          byte[] input = body(ex, MAX_INPUT_BYTES);
          if (input == null) {
            send(ex, 413, error("the input may be at most " + MAX_INPUT_BYTES + " bytes"));
            return;
          }
          Optional<PluginResult> r;
          try {
            r = call(name, input);
          } catch (SandboxException e) {
            // the sandbox machinery failed, not the plugin: still only this call fails
            LOG.warn("plugin {} could not run: {}", name, e.getMessage());
            send(ex, 500, error(e.getMessage()));
            return;
          }
          if (r.isEmpty()) {
            send(ex, 404, error("no plugin named " + name));
          } else {
            send(ex, r.get().httpStatus(), r.get().toJson());
          }
        }
        case "DELETE" -> {
          LoadedPlugin old = plugins.remove(name);
          if (old == null) {
            send(ex, 404, error("no plugin named " + name));
          } else {
            old.close();
            send(ex, 200, Json.object(Map.of("plugin", name, "unloaded", true)));
          }
        }
        default -> send(ex, 405, error("use PUT, POST or DELETE on /plugins/{name}"));
      }
    }
  }

  private void keyValue(HttpExchange ex) throws IOException {
    try (ex) {
      String key = ex.getRequestURI().getPath().substring("/kv".length());
      key = key.startsWith("/") ? key.substring(1) : key;
      if (key.isEmpty()) {
        send(ex, 400, error("use /kv/{key}"));
        return;
      }
      switch (ex.getRequestMethod()) {
        case "PUT" -> {
          byte[] value = body(ex, 64 << 10);
          if (value == null) {
            send(ex, 413, error("a value may be at most 64 KiB"));
            return;
          }
          store.put(key, new String(value, StandardCharsets.UTF_8));
          send(ex, 200, Json.object(Map.of("key", key, "stored", true)));
        }
        case "GET" -> {
          String value = store.get(key);
          if (value == null) {
            send(ex, 404, error("no key " + key));
          } else {
            send(ex, 200, Json.object(Map.of("key", key, "value", value)));
          }
        }
        default -> send(ex, 405, error("use PUT or GET on /kv/{key}"));
      }
    }
  }

  private void health(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", "ok");
      m.put("plugins", plugins.size());
      m.put("liveSandboxes", factory.sandboxes().size());
      var metrics = factory.metrics();
      for (IsolationLevel level : IsolationLevel.values()) {
        var tier = metrics.tier(level);
        if (tier.created() > 0) {
          String prefix = level.name().toLowerCase(Locale.ROOT);
          m.put(prefix + "Created", tier.created());
          m.put(prefix + "Execs", Json.raw(execs(tier.execs())));
        }
      }
      send(ex, 200, Json.object(m));
    }
  }

  private static String execs(Map<ExecStatus, Long> execs) {
    Map<String, Object> m = new TreeMap<>();
    execs.forEach((k, v) -> m.put(k.name(), v));
    return Json.object(m);
  }

  private static @Nullable String query(HttpExchange ex, String name) {
    String q = ex.getRequestURI().getRawQuery();
    if (q == null) {
      return null;
    }
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).equals(name)) {
        return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The request body, or null when it is longer than {@code max}. */
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

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  /** Blocks until {@link #close()} is called (from a shutdown hook, for example). */
  public void awaitShutdown() throws InterruptedException {
    synchronized (shutdown) {
      while (!closed) {
        shutdown.wait();
      }
    }
  }

  /** Stops serving, unloads every plugin (closing their sandboxes) and deletes its files. */
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
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (LoadedPlugin p : List.copyOf(plugins.values())) {
      p.close();
    }
    plugins.clear();
    deleteTree(workDirectory);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException exc) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", root, e.getMessage());
    }
  }
}
