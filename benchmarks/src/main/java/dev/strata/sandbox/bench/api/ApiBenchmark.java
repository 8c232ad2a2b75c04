package dev.strata.sandbox.bench.api;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cold and warm paths of any tier through {@link SandboxFactory}: the same code a user writes.
 * The harness sets {@code tier} to one available backend at a time.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class ApiBenchmark {

  /** One factory and command per trial. */
  @State(Scope.Benchmark)
  public static class Tier {
    @Param({"wasm", "linux", "kvm"})
    public String tier;

    SandboxFactory factory;
    SandboxSpec spec;
    Command command;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      factory = SandboxFactory.create();
      spec = TierSetup.spec(tier);
      command = TierSetup.command(tier);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      factory.close();
    }
  }

  /** A sandbox kept up for the whole trial. */
  @State(Scope.Benchmark)
  public static class Warm {
    Sandbox sandbox;

    @Setup(Level.Trial)
    public void setUp(Tier t) {
      sandbox = t.factory.create(t.spec);
      TierSetup.check(sandbox.exec(t.command));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      sandbox.close();
    }
  }

  @Benchmark
  public ExecResult oursCreateExecClose(Tier t) {
    try (Sandbox sandbox = t.factory.create(t.spec)) {
      return TierSetup.check(sandbox.exec(t.command));
    }
  }

  @Benchmark
  public ExecResult oursWarmExec(Tier t, Warm w) {
    return TierSetup.check(w.sandbox.exec(t.command));
  }
}
