package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidProgramException;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or broken input: clear exceptions for bad programs, right results under load. */
class AbuseTest {

  @TempDir Path tmp;

  private void assertInvalid(Path module, String expected) {
    try (Sandbox sb = Wasm.sandbox(Wasm.spec().build())) {
      InvalidProgramException e =
          assertThrows(InvalidProgramException.class, () -> sb.exec(dev.strata.sandbox.Command.of(module.toString())));
      assertTrue(e.getMessage().contains(expected), "message names the problem: " + e.getMessage());
      assertEquals(SandboxState.IDLE, sb.state(), "a bad program does not break the sandbox");
      assertEquals(ExecStatus.EXITED, sb.exec(Wasm.command("hello")).status());
    }
  }

  @Test
  void garbageIsNotAModule() throws IOException {
    Path garbage = Files.write(tmp.resolve("garbage.wasm"), "this is not wasm".getBytes());
    assertInvalid(garbage, "garbage.wasm is not a valid WebAssembly module");
  }

  @Test
  void aTruncatedModuleIsRefused() throws IOException {
    byte[] hello = Files.readAllBytes(Wasm.module("hello"));
    Path cut = Files.write(tmp.resolve("cut.wasm"), Arrays.copyOf(hello, hello.length / 2));
    assertInvalid(cut, "cut.wasm is not a valid WebAssembly module");
  }

  @Test
  void aMissingFileIsNamed() {
    assertInvalid(tmp.resolve("nowhere.wasm"), "no WebAssembly module at");
  }

  @Test
  void anImportNobodyProvidesIsNamed() {
    // the plugin imports strata.log, which a WASI command does not get
    assertInvalid(Wasm.module("plugin"), "strata.log");
  }

  @Test
  void aBadSpecIsRefusedUpFront() {
    InvalidSpecException net =
        assertThrows(
            InvalidSpecException.class,
            () -> Wasm.sandbox(Wasm.spec().withNetwork(NetworkPolicy.LOOPBACK).build()));
    assertTrue(net.getMessage().contains("no network"), net.getMessage());
    InvalidSpecException engine =
        assertThrows(
            InvalidSpecException.class,
            () -> Wasm.sandbox(Wasm.spec().withOption("wasm.engine", "jit").build()));
    assertTrue(engine.getMessage().contains("compiler or interpreter"), engine.getMessage());
    InvalidSpecException unknown =
        assertThrows(
            InvalidSpecException.class,
            () -> Wasm.sandbox(Wasm.spec().withOption("wasm.turbo", "yes").build()));
    assertTrue(unknown.getMessage().contains("wasm.turbo"), unknown.getMessage());
  }

  @Test
  void aThousandSandboxesFromSixteenThreadsAllGetTheirOwnResult() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int n = i;
        results.add(
            callers.submit(
                () -> {
                  try (Sandbox sb = Wasm.sandbox(Wasm.spec().withEnv("N", "n" + n).build())) {
                    ExecResult r = sb.exec(Wasm.command("args", "call-" + n));
                    ExecResult env = sb.exec(Wasm.command("env"));
                    return r.status() + " " + r.exitCode() + " " + r.stdoutText() + env.stdoutText();
                  }
                }));
      }
      for (int i = 0; i < 1000; i++) {
        assertEquals(
            "EXITED 2 argc=2\nargv[0]=args.wasm\nargv[1]=call-" + i + "\nN=n" + i + "\n",
            results.get(i).get());
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
