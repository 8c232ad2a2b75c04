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

  @Test
  void aFileWrittenInOneLeaseIsGoneInTheNext() throws Exception {
    try (SandboxFactory factory =
            SandboxFactory.builder()
                .withoutServiceLoader()
                .withProvider(new WasmSandboxProvider())
                .withHardwareProfile(HardwareProfile.detect())
                .build();
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
