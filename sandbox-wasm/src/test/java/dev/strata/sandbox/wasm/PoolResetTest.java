package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.pool.SandboxPool;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A WASM sandbox reset for the next lease: the same sandbox, an empty scratch, its quota back. */
class PoolResetTest {

  private static SandboxFactory factory() {
    return SandboxFactory.builder()
        .withoutServiceLoader()
        .withProvider(new WasmSandboxProvider())
        .withHardwareProfile(HardwareProfile.detect())
        .build();
  }

  @Test
  void anEnvironmentGivenToOneLeaseIsNotSeenByTheNext() {
    try (SandboxFactory factory = factory();
        SandboxPool pool =
            SandboxPool.builder(factory, Wasm.spec().withEnv("BASE", "1").build()).withMaxSize(1).build()) {
      try (SandboxPool.Lease lease = pool.acquire()) {
        assertEquals("BASE=1\nSECRET=x\n", lease.exec(Wasm.command("env").withEnv("SECRET", "x")).stdoutText());
      }
      try (SandboxPool.Lease lease = pool.acquire()) {
        assertEquals("BASE=1\n", lease.exec(Wasm.command("env")).stdoutText());
      }
    }
  }

  @Test
  void twoHundredLeasesFromSixteenThreadsEachSeeOnlyTheirOwnFiles() throws Exception {
    try (SandboxFactory factory = factory();
        SandboxPool pool =
            SandboxPool.builder(factory, Wasm.spec().withScratch("/scratch", 1 << 20).build())
                .withMinIdle(4)
                .withMaxSize(8)
                .build()) {
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(16);
      java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String mine = "lease-" + i;
        results.add(
            threads.submit(
                () -> {
                  try (SandboxPool.Lease lease = pool.acquire()) {
                    ExecResult before = lease.exec(Wasm.command("files", "read", "/scratch/f"));
                    if (before.exitCode() != 2) {
                      return "saw a previous lease's file: " + before.stdoutText();
                    }
                    lease.exec(Wasm.command("files", "write", "/scratch/f", mine));
                    String read = lease.exec(Wasm.command("files", "read", "/scratch/f")).stdoutText();
                    return read.equals(mine) ? "ok" : "read " + read + " instead of " + mine;
                  }
                }));
      }
      for (java.util.concurrent.Future<String> r : results) {
        assertEquals("ok", r.get(60, java.util.concurrent.TimeUnit.SECONDS));
      }
      threads.shutdown();
      assertTrue(pool.stats().created() <= 8, "reused, not recreated: " + pool.stats());
      assertTrue(pool.stats().reused() > 0);
    }
  }

  @Test
  void aFileWrittenInOneLeaseIsGoneInTheNext() throws Exception {
    try (SandboxFactory factory = factory();
        SandboxPool pool =
            SandboxPool.builder(factory, Wasm.spec().withScratch("/scratch", 4096).build())
                .withMinIdle(1)
                .withMaxSize(1)
                .build()) {
      Sandbox first;
      try (SandboxPool.Lease lease = pool.acquire()) {
        first = lease.sandbox();
        assertEquals("wrote 3000\n", lease.exec(Wasm.command("files", "write", "/scratch/secret", "x".repeat(3000))).stdoutText());
        assertEquals("x".repeat(3000), lease.exec(Wasm.command("files", "read", "/scratch/secret")).stdoutText());
      }
      try (SandboxPool.Lease lease = pool.acquire(Duration.ofSeconds(10))) {
        assertSame(first, lease.sandbox(), "reset and reused, not recreated");
        assertTrue(lease.warm());
        ExecResult gone = lease.exec(Wasm.command("files", "read", "/scratch/secret"));
        assertEquals(2, gone.exitCode(), gone.stdoutText());
        // the 4096-byte quota was given back with the files: 3000 more bytes fit again
        assertEquals("wrote 3000\n", lease.exec(Wasm.command("files", "write", "/scratch/other", "y".repeat(3000))).stdoutText());
      }
      assertEquals(1, pool.stats().created());
      assertTrue(pool.stats().reused() >= 1);
    }
  }
}
