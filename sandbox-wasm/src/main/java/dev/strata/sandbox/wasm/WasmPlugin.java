package dev.strata.sandbox.wasm;

import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxClosedException;
import dev.strata.sandbox.SandboxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A WebAssembly module loaded once and called many times, for application servers that run
 * untrusted extensions. Load it from a sandbox ({@link WasmSandbox#loadPlugin}) or on its own:
 *
 * <pre>{@code
 * try (WasmPlugin plugin = WasmPlugin.builder(Path.of("greeter.wasm"))
 *     .withLimits(ResourceLimits.small())
 *     .build()) {
 *   long[] sum = plugin.call("add", 2, 3);          // numbers in, numbers out
 *   String hello = plugin.call("greet", "world");  // bytes through linear memory
 * }
 * }</pre>
 *
 * <h2>Allocator convention</h2>
 *
 * For {@link #call(String, byte[])} (and the String form, UTF-8) the module exports:
 *
 * <ul>
 *   <li>{@code alloc(len: i32) -> i32}: a buffer of {@code len} bytes in linear memory;
 *   <li>{@code dealloc(ptr: i32, len: i32)}: frees a buffer {@code alloc} gave;
 *   <li>the called function, {@code f(ptr: i32, len: i32) -> i64}: it reads its input at {@code
 *       ptr}, and returns a buffer it got from {@code alloc} as {@code (ptr << 32) | len} (0 for
 *       no output).
 * </ul>
 *
 * The host allocates and writes the input, calls {@code f}, copies the output out, then frees both
 * buffers with {@code dealloc}. (Extism passes data the same way, through memory the host asks the
 * guest to allocate; a packed i64 avoids a second call to fetch the length.)
 *
 * <h2>Limits</h2>
 *
 * Memory is capped at {@link ResourceLimits#memoryBytes()} (a module whose initial memory is
 * above the cap is refused) and counts against the JVM-wide WebAssembly budget until {@link
 * #close()}. Each call runs on the caller's thread with {@link ResourceLimits#timeout()} (a
 * watchdog interrupts it) and, in the interpreter, {@link ResourceLimits#fuel()}. A call that traps or is stopped throws {@link
 * WasmCallException}; the plugin stays usable, though a trap may leave the guest's own state
 * inconsistent. Calls on one plugin run one at a time.
 *
 * <p>No host function, WASI included, is available unless granted with {@link
 * Builder#withHostFunction}.
 */
public final class WasmPlugin implements AutoCloseable {

  private final LoadedModule module;
  private final ResourceLimits limits;
  private final MemoryBudget budget;
  private final @Nullable Consumer<WasmPlugin> onClose;
  private final CappedMemory[] memory = new CappedMemory[1];
  private final Map<String, ExportFunction> exports = new ConcurrentHashMap<>();
  private final CallerWatch watch = new CallerWatch();
  private final long fuelLimit;
  private long fuelLeft;
  private int tick;
  private final Instance instance;
  /** Calls run one at a time; the guest thread never takes this lock, only callers do. */
  private final Object callLock = new Object();
  private volatile boolean closed;

  private WasmPlugin(
      LoadedModule module,
      List<HostFunction> imports,
      WasmEngine engine,
      ResourceLimits limits,
      MemoryBudget budget,
      @Nullable Consumer<WasmPlugin> onClose) {
    this.module = module;
    this.limits = limits;
    this.budget = budget;
    this.onClose = onClose;
    this.fuelLimit = limits.fuel().orElse(0);
    Guests.checkImports(
        module, imports, "grant them with WasmPlugin.Builder.withHostFunction (none by default)");
    budget.reserveSandbox("plugin " + module.name);
    try {
      ExecutionListener listener = (instruction, stack) -> check();
      this.instance =
          runGuarded(
              "instantiate",
              () -> {
                Instance inst =
                    Guests.instantiate(
                        module, imports, engine, limits.memoryBytes(), budget, listener, memory);
                if (module.exportsFunction("_initialize")) {
                  inst.export("_initialize").apply();
                }
                return inst;
              });
    } catch (RuntimeException e) {
      Guests.release(memory);
      budget.releaseSandbox();
      throw e;
    }
    watch.register();
  }

  /** The interpreter's per-instruction check: fuel, and every 1024th time the deadline. */
  private void check() {
    if (fuelLimit > 0 && --fuelLeft < 0) {
      throw new Stops.FuelExhausted();
    }
    if ((++tick & 1023) == 0 && (!watch.running() || Thread.currentThread().isInterrupted())) {
      throw new Stops.Stopped();
    }
  }

  /** A plugin from a {@code .wasm} file. */
  public static Builder builder(Path module) {
    return new Builder(Objects.requireNonNull(module, "module"), null);
  }

  /** A plugin from the bytes of a module; {@code name} is used in messages. */
  public static Builder builder(byte[] module, String name) {
    return new Builder(null, new Object[] {module.clone(), name});
  }

  /** Calls an exported function with numbers (raw values, as for {@link WasmHostFunction}). */
  public long[] call(String function, long... args) {
    ExportFunction f = export(function);
    return runGuarded(
        function,
        () -> {
          long[] out = f.apply(args);
          return out == null ? new long[0] : out;
        });
  }

  /** Calls {@code function} with bytes, following the allocator convention above. */
  public byte[] call(String function, byte[] input) {
    ExportFunction f = export(function);
    ExportFunction alloc = export("alloc");
    ExportFunction dealloc = export("dealloc");
    return runGuarded(
        function,
        () -> {
          var mem = instance.memory();
          int inPtr = (int) alloc.apply(input.length)[0];
          if (input.length > 0) {
            mem.write(inPtr, input);
          }
          long packed = f.apply(inPtr, input.length)[0];
          int outPtr = (int) (packed >>> 32);
          int outLen = (int) packed;
          byte[] out = outLen > 0 ? mem.readBytes(outPtr, outLen) : new byte[0];
          dealloc.apply(inPtr, input.length);
          if (packed != 0) {
            dealloc.apply(outPtr, outLen);
          }
          return out;
        });
  }

  /** Calls {@code function} with UTF-8 text, following the allocator convention above. */
  public String call(String function, String input) {
    return new String(call(function, input.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  /** The bytes of linear memory the plugin holds now. */
  public long memoryBytes() {
    CappedMemory m = memory[0];
    return m == null ? 0 : (long) m.pages() * CappedMemory.PAGE_SIZE;
  }

  private ExportFunction export(String name) {
    ensureOpen();
    return exports.computeIfAbsent(
        name,
        n -> {
          if (!module.exportsFunction(n)) {
            throw new InvalidProgramException(
                "plugin " + module.name + " exports no function named " + n);
          }
          return instance.export(n);
        });
  }

  private void ensureOpen() {
    if (closed) {
      throw new SandboxClosedException("plugin " + module.name);
    }
  }

  private interface Body<T> {
    T run();
  }

  private <T> T runGuarded(String what, Body<T> body) {
    synchronized (callLock) {
      ensureOpen();
      return runNow(what, body);
    }
  }

  /**
   * Runs guest code on the caller's thread, under the plugin's timeout (see {@link CallerWatch})
   * and fuel: a hand-off to a pool thread would cost far more than a typical call.
   */
  private <T> T runNow(String what, Body<T> body) {
    fuelLeft = fuelLimit;
    watch.begin(limits.timeout().toNanos());
    T result = null;
    Throwable failure = null;
    try {
      result = body.run();
    } catch (SandboxException e) {
      watch.end();
      throw e;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      failure = e;
    }
    boolean timedOut = watch.end();
    if (failure == null) {
      return result;
    }
    WasmSandbox.Outcome outcome =
        WasmSandbox.classify(failure, timedOut, false, fuelLimit, memory[0]);
    ExecStatus status = outcome.status();
    throw new WasmCallException(
        status, "plugin " + module.name + ", " + what + ": " + status + " (" + outcome.message() + ")", failure);
  }

  /** Releases the plugin's memory; idempotent. */
  @Override
  public void close() {
    synchronized (callLock) {
      if (closed) {
        return;
      }
      closed = true;
      watch.unregister();
      Guests.release(memory);
      budget.releaseSandbox();
    }
    if (onClose != null) {
      onClose.accept(this);
    }
  }

  /** Builds a {@link WasmPlugin}: limits default to {@link ResourceLimits#small()}. */
  public static final class Builder {
    private final @Nullable Path path;
    private final Object @Nullable [] bytes;
    private ResourceLimits limits = ResourceLimits.small();
    private WasmEngine engine = WasmEngine.COMPILER;
    private final List<WasmHostFunction> functions = new ArrayList<>();

    private Builder(@Nullable Path path, Object @Nullable [] bytes) {
      this.path = path;
      this.bytes = bytes;
    }

    public Builder withLimits(ResourceLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** The engine; fuel in the limits forces {@link WasmEngine#INTERPRETER}. */
    public Builder withEngine(WasmEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** Grants one host function. */
    public Builder withHostFunction(WasmHostFunction function) {
      functions.add(Objects.requireNonNull(function, "function"));
      return this;
    }

    /**
     * Loads, links and instantiates the module.
     *
     * @throws InvalidProgramException if the module is malformed, imports something not granted,
     *     or needs more initial memory than the limit
     * @throws dev.strata.sandbox.CapacityExceededException if the JVM's wasm memory budget is
     *     used up
     */
    public WasmPlugin build() {
      return build(MemoryBudget.global(), null);
    }

    WasmPlugin build(MemoryBudget budget, @Nullable Consumer<WasmPlugin> onClose) {
      LoadedModule m =
          path != null
              ? ModuleCache.global().load(path)
              : ModuleCache.global().load((byte[]) bytes[0], (String) bytes[1]);
      List<HostFunction> imports = new ArrayList<>();
      for (WasmHostFunction f : functions) {
        imports.add(f.toChicory());
      }
      WasmEngine e = limits.fuel().isPresent() ? WasmEngine.INTERPRETER : engine;
      return new WasmPlugin(m, imports, e, limits, budget, onClose);
    }
  }
}
