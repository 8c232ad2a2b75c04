package dev.strata.sandbox.bench.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.wasm.WasmPlugin;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The INSTRUCTION tier against raw Chicory 1.7.5, side by side in one run. Raw Chicory gets the
 * same head start our module cache gives: each module is parsed and compiled once in setup.
 *
 * <ul>
 *   <li>{@code oursCreateExecClose} / {@code rawCreateExecClose}: a sandbox from the factory, one
 *       WASI command (hello, output collected), close — against a Chicory instance with its own
 *       WasiPreview1 running {@code _start}.
 *   <li>{@code oursInstantiateCached} / {@code rawInstantiate}: a new instance of the cached
 *       1-page module (our {@link WasmPlugin} load and close).
 *   <li>{@code oursCall} / {@code rawCall}: one call of {@code add(2, 3)}.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class WasmBenchmark {

  private SandboxFactory factory;
  private SandboxSpec spec;
  private Command hello;
  private byte[] addBytes;
  private WasmPlugin plugin;

  private WasmModule helloModule;
  private Function<Instance, Machine> helloCompiled;
  private WasmModule addModule;
  private Function<Instance, Machine> addCompiled;
  private ExportFunction rawAdd;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    factory = SandboxFactory.create();
    spec = SandboxSpec.exactly(IsolationLevel.INSTRUCTION).withLimits(ResourceLimits.small()).build();
    Path helloFile = WasmModules.writeTemp(WasmModules.hello(), "hello");
    hello = Command.of(helloFile.toString());
    addBytes = WasmModules.add();
    plugin = WasmPlugin.builder(addBytes, "add.wasm").withLimits(ResourceLimits.small()).build();

    helloModule = Parser.parse(WasmModules.hello());
    helloCompiled = MachineFactoryCompiler.compile(helloModule);
    addModule = Parser.parse(WasmModules.add());
    addCompiled = MachineFactoryCompiler.compile(addModule);
    rawAdd = Instance.builder(addModule).withMachineFactory(addCompiled).build().export("add");

    // fail in setup, not with a silent wrong number
    ExecResult r = oursCreateExecClose();
    if (!r.isSuccess() || !r.stdoutText().equals("hello from wasm\n")) {
      throw new IllegalStateException("hello did not run: " + r);
    }
    if (!rawCreateExecClose().equals("hello from wasm\n") || oursCall() != 5 || rawCall() != 5) {
      throw new IllegalStateException("baseline check failed");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plugin.close();
    factory.close();
  }

  @Benchmark
  public ExecResult oursCreateExecClose() {
    try (Sandbox sb = factory.create(spec)) {
      return sb.exec(hello);
    }
  }

  @Benchmark
  public String rawCreateExecClose() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WasiOptions options = WasiOptions.builder().withStdout(out).withArguments(java.util.List.of("hello.wasm")).build();
    try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
      Instance instance =
          Instance.builder(helloModule)
              .withMachineFactory(helloCompiled)
              .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
              .withStart(false)
              .build();
      try {
        instance.export("_start").apply();
      } catch (WasiExitException e) {
        // exit code 0 through proc_exit
      }
    }
    return out.toString();
  }

  @Benchmark
  public long oursInstantiateCached() {
    try (WasmPlugin p = WasmPlugin.builder(addBytes, "add.wasm").withLimits(ResourceLimits.small()).build()) {
      return p.memoryBytes();
    }
  }

  @Benchmark
  public Instance rawInstantiate() {
    return Instance.builder(addModule).withMachineFactory(addCompiled).build();
  }

  @Benchmark
  public long oursCall() {
    return plugin.call("add", 2, 3)[0];
  }

  @Benchmark
  public long rawCall() {
    return rawAdd.apply(2, 3)[0];
  }
}
