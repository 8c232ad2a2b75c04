package dev.strata.sandbox.bench.baseline;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code ProcessBuilder("/bin/true")}: start, wait, exit code. The floor under every "run a
 * native program" figure; no isolation at all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProcessBuilderBenchmark {

  private final ProcessBuilder trueCommand =
      new ProcessBuilder("/bin/true")
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD);

  @Benchmark
  public int rawProcessBuilderTrue() throws IOException, InterruptedException {
    Process p = trueCommand.start();
    p.getOutputStream().close();
    int exit = p.waitFor();
    if (exit != 0) {
      throw new IllegalStateException("/bin/true exited with " + exit);
    }
    return exit;
  }
}
