package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery through the factory, and the compiled-module caches. */
class ProviderTest {

  @TempDir Path tmp;

  @Test
  void theFactoryFindsTheWasmBackendAndHandsOutUnwrappableSandboxes() {
    try (SandboxFactory factory = SandboxFactory.create()) {
      assertTrue(factory.isAvailable(IsolationLevel.INSTRUCTION));
      try (Sandbox sb = factory.create(SandboxSpec.exactly(IsolationLevel.INSTRUCTION).build())) {
        assertEquals("wasm", sb.backend());
        assertTrue(sb.id().startsWith("strata-wasm-" + ProcessHandle.current().pid() + "-"), sb.id());
        ExecResult r = sb.exec(Wasm.command("hello"));
        assertEquals("hello from wasm\n", r.stdoutText());
        assertEquals(WasmEngine.COMPILER, WasmSandbox.unwrap(sb).engine());
      }
    }
  }

  @Test
  void scratchDirectoriesOfDeadJvmsAreReaped() throws Exception {
    // pid 999999999 is above Linux's pid_max: that JVM is certainly gone
    Path dead = Files.createDirectories(tmp.resolve("strata-wasm-999999999-deadbeef-scratch-1"));
    Files.writeString(dead.resolve("left.txt"), "left behind");
    Path mine =
        Files.createDirectories(
            tmp.resolve("strata-wasm-" + ProcessHandle.current().pid() + "-cafe0001-scratch-2"));
    Path other = Files.createDirectories(tmp.resolve("not-strata"));
    assertEquals(1, WasmSandboxProvider.reapStaleScratch(tmp));
    assertTrue(Files.notExists(dead));
    assertTrue(Files.exists(mine), "this JVM's sandboxes are alive");
    assertTrue(Files.exists(other));
  }

  @Test
  void aModuleIsParsedOncePerContent() throws Exception {
    ModuleCache cache = ModuleCache.global();
    LoadedModule a = cache.load(Wasm.module("hello"));
    Path copy = Files.copy(Wasm.module("hello"), tmp.resolve("renamed.wasm"));
    LoadedModule b = cache.load(copy);
    assertSame(a, b, "same bytes, same parsed and compiled module");
    assertNotSame(a, cache.load(Wasm.module("args")));
  }

  @Test
  void compiledModulesAreKeptOnDiskForTheNextJvm() throws Exception {
    Path dir = tmp.resolve("cache");
    byte[] bytes = Files.readAllBytes(Wasm.module("echo"));
    ModuleCache first = new ModuleCache(dir);
    LoadedModule m1 = first.load(bytes, "echo.wasm");
    assertTrue(m1.machineFactory(WasmEngine.COMPILER, first) != null);
    assertEquals(1, count(dir), "the compiled classes are written once");
    long written = Files.getLastModifiedTime(only(dir)).toMillis();

    // a fresh cache (as after a restart) finds them, and instances built from them run
    ModuleCache second = new ModuleCache(dir);
    LoadedModule m2 = second.load(bytes, "echo.wasm");
    assertNotSame(m1, m2);
    assertTrue(m2.machineFactory(WasmEngine.COMPILER, second) != null);
    assertEquals(1, count(dir));
    assertEquals(written, Files.getLastModifiedTime(only(dir)).toMillis(), "read, not rewritten");
  }

  private static long count(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  private static Path only(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findFirst().orElseThrow();
    }
  }
}
