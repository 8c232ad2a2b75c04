package dev.strata.sandbox.bench.baseline;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.strata.sandbox.bench.memory.TinyWasm;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Raw Chicory on the harness's empty 1-page module, the baseline of {@code
 * ApiBenchmark.oursCreateExecClose[tier=wasm]} (same module): parsed and compiled once, as our
 * module cache does, then per operation a new instance and a call of {@code _start}. The
 * INSTRUCTION tier's own {@code rawCreateExecClose} (its hello module) is preferred where it
 * exists; this one keeps the "≤ 1.10× raw Chicory" claim measurable without it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChicoryBenchmark {

  private WasmModule module;
  private Function<Instance, Machine> compiled;

  @Setup(Level.Trial)
  public void setUp() {
    module = Parser.parse(TinyWasm.emptyCommand());
    compiled = MachineFactoryCompiler.compile(module);
  }

  @Benchmark
  public Instance rawChicoryCreateRun() {
    Instance instance = Instance.builder(module).withMachineFactory(compiled).withStart(false).build();
    instance.export("_start").apply();
    return instance;
  }
}
