package dev.strata.sandbox.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Through the public API only, as a user would: discovery, create, exec, close. */
class FactoryIntegrationTest {

  @AfterAll
  static void nothingLeft() throws Exception {
    LinuxTestSupport.assertNoLeftovers();
  }

  @Test
  void theFactoryFindsAndUsesTheLinuxBackend() {
    LinuxTestSupport.requireRuntime();
    try (SandboxFactory factory = SandboxFactory.builder().withBackend("linux").build()) {
      assertTrue(factory.isAvailable(IsolationLevel.PROCESS), factory.availability()::toString);
      Sandbox sb = factory.create(SandboxSpec.exactly(IsolationLevel.PROCESS).withEnv("WHO", "factory").build());
      try (sb) {
        assertEquals("linux", sb.backend());
        assertEquals(IsolationLevel.PROCESS, sb.isolationLevel());
        ExecResult r = sb.exec(Command.of("sh", "-c", "echo hello $WHO"));
        assertEquals("hello factory\n", r.stdoutText());
        assertEquals(1, sb.stats().execCount());
      }
      assertEquals(SandboxState.CLOSED, sb.state());
    }
  }
}
