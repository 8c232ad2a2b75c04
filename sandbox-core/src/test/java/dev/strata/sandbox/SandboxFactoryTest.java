package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.testing.FakeProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxFactoryTest {

  private static final HardwareProfile HOST = HardwareProfile.builder().build();

  private static SandboxFactory factory(FakeProvider... providers) {
    SandboxFactory.Builder b =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HOST);
    for (FakeProvider p : providers) {
      b.withProvider(p);
    }
    return b.build();
  }

  private final FakeProvider wasm = FakeProvider.available("wasm", IsolationLevel.INSTRUCTION);
  private final FakeProvider linux = FakeProvider.available("linux", IsolationLevel.PROCESS);
  private final FakeProvider kvm = FakeProvider.available("kvm", IsolationLevel.HARDWARE);

  @Test
  void atLeastPicksTheCheapestAvailableLevel() {
    try (SandboxFactory f = factory(kvm, linux, wasm)) {
      assertEquals("wasm", f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build()).backend());
      assertEquals("linux", f.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build()).backend());
      assertEquals("kvm", f.create(SandboxSpec.atLeast(IsolationLevel.HARDWARE).build()).backend());
    }
  }

  @Test
  void atLeastSkipsAnUnavailableLevelUpwardsNeverDownwards() {
    FakeProvider noLinux =
        FakeProvider.unavailable("linux", IsolationLevel.PROCESS, "runc not found", "apt-get install runc");
    try (SandboxFactory f = factory(wasm, noLinux, kvm)) {
      Sandbox s = f.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build());
      assertEquals("kvm", s.backend());
      assertEquals(IsolationLevel.HARDWARE, s.isolationLevel());
    }
  }

  @Test
  void exactlyRefusesAStrongerBackend() {
    FakeProvider noLinux =
        FakeProvider.unavailable("linux", IsolationLevel.PROCESS, "runc not found", "apt-get install runc");
    try (SandboxFactory f = factory(wasm, noLinux, kvm)) {
      SandboxUnavailableException e =
          assertThrows(
              SandboxUnavailableException.class,
              () -> f.create(SandboxSpec.exactly(IsolationLevel.PROCESS).build()));
      assertEquals(
          "No sandbox backend can give isolation exactly PROCESS on this host.\n"
              + "Backends tried:\n"
              + "  - wasm (INSTRUCTION): does not fit exactly PROCESS\n"
              + "  - linux (PROCESS): unavailable: runc not found. Fix: apt-get install runc\n"
              + "  - kvm (HARDWARE): does not fit exactly PROCESS",
          e.getMessage());
      assertEquals(3, e.backends().size());
    }
  }

  @Test
  void nothingFitsListsEveryBackendWithReasonAndFix() {
    FakeProvider noLinux =
        FakeProvider.unavailable("linux", IsolationLevel.PROCESS, "runc not found on the PATH", "apt-get install runc");
    FakeProvider noKvm =
        FakeProvider.unavailable(
            "kvm", IsolationLevel.HARDWARE, "no guest kernel", "./scripts/provision-guest-kernel.sh");
    try (SandboxFactory f = factory(wasm, noLinux, noKvm)) {
      SandboxUnavailableException e =
          assertThrows(
              SandboxUnavailableException.class,
              () -> f.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build()));
      assertEquals(
          "No sandbox backend can give isolation at least PROCESS on this host.\n"
              + "Backends tried:\n"
              + "  - wasm (INSTRUCTION): does not fit at least PROCESS\n"
              + "  - linux (PROCESS): unavailable: runc not found on the PATH. Fix: apt-get install runc\n"
              + "  - kvm (HARDWARE): unavailable: no guest kernel. Fix: ./scripts/provision-guest-kernel.sh",
          e.getMessage());
      assertEquals(0, wasm.created.get(), "never falls back to weaker isolation");
    }
  }

  @Test
  void noBackendsAtAllSaysWhichModulesToAdd() {
    try (SandboxFactory f = factory()) {
      SandboxUnavailableException e =
          assertThrows(SandboxUnavailableException.class, () -> f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build()));
      assertTrue(e.getMessage().contains("dev.strata:sandbox-wasm"), e.getMessage());
    }
  }

  @Test
  void forcedBackendWinsOverTheCheapest() {
    try (SandboxFactory f =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HOST)
            .withProvider(wasm).withProvider(linux).withProvider(kvm).withBackend("kvm").build()) {
      assertEquals("kvm", f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build()).backend());
      assertEquals("kvm", f.forcedBackend().orElseThrow());
    }
  }

  @Test
  void forcedBackendThatIsWeakerIsAnErrorNotAFallback() {
    try (SandboxFactory f =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HOST)
            .withProvider(wasm).withProvider(linux).withBackend("wasm").build()) {
      SandboxUnavailableException e =
          assertThrows(SandboxUnavailableException.class, () -> f.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build()));
      assertEquals(
          "The backend 'wasm' forced by SandboxFactory.Builder.withBackend gives INSTRUCTION isolation,"
              + " but the spec asks for at least PROCESS. Strata never falls back to weaker isolation."
              + " Fix: force a backend that fits, or change the spec.",
          e.getMessage());
    }
  }

  @Test
  void forcedBackendThatIsMissingOrUnavailableIsAnError() {
    try (SandboxFactory f =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HOST)
            .withProvider(wasm).withBackend("nope").build()) {
      SandboxUnavailableException e =
          assertThrows(SandboxUnavailableException.class, () -> f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build()));
      assertTrue(e.getMessage().startsWith("The backend 'nope' forced by SandboxFactory.Builder.withBackend is not on the class path. Backends found: wasm."), e.getMessage());
    }
    FakeProvider noLinux =
        FakeProvider.unavailable("linux", IsolationLevel.PROCESS, "runc not found", "apt-get install runc");
    try (SandboxFactory f =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HOST)
            .withProvider(noLinux).withProvider(kvm).withBackend("linux").build()) {
      SandboxUnavailableException e =
          assertThrows(SandboxUnavailableException.class, () -> f.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build()));
      assertEquals(
          "The backend 'linux' forced by SandboxFactory.Builder.withBackend is unavailable: runc not found. Fix: apt-get install runc.",
          e.getMessage());
    }
  }

  @Test
  void forcedBySystemProperty() {
    System.setProperty(SandboxFactory.BACKEND_PROPERTY, "linux");
    try (SandboxFactory f = factory(wasm, linux)) {
      assertEquals("linux", f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build()).backend());
    } finally {
      System.clearProperty(SandboxFactory.BACKEND_PROPERTY);
    }
  }

  @Test
  void aProviderWhoseAvailabilityThrowsIsUnavailableAndHidesNoOther() {
    FakeProvider throwing =
        new FakeProvider("linux", IsolationLevel.PROCESS, Availability.ok()) {
          @Override
          public Availability availability(HardwareProfile host) {
            throw new IllegalStateException("boom");
          }
        };
    try (SandboxFactory f = factory(wasm, throwing, kvm)) {
      List<BackendStatus> all = f.availability();
      assertEquals(3, all.size());
      assertFalse(all.get(1).available());
      assertTrue(all.get(1).availability().reason().contains("boom"));
      assertEquals("kvm", f.create(SandboxSpec.atLeast(IsolationLevel.PROCESS).build()).backend());
    }
  }

  @Test
  void listenersHearCreateExecAndClose() {
    List<String> heard = new ArrayList<>();
    SandboxListener l =
        new SandboxListener() {
          @Override
          public void created(Sandbox s, Duration d) {
            heard.add("created " + s.backend());
          }

          @Override
          public void executed(Sandbox s, Command c, ExecResult r) {
            heard.add("executed " + r.exitCode());
          }

          @Override
          public void execFailed(Sandbox s, Command c, SandboxException e) {
            heard.add("failed " + e.getMessage());
          }

          @Override
          public void closed(Sandbox s, SandboxStats stats) {
            heard.add("closed after " + stats.execCount());
          }
        };
    try (SandboxFactory f =
        SandboxFactory.builder().withoutServiceLoader().withHardwareProfile(HOST)
            .withProvider(wasm).withListener(l).withListener(new SandboxListener() {
              @Override
              public void created(Sandbox s, Duration d) {
                throw new IllegalStateException("a listener that throws is ignored");
              }
            }).build()) {
      Sandbox s = f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build());
      assertEquals(3, s.exec(Command.of("exit", "3")).exitCode());
      assertThrows(SandboxFailedException.class, () -> s.exec(Command.of("fail")));
      s.close();
      s.close();
      assertEquals(
          List.of("created wasm", "executed 3", "failed fake failure", "closed after 2"), heard);
    }
  }

  @Test
  void closeIsIdempotentAndExecAfterCloseIsClear() {
    try (SandboxFactory f = factory(wasm)) {
      Sandbox s = f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build());
      assertEquals(SandboxState.IDLE, s.state());
      s.close();
      s.close();
      assertEquals(1, wasm.closed.get());
      assertEquals(SandboxState.CLOSED, s.state());
      SandboxClosedException e = assertThrows(SandboxClosedException.class, () -> s.exec(Command.of("x")));
      assertEquals("sandbox " + s.id() + " is closed: create a new one", e.getMessage());
    }
  }

  @Test
  void closingTheFactoryClosesWhatUsersLeftOpen() {
    SandboxFactory f = factory(wasm, kvm);
    Sandbox forgotten = f.create(SandboxSpec.atLeast(IsolationLevel.HARDWARE).build());
    f.close();
    assertEquals(SandboxState.CLOSED, forgotten.state());
    assertEquals(1, kvm.closed.get());
    assertTrue(f.sandboxes().isEmpty());
  }

  @Test
  void unwrapReachesTheBackendsOwnType() {
    try (SandboxFactory f = factory(wasm); Sandbox s = f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build())) {
      assertTrue(s.unwrap(dev.strata.sandbox.spi.AbstractSandbox.class).isPresent());
      assertTrue(s.unwrap(Sandbox.class).isPresent());
      assertFalse(s.unwrap(String.class).isPresent());
    }
  }

  @Test
  void execAsyncCompletes() throws Exception {
    try (SandboxFactory f = factory(wasm); Sandbox s = f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build())) {
      assertEquals("echo hi", s.execAsync(Command.of("echo", "hi")).get().stdoutText());
      Exception e = assertThrows(Exception.class, () -> s.execAsync(Command.of("fail")).get());
      assertInstanceOf(SandboxFailedException.class, e.getCause());
    }
  }

  @Test
  void selectTellsTheChoiceWithoutCreating() {
    try (SandboxFactory f = factory(wasm, linux)) {
      assertEquals("linux", f.select(SandboxSpec.atLeast(IsolationLevel.PROCESS).build()).name());
      assertEquals(0, linux.created.get());
      assertTrue(f.isAvailable(IsolationLevel.PROCESS));
      assertFalse(f.isAvailable(IsolationLevel.HARDWARE));
    }
  }

  @Test
  void duplicateProviderNamesAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SandboxFactory.builder().withoutServiceLoader().withProvider(wasm)
            .withProvider(FakeProvider.available("wasm", IsolationLevel.INSTRUCTION)).build());
  }
}
