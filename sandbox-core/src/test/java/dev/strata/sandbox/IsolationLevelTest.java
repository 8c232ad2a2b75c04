package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IsolationLevelTest {

  @Test
  void orderIsStrength() {
    assertTrue(IsolationLevel.HARDWARE.isAtLeast(IsolationLevel.PROCESS));
    assertTrue(IsolationLevel.PROCESS.isAtLeast(IsolationLevel.PROCESS));
    assertFalse(IsolationLevel.INSTRUCTION.isAtLeast(IsolationLevel.PROCESS));
  }

  @Test
  void parsesNamesAndAliases() {
    assertEquals(IsolationLevel.INSTRUCTION, IsolationLevel.parse("Instruction"));
    assertEquals(IsolationLevel.PROCESS, IsolationLevel.parse("container"));
    assertEquals(IsolationLevel.HARDWARE, IsolationLevel.parse("vm"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IsolationLevel.parse("vault"));
    assertEquals("unknown isolation level 'vault': use instruction, process or hardware", e.getMessage());
  }
}
