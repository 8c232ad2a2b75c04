package dev.strata.sandbox.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxState;
import dev.strata.sandbox.testing.FakeProvider;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes through the JUnit engine, with a fake INSTRUCTION backend that is
 * available and a fake PROCESS backend that is not (registered in this module's test services).
 */
class StrataExtensionTest {

  /** Available. */
  public static final class FakeWasm extends FakeProvider {
    public FakeWasm() {
      super("fakewasm", IsolationLevel.INSTRUCTION, dev.strata.sandbox.Availability.ok());
    }
  }

  /** Unavailable, with a fix. */
  public static final class NoLinux extends FakeProvider {
    public NoLinux() {
      super(
          "fakelinux",
          IsolationLevel.PROCESS,
          dev.strata.sandbox.Availability.unavailable("runc not found", "apt-get install runc"));
    }
  }

  static volatile Sandbox injected;

  @EnabledIfIsolationAvailable(IsolationLevel.PROCESS)
  static class NeedsProcess {
    @Test
    void never() {
      throw new AssertionError("must not run");
    }
  }

  @EnabledIfIsolationAvailable(IsolationLevel.INSTRUCTION)
  static class NeedsInstruction {
    @Test
    void runs(@SandboxUnderTest Sandbox sandbox, SandboxFactory factory) {
      injected = sandbox;
      assertEquals(IsolationLevel.INSTRUCTION, sandbox.isolationLevel());
      assertEquals("hi", sandbox.exec(Command.of("hi")).stdoutText());
      assertEquals(1, factory.sandboxes().size());
    }
  }

  @Test
  void disabledWithTheBackendsReasonAndFix() {
    Events events =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsProcess.class)).execute().containerEvents();
    events.assertThatEvents()
        .haveExactly(
            1,
            event(
                skippedWithReason(
                    "PROCESS isolation is not available here; fakelinux (PROCESS): unavailable: runc"
                        + " not found. Fix: apt-get install runc")));
  }

  @Test
  void enabledAndInjectsASandboxThatIsClosedAfterTheTest() {
    Events tests =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsInstruction.class)).execute().testEvents();
    tests.assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    assertEquals(SandboxState.CLOSED, injected.state());
  }

  @Test
  void reasonWhenNoBackendOfTheLevelExists() {
    assertEquals(
        "HARDWARE isolation is not available here; no backend of that level is on the test class path",
        StrataExtension.whyNot(IsolationLevel.HARDWARE, java.util.List.of()));
  }
}
