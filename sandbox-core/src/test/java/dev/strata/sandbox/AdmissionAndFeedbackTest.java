package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.testing.FakeProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Placement, admission control and the feedback a factory gives (L3 of the four-layer model). */
class AdmissionAndFeedbackTest {

  private final FakeProvider wasm = FakeProvider.available("wasm", IsolationLevel.INSTRUCTION);
  private final FakeProvider linux = FakeProvider.available("linux", IsolationLevel.PROCESS);
  private final FakeProvider kvm = FakeProvider.available("kvm", IsolationLevel.HARDWARE);

  private SandboxFactory factory(HostBudget budget, Duration wait) {
    return SandboxFactory.builder()
        .withoutServiceLoader()
        .withHardwareProfile(HardwareProfile.builder().withMemoryBytes(8L << 30).build())
        .withProvider(wasm)
        .withProvider(linux)
        .withProvider(kvm)
        .withBudget(budget)
        .withAdmissionTimeout(wait)
        .build();
  }

  private static SandboxSpec spec(IsolationLevel level, long memoryMiB) {
    return SandboxSpec.atLeast(level)
        .withLimits(ResourceLimits.defaults().toBuilder().withMemoryBytes(memoryMiB << 20).build())
        .build();
  }

  @Test
  void placementPicksTheCheapestTierWithRoomAndMovesUpWhenFull() {
    HostBudget budget = HostBudget.builder().withMaxSandboxes(IsolationLevel.PROCESS, 1).build();
    try (SandboxFactory f = factory(budget, Duration.ZERO)) {
      Sandbox a = f.create(spec(IsolationLevel.PROCESS, 64));
      assertEquals("linux", a.backend());
      assertEquals("kvm", f.select(spec(IsolationLevel.PROCESS, 64)).name(), "PROCESS is full");
      Sandbox b = f.create(spec(IsolationLevel.PROCESS, 64));
      assertEquals("kvm", b.backend(), "at least PROCESS: a stronger tier with room");
      SandboxSpec exact = SandboxSpec.exactly(IsolationLevel.PROCESS).build();
      assertThrows(CapacityExceededException.class, () -> f.create(exact), "exactly PROCESS never moves");
      a.close();
      assertEquals("linux", f.create(spec(IsolationLevel.PROCESS, 64)).backend());
    }
  }

  @Test
  void admissionRefusesWithWhatIsUsedAndTheFix() {
    HostBudget budget = HostBudget.builder().withMemoryBytes(256L << 20).build();
    try (SandboxFactory f = factory(budget, Duration.ZERO)) {
      f.create(spec(IsolationLevel.HARDWARE, 200));
      CapacityExceededException e =
          assertThrows(CapacityExceededException.class, () -> f.create(spec(IsolationLevel.HARDWARE, 100)));
      assertEquals(
          "The host budget has no room for this sandbox (100 MiB, 1000 millicpus). In use: 200 MiB"
              + " memory of 256 MiB, 1000 millicpus of unlimited, HARDWARE 1 of unlimited. Fix: close"
              + " sandboxes, raise the HostBudget, or set an admission timeout to queue.",
          e.getMessage());
      assertEquals(1, kvm.created.get(), "nothing was created for the refused one");
      BudgetUsage u = f.budgetUsage();
      assertEquals(200L << 20, u.memoryBytesUsed());
      assertEquals(56L << 20, u.memoryBytesFree());
      assertEquals(1, u.sandboxes(IsolationLevel.HARDWARE));
    }
  }

  @Test
  void queuedAdmissionSucceedsWhenRoomIsFreedBeforeTheDeadline() throws Exception {
    HostBudget budget = HostBudget.builder().withMaxSandboxes(IsolationLevel.HARDWARE, 1).build();
    try (SandboxFactory f = factory(budget, Duration.ofSeconds(10))) {
      Sandbox first = f.create(spec(IsolationLevel.HARDWARE, 64));
      CompletableFuture<Sandbox> queued = CompletableFuture.supplyAsync(() -> f.create(spec(IsolationLevel.HARDWARE, 64)));
      Thread.sleep(100);
      assertEquals(1, f.budgetUsage().waiting());
      first.close();
      Sandbox second = queued.get(5, TimeUnit.SECONDS);
      assertEquals("kvm", second.backend());
    }
  }

  @Test
  void queuedAdmissionGivesUpAtTheDeadline() {
    HostBudget budget = HostBudget.builder().withMaxSandboxes(IsolationLevel.HARDWARE, 0).build();
    try (SandboxFactory f = factory(budget, Duration.ofMillis(150))) {
      long t0 = System.nanoTime();
      CapacityExceededException e =
          assertThrows(CapacityExceededException.class, () -> f.create(spec(IsolationLevel.HARDWARE, 64)));
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150));
      assertTrue(e.getMessage().contains("after waiting 150 ms"), e.getMessage());
    }
  }

  @Test
  void aSpecLargerThanTheHostIsImpossible() {
    try (SandboxFactory f = factory(HostBudget.builder().build(), Duration.ZERO)) {
      InvalidSpecException e =
          assertThrows(InvalidSpecException.class, () -> f.create(spec(IsolationLevel.PROCESS, 64 * 1024)));
      assertEquals(
          "the spec asks for 65536 MiB of memory but this host has 8192 MiB. Fix: lower ResourceLimits.memoryBytes.",
          e.getMessage());
    }
  }

  @Test
  void aFailedCreateReleasesItsReservation() {
    FakeProvider broken =
        new FakeProvider("kvm", IsolationLevel.HARDWARE, Availability.ok()) {
          @Override
          public Sandbox create(SandboxSpec spec, HardwareProfile host) {
            throw new SandboxStartException("the VM did not boot");
          }
        };
    try (SandboxFactory f =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HardwareProfile.builder().build())
            .withProvider(broken).withBudget(HostBudget.builder().withMaxSandboxes(IsolationLevel.HARDWARE, 1).build()).build()) {
      assertThrows(SandboxStartException.class, () -> f.create(spec(IsolationLevel.HARDWARE, 64)));
      assertThrows(SandboxStartException.class, () -> f.create(spec(IsolationLevel.HARDWARE, 64)), "not CapacityExceeded");
      assertEquals(0, f.budgetUsage().sandboxes(IsolationLevel.HARDWARE));
      assertEquals(2L, f.metrics().tier(IsolationLevel.HARDWARE).failures().get("SandboxStartException"));
    }
  }

  @Test
  void metricsAndStatusFeedback() {
    try (SandboxFactory f = factory(HostBudget.builder().build(), Duration.ZERO)) {
      Sandbox a = f.create(spec(IsolationLevel.INSTRUCTION, 16));
      Sandbox b = f.create(spec(IsolationLevel.PROCESS, 16));
      a.exec(Command.of("ok"));
      a.exec(Command.of("status", "TIMED_OUT"));
      assertThrows(SandboxFailedException.class, () -> a.exec(Command.of("fail")));
      SandboxMetrics m = f.metrics();
      SandboxMetrics.Tier w = m.tier(IsolationLevel.INSTRUCTION);
      assertEquals(1, w.created());
      assertEquals(1, w.liveCount());
      assertEquals(1L, w.execs().get(ExecStatus.EXITED));
      assertEquals(1L, w.execs().get(ExecStatus.TIMED_OUT));
      assertEquals(1L, w.failures().get("SandboxFailedException"));
      assertEquals(1, w.startLatency().count());
      assertEquals(2, w.execLatency().count());
      assertTrue(w.execLatency().p50().compareTo(w.execLatency().max()) <= 0);
      assertEquals(0, m.tier(IsolationLevel.HARDWARE).created());

      List<SandboxStatus> live = f.sandboxes();
      assertEquals(2, live.size());
      SandboxStatus sa = live.stream().filter(s -> s.id().equals(a.id())).findFirst().orElseThrow();
      assertEquals(SandboxState.IDLE, sa.state());
      assertEquals(3, sa.stats().execCount());
      assertEquals("fake failure", sa.stats().lastError());
      a.close();
      b.close();
      assertTrue(f.sandboxes().isEmpty());
      assertEquals(1, f.metrics().tier(IsolationLevel.PROCESS).closed());
    }
  }

  @Test
  void budgetForHostUsesTheTierDensities() {
    HostBudget b = HostBudget.forHost(HardwareProfile.builder().withCpus(2).withMemoryBytes(10L << 30).build());
    assertEquals(9L << 30, b.memoryBytes());
    assertEquals(8000, b.cpuMillis());
    assertEquals(100_000, b.maxSandboxes(IsolationLevel.INSTRUCTION));
    assertEquals(1_000, b.maxSandboxes(IsolationLevel.PROCESS));
    assertEquals(100, b.maxSandboxes(IsolationLevel.HARDWARE));
  }
}
