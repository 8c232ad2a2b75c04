package dev.strata.sandbox.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * For tier tests that need something of the host (runc, QEMU, a kernel): on a developer's laptop a
 * missing runtime skips the test; with {@code CI=true} it fails it, so CI never passes by skipping.
 */
public final class CiRequirements {

  private CiRequirements() {}

  /** Whether this run is CI ({@code CI=true} in the environment). */
  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Skips the calling test when {@code present} is false, or fails it when running in CI.
   *
   * @param what what is missing and how to get it, e.g. "runc (apt-get install runc)"
   */
  public static void require(boolean present, String what) {
    if (present) {
      return;
    }
    if (inCi()) {
      fail("CI=true and this test needs " + what + ": CI must run every tier, so this is a failure");
    }
    Assumptions.abort("needs " + what + "; skipped on this machine (with CI=true it fails)");
  }
}
