package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.Sandbox;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** WASI commands of our own, on both engines. */
class WasiCommandTest {

  private static Sandbox sandbox(WasmEngine engine) {
    return Wasm.sandbox(Wasm.spec().withOption(WasmEngine.OPTION, engine.name()).build());
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void helloPrintsAndExitsZero(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine)) {
      ExecResult r = sb.exec(Wasm.command("hello"));
      assertEquals(ExecStatus.EXITED, r.status(), r::toString);
      assertEquals(0, r.exitCode());
      assertEquals("hello from wasm\n", r.stdoutText());
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void argvZeroIsTheFileNameAndTheRestPassThrough(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine)) {
      ExecResult r = sb.exec(Wasm.command("args", "one", "two words"));
      assertEquals(ExecStatus.EXITED, r.status(), r::toString);
      assertEquals(3, r.exitCode(), "args exits with argc");
      assertEquals("argc=3\nargv[0]=args.wasm\nargv[1]=one\nargv[2]=two words\n", r.stdoutText());
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void environmentIsOnlyTheSpecsAndTheCommands(WasmEngine engine) {
    try (Sandbox sb =
        Wasm.sandbox(
            Wasm.spec()
                .withOption(WasmEngine.OPTION, engine.name())
                .withEnv("A", "1")
                .withEnv("B", "spec")
                .build())) {
      ExecResult r = sb.exec(Wasm.command("env").withEnv("B", "command"));
      assertEquals("A=1\nB=command\n", r.stdoutText(), "no host variable (PATH, HOME) may leak in");
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void stdinIsEchoedAndStderrCounted(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine)) {
      ExecResult r = sb.exec(Wasm.command("echo").withStdin("some input\nline two\n"));
      assertEquals("some input\nline two\n", r.stdoutText());
      assertEquals("20 bytes\n", r.stderrText());
      ExecResult empty = sb.exec(Wasm.command("echo"));
      assertEquals("", empty.stdoutText());
      assertEquals("0 bytes\n", empty.stderrText());
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void exitCodesComeThroughProcExit(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine)) {
      assertEquals(0, sb.exec(Wasm.command("exitcode", "0")).exitCode());
      ExecResult one = sb.exec(Wasm.command("exitcode", "1"));
      assertEquals(ExecStatus.EXITED, one.status());
      assertEquals(1, one.exitCode());
      assertEquals(42, sb.exec(Wasm.command("exitcode", "42")).exitCode());
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void aTrapIsTrappedWithItsMessageNotExitCodeOne(WasmEngine engine) {
    try (Sandbox sb = sandbox(engine)) {
      ExecResult r = sb.exec(Wasm.command("trap"));
      assertEquals(ExecStatus.TRAPPED, r.status(), r::toString);
      assertEquals(-1, r.exitCode());
      assertEquals("before trap\n", r.stdoutText(), "output before the trap is kept");
      assertTrue(
          r.message() != null && r.message().toLowerCase().contains("unreachable"),
          "message names the trap: " + r.message());
    }
  }

  @ParameterizedTest
  @EnumSource(WasmEngine.class)
  void streamingSinksReceiveTheOutput(WasmEngine engine) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (Sandbox sb = sandbox(engine)) {
      ExecResult r =
          sb.exec(Wasm.command("echo").withStdin("streamed").withStdout(out).withStderr(err));
      assertTrue(r.isSuccess());
      assertEquals(0, r.stdout().length, "streamed output is not collected too");
      assertEquals("streamed", out.toString(StandardCharsets.UTF_8));
      assertEquals("8 bytes\n", err.toString(StandardCharsets.UTF_8));
    }
  }
}
