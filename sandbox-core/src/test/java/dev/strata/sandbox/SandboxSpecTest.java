package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SandboxSpecTest {

  @Test
  void denyByDefault() {
    SandboxSpec spec = SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build();
    assertTrue(spec.mounts().isEmpty());
    assertTrue(spec.environment().isEmpty());
    assertEquals(NetworkPolicy.NONE, spec.network());
    assertTrue(spec.scratch().isEmpty());
    assertEquals(ResourceLimits.defaults(), spec.limits());
  }

  @Test
  void acceptsLevel() {
    SandboxSpec atLeast = SandboxSpec.atLeast(IsolationLevel.PROCESS).build();
    assertTrue(atLeast.acceptsLevel(IsolationLevel.HARDWARE));
    assertFalse(atLeast.acceptsLevel(IsolationLevel.INSTRUCTION));
    SandboxSpec exactly = SandboxSpec.exactly(IsolationLevel.PROCESS).build();
    assertFalse(exactly.acceptsLevel(IsolationLevel.HARDWARE));
    assertTrue(exactly.acceptsLevel(IsolationLevel.PROCESS));
  }

  @Test
  void toBuilderMakesVariationsWithoutChangingTheOriginal() {
    SandboxSpec a = SandboxSpec.atLeast(IsolationLevel.PROCESS).withEnv("A", "1").build();
    SandboxSpec b = a.toBuilder().withEnv("B", "2").build();
    assertEquals(1, a.environment().size());
    assertEquals(2, b.environment().size());
    assertThrows(UnsupportedOperationException.class, () -> a.environment().put("C", "3"));
  }

  @Test
  void badValuesNameThemselves() {
    assertEquals(
        "environment variable name (A=B) must be non-empty, without '=' or NUL",
        assertThrows(IllegalArgumentException.class,
            () -> SandboxSpec.atLeast(IsolationLevel.PROCESS).withEnv("A=B", "x").build()).getMessage());
    assertEquals(
        "two mounts target /data/: each sandbox path may be mounted once",
        assertThrows(IllegalArgumentException.class,
            () -> SandboxSpec.atLeast(IsolationLevel.PROCESS)
                .withMount(Mount.readOnly(Path.of("/a"), "/data"))
                .withMount(Mount.readOnly(Path.of("/b"), "/data/"))
                .build()).getMessage());
    assertEquals(
        "sandboxPath (data) must be absolute, for example /data",
        assertThrows(IllegalArgumentException.class, () -> Mount.readOnly(Path.of("/a"), "data")).getMessage());
    assertEquals(
        "sandboxPath (/a/../etc) must not contain '..'",
        assertThrows(IllegalArgumentException.class, () -> Mount.readOnly(Path.of("/a"), "/a/../etc")).getMessage());
    assertEquals(
        "option key (kernel) must name its backend, for example kvm.kernel",
        assertThrows(IllegalArgumentException.class,
            () -> SandboxSpec.atLeast(IsolationLevel.HARDWARE).withOption("kernel", "x")).getMessage());
  }

  @Test
  void limitsValidateWithRanges() {
    assertEquals(
        "memoryBytes (1000) must be at least 1 MiB (1048576)",
        assertThrows(IllegalArgumentException.class,
            () -> ResourceLimits.builder().withMemoryBytes(1000).build()).getMessage());
    assertEquals(
        "timeout (PT0S) must be positive",
        assertThrows(IllegalArgumentException.class,
            () -> ResourceLimits.builder().withTimeout(Duration.ZERO).build()).getMessage());
    assertEquals(
        "fuel (0) must be positive, or null for none",
        assertThrows(IllegalArgumentException.class,
            () -> ResourceLimits.builder().withFuel(0L).build()).getMessage());
    ResourceLimits small = ResourceLimits.small();
    assertEquals(64L << 20, small.memoryBytes());
    assertEquals(small, small.toBuilder().build());
    assertTrue(small.fuel().isEmpty());
  }

  @Test
  void commandIsImmutable() {
    Command c = Command.of("cat");
    Command d = c.withStdin("hi").withEnv("K", "V").withTimeout(Duration.ofSeconds(1));
    assertFalse(c.hasStdin());
    assertTrue(d.hasStdin());
    assertTrue(c.environment().isEmpty());
    assertEquals("V", d.environment().get("K"));
    assertEquals(Duration.ofSeconds(1), d.timeout().orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> Command.of());
  }

  @Test
  void exitCodeIsMinusOneUnlessExited() {
    ExecResult r = new ExecResult(ExecStatus.TIMED_OUT, 0, new byte[0], new byte[0], Duration.ZERO, "timeout", ResourceUsage.unknown());
    assertEquals(-1, r.exitCode());
    assertFalse(r.isSuccess());
  }
}
