package dev.strata.sandbox.samples.serverless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.sandbox.IsolationLevel;
import org.junit.jupiter.api.Test;

class TrustTest {

  @Test
  void trustPicksTheTier() {
    assertEquals(IsolationLevel.INSTRUCTION, Trust.TRUSTED.isolationFor(FunctionKind.WASM));
    assertEquals(IsolationLevel.INSTRUCTION, Trust.UNTRUSTED.isolationFor(FunctionKind.WASM));
    assertEquals(IsolationLevel.PROCESS, Trust.TRUSTED.isolationFor(FunctionKind.NATIVE));
    assertEquals(IsolationLevel.PROCESS, Trust.UNTRUSTED.isolationFor(FunctionKind.NATIVE));
    assertEquals(IsolationLevel.HARDWARE, Trust.HOSTILE.isolationFor(FunctionKind.NATIVE));
  }

  @Test
  void hostileWasmIsRefusedWithTheFix() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Trust.HOSTILE.isolationFor(FunctionKind.WASM));
    assertEquals(true, e.getMessage().contains("static native program"), e.getMessage());
  }
}
