package dev.strata.sandbox.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.CapacityExceededException;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.testing.FakeProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pool logic against the fake backend; the tiers' own tests check real resets. */
class SandboxPoolTest {

  private final FakeProvider provider = FakeProvider.available("wasm", IsolationLevel.INSTRUCTION);
  private final SandboxFactory factory =
      SandboxFactory.builder()
          .withoutServiceLoader()
          .withHardwareProfile(HardwareProfile.builder().build())
          .withProvider(provider)
          .build();
  private final SandboxSpec spec = SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build();

  @AfterEach
  void close() {
    factory.close();
  }

  private static void eventually(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void warmsUpToMinIdle() throws Exception {
    try (SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(3).withMaxSize(5).build()) {
      eventually("3 idle", () -> pool.stats().idle() == 3);
      assertEquals(3, provider.created.get());
    }
    assertEquals(0, provider.live(), "closing the pool closes the idle sandboxes");
  }

  @Test
  void resettableSandboxesAreReusedWithNoStateLeft() throws Exception {
    provider.resettable();
    try (SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(1).withMaxSize(1).build()) {
      eventually("1 idle", () -> pool.stats().idle() == 1);
      Sandbox first;
      try (SandboxPool.Lease lease = pool.acquire()) {
        first = lease.sandbox();
        lease.exec(Command.of("put", "secret"));
        assertEquals("secret", lease.exec(Command.of("get")).stdoutText());
      }
      try (SandboxPool.Lease lease = pool.acquire()) {
        assertTrue(lease.warm());
        assertSame(first, lease.sandbox(), "a reset sandbox is reused");
        assertEquals("", lease.exec(Command.of("get")).stdoutText(), "nothing leaks to the next lease");
      }
      assertEquals(1, provider.created.get());
      assertTrue(provider.resets.get() >= 1);
      assertTrue(pool.stats().reused() >= 1, "served by a reset, not a cold start");
    }
  }

  @Test
  void sandboxesThatCannotResetAreReplaced() throws Exception {
    try (SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(1).withMaxSize(2).build()) {
      String firstId;
      try (SandboxPool.Lease lease = pool.acquire()) {
        firstId = lease.sandbox().id();
        lease.exec(Command.of("put", "secret"));
      }
      eventually("the used sandbox is closed", () -> provider.closed.get() == 1);
      try (SandboxPool.Lease lease = pool.acquire()) {
        assertNotEquals(firstId, lease.sandbox().id());
        assertEquals("", lease.exec(Command.of("get")).stdoutText());
      }
      assertTrue(pool.stats().discarded() >= 1);
    }
  }

  @Test
  void exhaustedPoolWaitsThenRefusesClearly() {
    try (SandboxPool pool =
        SandboxPool.builder(factory, spec).withName("fn").withMinIdle(0).withMaxSize(1).build()) {
      SandboxPool.Lease held = pool.acquire();
      assertFalse(held.warm(), "minIdle 0: the first acquire starts it cold");
      CapacityExceededException e =
          assertThrows(CapacityExceededException.class, () -> pool.acquire(Duration.ofMillis(100)));
      assertEquals(
          "pool fn is exhausted: all 1 sandboxes are leased or starting, waited 100 ms."
              + " Fix: release leases sooner, or raise withMaxSize.",
          e.getMessage());
      held.close();
      try (SandboxPool.Lease again = pool.acquire(Duration.ofSeconds(5))) {
        assertEquals("ok", again.exec(Command.of("ok")).stdoutText());
      }
    }
  }

  @Test
  void idleSandboxesExpireDownToMinIdle() throws Exception {
    try (SandboxPool pool =
        SandboxPool.builder(factory, spec).withMinIdle(1).withMaxSize(4).withIdleExpiry(Duration.ofMillis(200)).build()) {
      provider.resettable();
      List<SandboxPool.Lease> leases = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        leases.add(pool.acquire());
      }
      leases.forEach(SandboxPool.Lease::close);
      eventually("expired down to 1 idle", () -> pool.stats().idle() == 1 && pool.stats().starting() == 0);
    }
  }

  @Test
  void refillDoesNotStarveCallers() throws Exception {
    provider.withCreateDelay(50);
    try (SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(2).withMaxSize(4).build()) {
      // while the refill thread is busy creating, a caller still gets a sandbox of its own
      try (SandboxPool.Lease lease = pool.acquire(Duration.ofSeconds(2))) {
        assertEquals("x", lease.exec(Command.of("x")).stdoutText());
      }
    }
  }

  @Test
  void concurrentAcquireReleaseFromSixteenThreads() throws Exception {
    provider.resettable();
    try (SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(4).withMaxSize(8).build()) {
      ExecutorService threads = Executors.newFixedThreadPool(16);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        results.add(
            threads.submit(
                () -> {
                  try (SandboxPool.Lease lease = pool.acquire()) {
                    String before = lease.exec(Command.of("get")).stdoutText();
                    lease.exec(Command.of("put", "v" + n));
                    return before.isEmpty() && lease.exec(Command.of("get")).stdoutText().equals("v" + n);
                  }
                }));
      }
      for (Future<Boolean> r : results) {
        assertTrue(r.get(30, TimeUnit.SECONDS), "every lease starts clean and sees only its own state");
      }
      threads.shutdown();
      assertTrue(pool.stats().total() <= 8);
      assertTrue(provider.created.get() <= 8, "reused, not recreated: " + provider.created.get());
    }
    assertEquals(0, provider.live());
  }

  @Test
  void closingWhileResetsAreQueuedClosesEverySandbox() {
    provider.resettable().withResetDelay(100);
    SandboxPool pool = SandboxPool.builder(factory, spec).withMinIdle(0).withMaxSize(3).build();
    List<SandboxPool.Lease> leases = List.of(pool.acquire(), pool.acquire(), pool.acquire());
    leases.forEach(SandboxPool.Lease::close); // three resets queued on the one maintenance thread
    pool.close();
    assertEquals(3, provider.created.get());
    assertEquals(0, provider.live(), "a sandbox queued for reset when the pool closed was left open");
  }

  @Test
  void badSizesAreRefused() {
    assertEquals(
        "minIdle (5) must be between 0 and maxSize (2)",
        assertThrows(IllegalArgumentException.class,
            () -> SandboxPool.builder(factory, spec).withMinIdle(5).withMaxSize(2).build()).getMessage());
  }
}
