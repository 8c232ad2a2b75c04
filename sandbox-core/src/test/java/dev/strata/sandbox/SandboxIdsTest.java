package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.spi.SandboxIds;
import org.junit.jupiter.api.Test;

class SandboxIdsTest {

  @Test
  void idsCarryTheOwnerPid() {
    String id = SandboxIds.newId("linux");
    assertTrue(id.matches("strata-linux-\\d+-[0-9a-f]{8}"), id);
    assertEquals(ProcessHandle.current().pid(), SandboxIds.ownerPid(id).orElseThrow());
    assertFalse(SandboxIds.isStale(id), "ours is never stale");
  }

  @Test
  void deadOwnersAreStaleForeignNamesNever() throws Exception {
    Process p = new ProcessBuilder("true").start();
    long pid = p.pid();
    p.waitFor();
    assertTrue(SandboxIds.isStale("strata-kvm-" + pid + "-00ff00ff"));
    assertFalse(SandboxIds.isStale("other-kvm-" + pid + "-00ff00ff"));
    assertFalse(SandboxIds.isStale("strata-kvm-notapid-00ff00ff"));
  }
}
