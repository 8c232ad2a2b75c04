package dev.strata.sandbox.linux;

import java.util.Base64;
import java.util.Optional;

/**
 * PID 1 of every container: a 624-byte static x86_64 program (no libc) built from {@code
 * src/main/asm/strata-init-x86_64.S} with {@code as} and {@code ld -static -N -s}. It reaps every
 * orphan, so that zombies never pile up against the pids limit, and it exits when its stdin
 * reaches end-of-file. Its stdin is the read end of a pipe whose only writer is the owning JVM:
 * when that JVM dies, however it dies, the kernel closes the pipe, PID 1 exits and the kernel
 * kills everything else in the container's PID namespace.
 */
final class InitBinary {

  private static final String X86_64 =
      "f0VMRgIBAQAAAAAAAAAAAAIAPgABAAAAsABAAAAAAABAAAAAAAAAAHABAAAAAAAAAAAAAEAAOAACAEAABAADAAEAAAAHAAAAsAAAAAAAAACwAEAAAAAAALAAQAAAAAAAqAAAAAAAAACoAAAAAAAAAAEAAAAAAAAAUeV0ZAYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAC4PQAAAEjHx/////8x9roBAAAARTHSDwVIhcB/47gHAAAASI09NwAAAL4BAAAAuugDAAAPBUiFwH7GMcAx/0iNNSMAAAC6QAAAAA8FSIXAf69Ig/j8dKm45wAAADH/DwUAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALnNoc3RydGFiAC50ZXh0AC5kYXRhAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACwAAAAEAAAAHAAAAAAAAALAAQAAAAAAAsAAAAAAAAABgAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAABEAAAABAAAAAwAAAAAAAAAQAUAAAAAAABABAAAAAAAASAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAwAAAAAAAAAAAAAAAAAAAAAAAABYAQAAAAAAABcAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAA";

  private InitBinary() {}

  /** The program for this CPU, if there is one. */
  static Optional<byte[]> forArch(String osArch) {
    if (osArch.equals("amd64") || osArch.equals("x86_64")) {
      return Optional.of(Base64.getDecoder().decode(X86_64));
    }
    return Optional.empty();
  }
}
