package dev.strata.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory or file made visible inside a sandbox. Read-only unless made with {@link
 * #readWrite}.
 *
 * @param hostPath the path on the host; it must exist when the sandbox is created
 * @param sandboxPath the absolute path inside the sandbox
 * @param readOnly whether writes are refused
 */
public record Mount(Path hostPath, String sandboxPath, boolean readOnly) {

  public Mount {
    Objects.requireNonNull(hostPath, "hostPath");
    Objects.requireNonNull(sandboxPath, "sandboxPath");
    if (!sandboxPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "sandboxPath (" + sandboxPath + ") must be absolute, for example /data");
    }
    for (String part : sandboxPath.split("/")) {
      if (part.equals("..")) {
        throw new IllegalArgumentException("sandboxPath (" + sandboxPath + ") must not contain '..'");
      }
    }
  }

  /** A read-only mount. */
  public static Mount readOnly(Path hostPath, String sandboxPath) {
    return new Mount(hostPath, sandboxPath, true);
  }

  /** A writable mount: the payload can change the host's files. */
  public static Mount readWrite(Path hostPath, String sandboxPath) {
    return new Mount(hostPath, sandboxPath, false);
  }
}
