package dev.strata.sandbox.samples.plugins;

import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.wasm.WasmCallException;
import dev.strata.sandbox.wasm.WasmHostFunction;
import dev.strata.sandbox.wasm.WasmPlugin;
import dev.strata.sandbox.wasm.WasmSandbox;
import dev.strata.sandbox.wasm.WasmValueType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A WASM plugin: one INSTRUCTION sandbox from the factory (so it counts in the factory's budget,
 * metrics and status) with the module loaded once through the plugin API. The plugin is granted
 * exactly two host functions and nothing else, WASI included:
 *
 * <ul>
 *   <li>{@code kv.get(key, keyLen, out, outCap) -> i32}: reads the server's key-value store; the
 *       value's length, or -1 for an unknown key;
 *   <li>{@code out.write(ptr, len)}: appends to the response, up to {@code maxOutputBytes}; past
 *       that it traps the guest and the call ends as {@code OUTPUT_LIMIT}.
 * </ul>
 */
final class WasmPluginHost implements LoadedPlugin {

  /** The export every plugin offers: {@code handle(ptr, len) -> (ptr << 32) | len}. */
  static final String ENTRY_POINT = "handle";

  /** Thrown by {@code out.write} past the cap; it traps the guest. */
  private static final class OutputCapExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputCapExceeded(long cap) {
      super("the plugin wrote more than " + cap + " bytes", null, false, false);
    }
  }

  /** What {@code out.write} collects during one call; calls on a plugin run one at a time. */
  private static final class CallOutput {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean overflowed;
  }

  private final String name;
  private final Sandbox sandbox;
  private final WasmPlugin plugin;
  private final long maxOutputBytes;
  private volatile @Nullable CallOutput current;

  private WasmPluginHost(String name, Sandbox sandbox, Path module, Map<String, String> store) {
    this.name = name;
    this.sandbox = sandbox;
    this.maxOutputBytes = sandbox.spec().limits().maxOutputBytes();
    this.plugin =
        WasmSandbox.unwrap(sandbox).loadPlugin(module, keyValueLookup(store), outputWriter());
  }

  /**
   * Loads {@code module}; on failure (a malformed module, an import nobody granted) closes the
   * sandbox again and throws.
   *
   * @throws dev.strata.sandbox.InvalidProgramException naming what is wrong with the module
   */
  static WasmPluginHost load(
      String name, SandboxFactory factory, SandboxSpec spec, Path module, Map<String, String> store) {
    Sandbox sandbox = factory.create(spec);
    try {
      return new WasmPluginHost(name, sandbox, module, store);
    } catch (RuntimeException e) {
      sandbox.close();
      throw e;
    }
  }

  private static WasmHostFunction keyValueLookup(Map<String, String> store) {
    return WasmHostFunction.of(
        "kv",
        "get",
        List.of(WasmValueType.I32, WasmValueType.I32, WasmValueType.I32, WasmValueType.I32),
        List.of(WasmValueType.I32),
        (memory, args) -> {
          String key = memory.readString((int) args[0], (int) args[1]);
          String value = store.get(key);
          if (value == null) {
            return new long[] {-1};
          }
          byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
          int cap = (int) args[3];
          if (cap > 0) {
            byte[] part = bytes.length <= cap ? bytes : java.util.Arrays.copyOf(bytes, cap);
            memory.write((int) args[2], part);
          }
          return new long[] {bytes.length};
        });
  }

  private WasmHostFunction outputWriter() {
    return WasmHostFunction.of(
        "out",
        "write",
        List.of(WasmValueType.I32, WasmValueType.I32),
        List.of(),
        (memory, args) -> {
          CallOutput out = current;
          if (out == null) {
            return new long[0]; // called outside a request (from _initialize): ignored
          }
          int len = (int) args[1];
          if (out.bytes.size() + (long) len > maxOutputBytes) {
            out.overflowed = true;
            throw new OutputCapExceeded(maxOutputBytes);
          }
          out.bytes.writeBytes(memory.read((int) args[0], len));
          return new long[0];
        });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "wasm";
  }

  @Override
  public synchronized PluginResult call(byte[] input) {
    CallOutput out = new CallOutput();
    current = out;
    long start = System.nanoTime();
    try {
      byte[] returned = plugin.call(ENTRY_POINT, input);
      out.bytes.writeBytes(returned);
      return result(ExecStatus.EXITED, 0, out, null, start);
    } catch (WasmCallException e) {
      if (out.overflowed) {
        return result(
            ExecStatus.OUTPUT_LIMIT, -1, out, "stopped: wrote more than " + maxOutputBytes + " bytes", start);
      }
      return result(e.status(), -1, out, e.getMessage(), start);
    } finally {
      current = null;
    }
  }

  private PluginResult result(
      ExecStatus status, int exitCode, CallOutput out, @Nullable String message, long start) {
    return new PluginResult(
        name,
        kind(),
        IsolationLevel.INSTRUCTION,
        status,
        exitCode,
        out.bytes.toByteArray(),
        message,
        Duration.ofNanos(System.nanoTime() - start));
  }

  @Override
  public void close() {
    plugin.close();
    sandbox.close();
  }
}
