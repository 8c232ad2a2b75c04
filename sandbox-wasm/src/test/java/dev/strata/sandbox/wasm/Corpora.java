package dev.strata.sandbox.wasm;

import dev.strata.sandbox.testing.CiRequirements;
import java.nio.file.Files;
import java.nio.file.Path;

/** The third-party material in ../shared/corpora, relative to the repository root. */
final class Corpora {

  private Corpora() {}

  static Path root() {
    String override = System.getProperty("strata.corpora");
    if (override != null) {
      return Path.of(override);
    }
    // the module directory is <repo>/sandbox-wasm; the corpora sit beside the repo
    Path repo = Path.of("").toAbsolutePath().getParent();
    return repo.resolveSibling("shared").resolve("corpora");
  }

  /** The corpus directory {@code name}, or a skip (a failure in CI) when it is missing. */
  static Path require(String name) {
    Path dir = root().resolve(name);
    CiRequirements.require(
        Files.isDirectory(dir),
        "the third-party corpus " + dir + " (CI puts shared/corpora beside the clone)");
    return dir;
  }
}
