package dev.strata.sandbox.samples.plugins;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Runs the plugin server on {@code 127.0.0.1:8080} (or the port given as the first argument) with
 * the bundled plugins loaded: WASM {@code greet}, {@code spin}, {@code flood}, {@code crash}, {@code
 * hog}, and,
 * where the PROCESS tier is available, native {@code upper}, {@code spin-native}, {@code
 * flood-native}, {@code crash-native}.
 */
public final class PluginServerMain {

  private PluginServerMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    ResourceLimits limits =
        ResourceLimits.small().toBuilder()
            .withTimeout(Duration.ofSeconds(2))
            .withMaxOutputBytes(64 << 10)
            .build();
    SandboxFactory factory = SandboxFactory.create();
    PluginServer server = PluginServer.start(factory, new InetSocketAddress("127.0.0.1", port), limits);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  factory.close();
                }));
    server.put("greeting", "hello");
    for (String name : new String[] {"greet", "spin", "flood", "crash", "hog"}) {
      server.load(name, "wasm", resource("/plugins/" + name + ".wasm"));
    }
    boolean process = factory.isAvailable(IsolationLevel.PROCESS);
    if (process) {
      server.load("upper", "native", resource("/native/upper.sh"));
      for (String name : new String[] {"spin", "flood", "crash"}) {
        server.load(name + "-native", "native", resource("/native/" + name + ".sh"));
      }
    }
    String base = "http://127.0.0.1:" + server.port();
    System.out.println("Plugin server on " + base + ". Try:");
    System.out.println("  curl -s -d world " + base + "/plugins/greet");
    System.out.println("  curl -s -X PUT -d bonjour " + base + "/kv/greeting");
    System.out.println("  curl -s -d x " + base + "/plugins/spin     # stopped after 2 s, 504");
    System.out.println("  curl -s -d x " + base + "/plugins/flood    # stopped at 64 KiB, 502");
    System.out.println("  curl -s -d x " + base + "/plugins/crash    # trapped, 502");
    System.out.println("  curl -s -d x " + base + "/plugins/hog      # out of memory at 64 MiB, 502");
    if (process) {
      System.out.println("  curl -s -d shout " + base + "/plugins/upper");
    } else {
      System.out.println("  (native plugins need the PROCESS tier: run `strata doctor` to see why it is missing)");
    }
    System.out.println("  curl -s " + base + "/health");
    server.awaitShutdown();
  }

  private static byte[] resource(String name) {
    try (InputStream in = PluginServerMain.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
