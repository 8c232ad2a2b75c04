package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real programs nobody here wrote (../shared/corpora/wasm-programs): QuickJS, Rust, Go, TinyGo,
 * Zig, Swift, WAT, Javy on the default engine, .NET on the interpreter. The wazero directory is mounted read-only at
 * {@code /} for the programs that read files.
 */
class CorpusProgramsTest {

  static Path programs;

  @BeforeAll
  static void corpus() {
    programs = Corpora.require("wasm-programs");
  }

  private static ExecResult run(String program, String... args) {
    return run(Command.of(argv(program, args)));
  }

  private static List<String> argv(String program, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(programs.resolve(program).toString());
    argv.addAll(List.of(args));
    return argv;
  }

  private static ExecResult run(Command command) {
    try (Sandbox sb =
        Wasm.sandbox(
            Wasm.spec()
                .withEnv("GREETING", "hi")
                .withLimits(
                    ResourceLimits.defaults().toBuilder().withTimeout(Duration.ofSeconds(90)).build())
                .withMount(Mount.readOnly(programs.resolve("wazero"), "/"))
                .build())) {
      return sb.exec(command);
    }
  }

  private static void assertOutput(String expected, ExecResult r) {
    assertEquals(ExecStatus.EXITED, r.status(), () -> r + " " + r.stderrText());
    assertEquals(0, r.exitCode(), () -> r + " " + r.stderrText());
    // the wazero probes separate their words with NUL
    assertEquals(expected, r.stdoutText().replace('\0', ' '));
  }

  @Test
  void quickJsEvaluatesJavaScript() {
    assertOutput("42\n", run("quickjs-ng/qjs-wasi.wasm", "-e", "console.log(6*7)"));
  }

  @Test
  void rustSwiftWatAndGoHelloWorlds() {
    assertOutput("Hello, World!\n", run("chicory-corpus/hello-wasi.rs.wasm"));
    assertOutput("hello world\n", run("chicory-corpus/hello-wasi.wat.wasm"));
    assertOutput("Hello, Swift world!\n", run("chicory-corpus/hello-world.swift.wasm"));
    assertOutput("Hello, WebAssembly!\n", run("chicory-corpus/main.go.wasm"));
  }

  @Test
  void dotnetRunsInTheInterpreter() {
    // a 2.7 MB .NET runtime: the interpreter starts it in seconds, the compiler would first spend
    // ten more translating it (it works there too; this keeps the suite short)
    try (Sandbox sb =
        Wasm.sandbox(
            Wasm.spec()
                .withOption(WasmEngine.OPTION, "interpreter")
                .withLimits(
                    ResourceLimits.defaults().toBuilder().withTimeout(Duration.ofSeconds(90)).build())
                .build())) {
      assertOutput(
          "Hello, Wasi Console!\n", sb.exec(Command.of(argv("chicory-corpus/basic.dotnet.wasm"))));
    }
  }

  @Test
  void stdinReachesRustAndJavy() {
    assertOutput(
        "Hello, Strata!\n",
        run(Command.of(argv("chicory-corpus/greet-wasi.rs.wasm")).withStdin("Strata")));
    assertOutput(
        "{\"foo\":2,\"newBar\":\"undefined!\"}",
        run(Command.of(argv("chicory-corpus/javy-demo.js.javy.wasm")).withStdin("{\"n\":1}")));
  }

  @Test
  void wazeroProbesSeeArgsEnvStdinPreopensAndExitCodes() {
    assertOutput("print_args.wasm a b ", run("wazero/print_args.wasm", "a", "b"));
    assertOutput("wasi_arg.wasm x ", run("wazero/wasi_arg.wasm", "x"));
    assertOutput("GREETING=hi ", run("wazero/wasi_env.wasm"));
    assertOutput("piped", run(Command.of(argv("wazero/wasi_fd.wasm")).withStdin("piped")));
    assertOutput("/", run("wazero/print_prestat_dirname.wasm"));
    ExecResult exit = run("wazero/exit_on_start.wasm");
    assertEquals(ExecStatus.EXITED, exit.status());
    assertEquals(2, exit.exitCode());
  }

  @Test
  void catBuiltFourWaysReadsAMountedFile() {
    for (String cat : List.of("cat-zig.wasm", "cat-zig-cc.wasm", "cat-tinygo.wasm", "cat-cargo-wasi.wasm")) {
      assertOutput("greet filesystem\n", run("wazero/" + cat, "/test.txt"));
    }
  }

  @Test
  void directoryListingsAgreeAcrossLanguages() {
    ExecResult zig = run("wazero/wasi-zig.wasm", "ls", ".");
    assertTrue(zig.stdoutText().contains("./test.txt\n./wasi-cargo-wasi.wasm\n"), zig.stdoutText());
    assertOutput(zig.stdoutText(), run("wazero/wasi-tinygo.wasm", "ls", "."));
    assertOutput(zig.stdoutText(), run("wazero/wasi-cargo-wasi.wasm", "ls", "."));
  }

  @Test
  void wazerosInfiniteLoopTimesOut() {
    try (Sandbox sb =
        Wasm.sandbox(
            Wasm.spec()
                .withLimits(
                    ResourceLimits.defaults().toBuilder().withTimeout(Duration.ofMillis(300)).build())
                .build())) {
      assertEquals(
          ExecStatus.TIMED_OUT, sb.exec(Command.of(argv("wazero/infinite_loop.wasm"))).status());
    }
  }

  @Test
  void aPreview0ModuleIsRefusedByName() {
    // wasi_unstable (preview0) is not offered: the message says so instead of failing later
    InvalidProgramException e =
        assertThrows(InvalidProgramException.class, () -> run("wazero/exit_on_start_unstable.wasm"));
    assertTrue(e.getMessage().contains("wasi_unstable.proc_exit"), e.getMessage());
  }
}
