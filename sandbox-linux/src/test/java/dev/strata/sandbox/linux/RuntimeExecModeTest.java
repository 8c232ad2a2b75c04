package dev.strata.sandbox.linux;

import static dev.strata.sandbox.linux.LinuxTestSupport.create;
import static dev.strata.sandbox.linux.LinuxTestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same contract through {@code runc exec} ({@code linux.exec=runtime}) instead of PID 1. */
class RuntimeExecModeTest {

  private static LinuxSandbox sb;

  @BeforeAll
  static void start() {
    LinuxTestSupport.requireRuntime();
    sb = create(spec().withEnv("A", "1").withOption("linux.exec", "runtime").build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (sb != null) {
      sb.close();
    }
    LinuxTestSupport.assertNoLeftovers();
  }

  @Test
  void exitCodeStdinAndStreams() {
    ExecResult r = sb.exec(Command.of("sh", "-c", "cat; echo err >&2; exit 4").withStdin("in\n"));
    assertEquals(4, r.exitCode());
    assertEquals("in\n", r.stdoutText());
    assertEquals("err\n", r.stderrText());
  }

  @Test
  void sameIsolation() {
    LinuxTestSupport.assertConfined(sb);
  }

  @Test
  void timeoutKillsTheTree() {
    ExecResult r =
        sb.exec(Command.of("sh", "-c", "sh -c 'sleep 300 & sleep 300' & sleep 300").withTimeout(Duration.ofMillis(500)));
    assertEquals(ExecStatus.TIMED_OUT, r.status());
    LinuxTestSupport.assertOnlyInitLeft(sb);
  }

  @Test
  void missingProgram() {
    ExecResult r = sb.exec(Command.of("/nope"));
    assertEquals(127, r.exitCode());
    assertTrue(r.message() != null && r.message().toLowerCase(java.util.Locale.ROOT).contains("no such file"), r::toString);
  }
}
