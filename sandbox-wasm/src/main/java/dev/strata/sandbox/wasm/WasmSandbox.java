package dev.strata.sandbox.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceUsage;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.internal.ManagedSandbox;
import dev.strata.sandbox.spi.AbstractSandbox;
import dev.strata.sandbox.spi.OutputCollector;
import dev.strata.sandbox.spi.Resettable;
import dev.strata.sandbox.spi.SandboxIds;
import dev.strata.sandbox.wasm.wasi.Wasi;
import dev.strata.sandbox.wasm.wasi.WasiConfig;
import dev.strata.sandbox.wasm.wasi.WasiExit;
import dev.strata.sandbox.wasm.wasi.WriteQuota;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebAssembly sandbox: runs WASI preview1 command modules in this JVM, each command in a fresh
 * instance, and loads {@link WasmPlugin}s. Made by {@link WasmSandboxProvider}; the factory hands
 * it out wrapped, so get it back with {@link #unwrap(Sandbox)}:
 *
 * <pre>{@code
 * try (Sandbox sb = factory.create(SandboxSpec.exactly(IsolationLevel.INSTRUCTION).build())) {
 *   ExecResult r = sb.exec(Command.of("/opt/tools/hello.wasm", "world"));
 *   try (WasmPlugin p = WasmSandbox.unwrap(sb).loadPlugin(Path.of("/opt/plugins/p.wasm"))) {
 *     String s = p.call("greet", "you");
 *   }
 * }
 * }</pre>
 *
 * <p>For {@link #exec}: {@code argv[0]} is the host path of the {@code .wasm} file (the guest sees
 * its file name as {@code argv[0]}); the guest's environment is the spec's plus the command's,
 * nothing from the host; mounts and the scratch directory are preopened at their sandbox paths
 * (mounts must be directories). A WASI guest has no current directory of its own: relative paths
 * resolve against the preopens (so mount something at {@code /} for them), and {@code
 * workingDirectory} is not used.
 */
public final class WasmSandbox extends AbstractSandbox implements Resettable {

  private static final Logger LOG = LoggerFactory.getLogger(WasmSandbox.class);
  static final String BACKEND = "wasm";
  /** The WASI functions a command may import (their names and types; not bound to a guest). */
  private static final List<com.dylibso.chicory.runtime.HostFunction> WASI_FUNCTIONS =
      new Wasi(WasiConfig.builder().build()).hostFunctions();

  private final WasmEngine engine;
  private final MemoryBudget budget;
  private final List<WasiConfig.Preopen> preopens;
  private final @Nullable Path scratchDir;
  private final Set<WasmPlugin> plugins = ConcurrentHashMap.newKeySet();
  private final Set<GuestRunner.Run> running = ConcurrentHashMap.newKeySet();

  private WasmSandbox(
      String id,
      SandboxSpec spec,
      WasmEngine engine,
      MemoryBudget budget,
      List<WasiConfig.Preopen> preopens,
      @Nullable Path scratchDir) {
    super(id, BACKEND, IsolationLevel.INSTRUCTION, spec);
    this.engine = engine;
    this.budget = budget;
    this.preopens = preopens;
    this.scratchDir = scratchDir;
  }

  /** Validates {@code spec} and makes a sandbox; nothing is left behind on failure. */
  static WasmSandbox create(SandboxSpec spec, MemoryBudget budget) {
    validate(spec);
    WasmEngine engine = WasmEngine.of(spec);
    String id = SandboxIds.newId(BACKEND);
    List<WasiConfig.Preopen> preopens = new ArrayList<>();
    for (Mount m : spec.mounts()) {
      Path host;
      try {
        host = m.hostPath().toRealPath();
      } catch (IOException e) {
        throw new InvalidSpecException(
            "mount source " + m.hostPath() + " does not exist (for " + m.sandboxPath() + ")", e);
      }
      if (!Files.isDirectory(host)) {
        throw new InvalidSpecException(
            "mount source "
                + m.hostPath()
                + " is not a directory: WASI preopens only directories, mount its parent instead");
      }
      preopens.add(new WasiConfig.Preopen(guestPath(m.sandboxPath()), host, m.readOnly()));
    }
    budget.reserveSandbox("sandbox " + id);
    Path scratch = null;
    try {
      if (spec.scratch().isPresent()) {
        scratch = Files.createTempDirectory(id + "-scratch-");
        preopens.add(
            new WasiConfig.Preopen(
                guestPath(spec.scratch().get().sandboxPath()),
                scratch,
                false,
                new WriteQuota(spec.scratch().get().maxBytes())));
      }
      return new WasmSandbox(id, spec, engine, budget, List.copyOf(preopens), scratch);
    } catch (IOException | RuntimeException e) {
      budget.releaseSandbox();
      deleteTree(scratch);
      if (e instanceof SandboxException) {
        throw (SandboxException) e;
      }
      throw new dev.strata.sandbox.SandboxStartException(
          "cannot create the scratch directory in " + System.getProperty("java.io.tmpdir") + ": " + e, e);
    }
  }

  private static String guestPath(String sandboxPath) {
    String p = sandboxPath.replaceAll("/+", "/");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static void validate(SandboxSpec spec) {
    if (spec.network() != dev.strata.sandbox.NetworkPolicy.NONE) {
      throw new InvalidSpecException(
          "the wasm backend has no network (WASI preview1 has no sockets): use NetworkPolicy.NONE,"
              + " or a PROCESS sandbox for "
              + spec.network());
    }
    for (String key : spec.options().keySet()) {
      if (key.startsWith("wasm.") && !key.equals(WasmEngine.OPTION)) {
        throw new InvalidSpecException(
            "unknown wasm option " + key + ": the wasm backend knows only " + WasmEngine.OPTION);
      }
    }
  }

  /**
   * The wasm sandbox behind {@code sandbox}, as handed out by the factory or made directly.
   *
   * @throws IllegalArgumentException if {@code sandbox} is of another backend
   */
  public static WasmSandbox unwrap(Sandbox sandbox) {
    Sandbox s = sandbox;
    if (s instanceof ManagedSandbox) {
      s = ((ManagedSandbox) s).delegate();
    }
    if (s instanceof WasmSandbox) {
      return (WasmSandbox) s;
    }
    throw new IllegalArgumentException(
        "sandbox "
            + sandbox.id()
            + " is of backend "
            + sandbox.backend()
            + ", not wasm: ask for SandboxSpec.exactly(IsolationLevel.INSTRUCTION)");
  }

  /** The engine this sandbox's guests run on. */
  public WasmEngine engine() {
    return engine;
  }

  /**
   * Loads a plugin with this sandbox's limits and engine, granting it exactly {@code functions}.
   * The plugin is closed with the sandbox at the latest.
   */
  public WasmPlugin loadPlugin(Path module, WasmHostFunction... functions) {
    if (isClosed()) {
      throw new dev.strata.sandbox.SandboxClosedException(id());
    }
    WasmPlugin.Builder b =
        WasmPlugin.builder(module).withLimits(spec().limits()).withEngine(engine);
    for (WasmHostFunction f : functions) {
      b.withHostFunction(f);
    }
    WasmPlugin p = b.build(budget, this::forget);
    plugins.add(p);
    return p;
  }

  private void forget(WasmPlugin plugin) {
    plugins.remove(plugin);
  }

  @Override
  protected ExecResult doExec(Command command) {
    Path modulePath = Path.of(command.argv().get(0));
    LoadedModule module = ModuleCache.global().load(modulePath);
    if (!module.checkedAsCommand) {
      Guests.checkImports(
          module, WASI_FUNCTIONS, "a wasm command may import only wasi_snapshot_preview1 functions");
      if (!module.exportsFunction("_start")) {
        throw new InvalidProgramException(
            module.name
                + " is not a WASI command: it exports no _start function (load a library with"
                + " loadPlugin instead)");
      }
      module.checkedAsCommand = true;
    }
    // Compile (once per module) before the clock starts: the timeout is the payload's, and
    // compiling is the sandbox's own work, not guest code.
    module.machineFactory(engine, ModuleCache.global());
    Duration timeout = command.timeout().orElse(spec().limits().timeout());
    long maxOut = spec().limits().maxOutputBytes();
    OutputCollector stdout =
        new OutputCollector(
            maxOut,
            command.stdoutSink().orElse(null),
            () -> {
              throw new Stops.OutputLimit("stdout");
            });
    OutputCollector stderr =
        new OutputCollector(
            maxOut,
            command.stderrSink().orElse(null),
            () -> {
              throw new Stops.OutputLimit("stderr");
            });
    Map<String, String> env = new LinkedHashMap<>(spec().environment());
    env.putAll(command.environment());
    List<String> args = new ArrayList<>(command.argv());
    args.set(0, modulePath.getFileName().toString());
    long fuel = spec().limits().fuel().orElse(0);
    GuestRunner.Run run = new GuestRunner.Run(fuel);
    long start = System.nanoTime();
    running.add(run);
    if (isClosed()) {
      running.remove(run);
      throw new dev.strata.sandbox.SandboxClosedException(id());
    }
    try {
      return runOnPool(run, timeout, command, args, env, stdout, stderr, module, start);
    } finally {
      running.remove(run);
    }
  }

  private ExecResult runOnPool(
      GuestRunner.Run run,
      Duration timeout,
      Command command,
      List<String> args,
      Map<String, String> env,
      OutputCollector stdout,
      OutputCollector stderr,
      LoadedModule module,
      long start) {
    return GuestRunner.global()
        .run(
            run,
            timeout,
            r -> {
              try (InputStream stdin = command.openStdin()) {
                r.input = stdin;
                WasiConfig config =
                    WasiConfig.builder()
                        .withArgs(args)
                        .withEnv(env)
                        .withStdin(stdin)
                        .withStdout(stdout)
                        .withStderr(stderr)
                        .withPreopens(preopens)
                        .build();
                return runCommand(module, config, r, stdout, stderr, start);
              } catch (IOException e) {
                throw new SandboxException("closing stdin failed: " + e, e);
              }
            });
  }

  private ExecResult runCommand(
      LoadedModule module,
      WasiConfig config,
      GuestRunner.Run run,
      OutputCollector stdout,
      OutputCollector stderr,
      long start) {
    CappedMemory[] memory = new CappedMemory[1];
    ExecStatus status = ExecStatus.EXITED;
    int exitCode = 0;
    String message = null;
    long peak;
    try (Wasi wasi = new Wasi(config)) {
      try {
        Instance instance =
            Guests.instantiate(
                module,
                wasi.hostFunctions(),
                engine,
                spec().limits().memoryBytes(),
                budget,
                Guests.listener(run),
                memory);
        ExportFunction main = instance.export("_start");
        main.apply();
      } catch (WasiExit e) {
        exitCode = e.code();
      } catch (InvalidProgramException | dev.strata.sandbox.CapacityExceededException e) {
        throw e;
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        Outcome outcome = classify(e, run.timedOut(), run.killed, run.fuelLimit, memory[0]);
        status = outcome.status();
        message = outcome.message();
        exitCode = outcome.exitCode();
      }
    } finally {
      peak = memory[0] == null ? 0 : (long) memory[0].pages() * CappedMemory.PAGE_SIZE;
      Guests.release(memory);
    }
    // a guest stopped at its deadline (or by close) may still have exited on its own, for
    // instance after a read failed under it: the stop is what happened
    if (status == ExecStatus.EXITED || status == ExecStatus.TRAPPED) {
      if (run.timedOut()) {
        status = ExecStatus.TIMED_OUT;
        message = "wall-clock timeout";
      } else if (run.killed) {
        status = ExecStatus.KILLED;
        message = "stopped: the sandbox was closed or the caller interrupted";
      }
    }
    return new ExecResult(
        status,
        exitCode,
        stdout.bytes(),
        stderr.bytes(),
        Duration.ofNanos(System.nanoTime() - start),
        message,
        new ResourceUsage(peak > 0 ? peak : null, null));
  }

  /** How a guest stopped. */
  record Outcome(ExecStatus status, @Nullable String message, int exitCode) {
    static Outcome stopped(ExecStatus status, String message) {
      return new Outcome(status, message, -1);
    }
  }

  /** Turns how the guest stopped (the exception that unwound it) into an outcome. */
  static Outcome classify(
      Throwable e, boolean timedOut, boolean killed, long fuelLimit, @Nullable CappedMemory memory) {
    WasiExit exit = Guests.cause(e, WasiExit.class);
    if (exit != null) {
      return new Outcome(ExecStatus.EXITED, null, exit.code());
    }
    if (Guests.cause(e, Stops.OutputLimit.class) != null) {
      Stops.OutputLimit o = Guests.cause(e, Stops.OutputLimit.class);
      return Outcome.stopped(ExecStatus.OUTPUT_LIMIT, o.getMessage());
    }
    if (Guests.cause(e, Stops.FuelExhausted.class) != null) {
      return Outcome.stopped(ExecStatus.FUEL_EXHAUSTED, "the fuel budget of " + fuelLimit + " instructions ran out");
    }
    if (timedOut) {
      return Outcome.stopped(ExecStatus.TIMED_OUT, "wall-clock timeout");
    }
    if (killed
        || Guests.cause(e, Stops.Stopped.class) != null
        || Guests.cause(e, ChicoryInterruptedException.class) != null) {
      return Outcome.stopped(ExecStatus.KILLED, "stopped: the sandbox was closed or the caller interrupted");
    }
    if (Guests.cause(e, OutOfMemoryError.class) != null) {
      return Outcome.stopped(ExecStatus.OUT_OF_MEMORY, "the JVM ran out of heap: " + e);
    }
    String what =
        Guests.cause(e, StackOverflowError.class) != null
            ? "call stack exhausted"
            : e instanceof ChicoryException && e.getMessage() != null ? e.getMessage() : e.toString();
    if (memory != null && memory.refusedGrow()) {
      return Outcome.stopped(ExecStatus.OUT_OF_MEMORY, "trapped after a memory.grow was refused by the memory limit: " + what);
    }
    return Outcome.stopped(ExecStatus.TRAPPED, what);
  }

  /** The linear memory of its plugins plus its own share; commands hold memory only while running. */
  @Override
  protected @Nullable Long memoryBytes() {
    long sum = MemoryBudget.SANDBOX_SHARE;
    for (WasmPlugin p : plugins) {
      sum += p.memoryBytes();
    }
    return sum;
  }

  /**
   * For pools: stops what still runs, closes the plugins the last user loaded and empties the
   * scratch directory. Each command already runs in a fresh instance, so nothing else carries over.
   */
  @Override
  public void reset() {
    if (isClosed()) {
      throw new dev.strata.sandbox.SandboxClosedException(id());
    }
    for (GuestRunner.Run r : List.copyOf(running)) {
      r.stop();
    }
    for (WasmPlugin p : List.copyOf(plugins)) {
      p.close();
    }
    if (scratchDir != null) {
      try (java.util.stream.Stream<Path> children = Files.list(scratchDir)) {
        for (Path child : children.toList()) {
          if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(child);
          } else {
            Files.delete(child);
          }
        }
      } catch (IOException e) {
        throw new SandboxException("emptying the scratch directory " + scratchDir + " failed: " + e, e);
      }
      try (java.util.stream.Stream<Path> left = Files.list(scratchDir)) {
        if (left.findAny().isPresent()) {
          throw new SandboxException("the scratch directory " + scratchDir + " could not be emptied");
        }
      } catch (IOException e) {
        throw new SandboxException("checking the scratch directory " + scratchDir + " failed: " + e, e);
      }
      for (WasiConfig.Preopen p : preopens) {
        WriteQuota quota = p.quota();
        if (quota != null) {
          quota.reset();
        }
      }
    }
  }

  @Override
  protected void doClose() {
    // commands still running are stopped (KILLED); they release their own memory as they unwind
    for (GuestRunner.Run r : List.copyOf(running)) {
      r.stop();
    }
    for (WasmPlugin p : List.copyOf(plugins)) {
      p.close();
    }
    budget.releaseSandbox();
    deleteTree(scratchDir);
  }

  static void deleteTree(@Nullable Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, @Nullable IOException exc)
                throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("could not delete the scratch directory {}: {}", dir, e.toString());
    }
  }
}
