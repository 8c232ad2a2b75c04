package dev.strata.sandbox.samples.serverless;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Runs the function server on {@code 127.0.0.1:8081} (or the port given as the first argument)
 * with the sample function {@code shout} deployed as WASM ({@code UNTRUSTED}), and as a native
 * program where the PROCESS ({@code shout-native}) and HARDWARE ({@code shout-vm}, {@code HOSTILE})
 * tiers are available. Each invocation logs its cold or warm start; {@code GET /stats} sums them up.
 */
public final class ServerlessMain {

  private ServerlessMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
    ResourceLimits limits = ResourceLimits.small().toBuilder().withTimeout(Duration.ofSeconds(10)).build();
    FunctionRunner runner = new FunctionRunner(limits);
    FunctionServer server = FunctionServer.start(runner, new InetSocketAddress("127.0.0.1", port));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  runner.close();
                }));
    runner.deploy("shout", FunctionKind.WASM, Trust.UNTRUSTED, resource("/functions/shout.wasm"), 2, 8);
    byte[] nativeShout = resource("/functions/shout-x86_64");
    boolean x86 = System.getProperty("os.arch", "").matches("amd64|x86_64");
    String base = "http://127.0.0.1:" + server.port();
    System.out.println("Function server on " + base + ". Try:");
    System.out.println("  curl -si -d 'hello functions' " + base + "/functions/shout");
    if (x86 && runner.factory().isAvailable(IsolationLevel.PROCESS)) {
      runner.deploy("shout-native", FunctionKind.NATIVE, Trust.UNTRUSTED, nativeShout, 1, 4);
      System.out.println("  curl -si -d 'hello containers' " + base + "/functions/shout-native");
    }
    if (x86 && runner.factory().isAvailable(IsolationLevel.HARDWARE)) {
      runner.deploy("shout-vm", FunctionKind.NATIVE, Trust.HOSTILE, nativeShout, 1, 2);
      System.out.println("  curl -si -d 'hello microVMs' " + base + "/functions/shout-vm");
    }
    System.out.println("  curl -s -X PUT --data-binary @my.wasm '" + base + "/functions/mine?kind=wasm&trust=untrusted&warm=2'");
    System.out.println("  curl -s " + base + "/stats");
    server.awaitShutdown();
  }

  private static byte[] resource(String name) {
    try (InputStream in = ServerlessMain.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
