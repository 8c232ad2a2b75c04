package dev.strata.sandbox.spi;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Sandbox ids of the form {@code strata-<backend>-<owner pid>-<random>}. The owner pid lets a
 * backend's reaper tell the containers, cgroups, VMs and temp dirs of a dead JVM from those of a
 * live one.
 */
public final class SandboxIds {

  /** Every resource Strata creates on the host starts with this. */
  public static final String PREFIX = "strata-";

  private static final SecureRandom RANDOM = new SecureRandom();

  private SandboxIds() {}

  /** A fresh id for {@code backend}, owned by this JVM. */
  public static String newId(String backend) {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return PREFIX + backend + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(bytes);
  }

  /** The owner pid in an id made by {@link #newId}, if it is one. */
  public static Optional<Long> ownerPid(String id) {
    if (!id.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = id.split("-");
    if (parts.length < 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(parts[parts.length - 2]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code id} was made by a JVM that is no longer alive. Ids of this JVM, of live
   * processes, and names that are not Strata ids are never stale.
   */
  public static boolean isStale(String id) {
    return ownerPid(id)
        .map(pid -> pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true))
        .orElse(false);
  }
}
