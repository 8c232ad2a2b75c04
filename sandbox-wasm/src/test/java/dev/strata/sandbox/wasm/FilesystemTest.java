package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preopens from mounts and scratch: read-only is read-only, and nothing leads out. */
class FilesystemTest {

  @TempDir Path tmp;
  Path data;
  Path out;
  Path secret;

  @BeforeEach
  void fixtures() throws IOException {
    data = Files.createDirectories(tmp.resolve("data"));
    out = Files.createDirectories(tmp.resolve("out"));
    secret = Files.writeString(tmp.resolve("secret.txt"), "host secret\n");
    Files.writeString(data.resolve("in.txt"), "mounted text\n");
    Files.createDirectories(data.resolve("sub"));
    Files.writeString(data.resolve("sub/deep.txt"), "deep\n");
    Files.createSymbolicLink(data.resolve("abs-link"), secret);
    Files.createSymbolicLink(data.resolve("rel-link"), Path.of("../secret.txt"));
    Files.createSymbolicLink(data.resolve("sub/up-link"), Path.of("../../secret.txt"));
    Files.createSymbolicLink(data.resolve("ok-link"), Path.of("sub/deep.txt"));
    Files.createSymbolicLink(data.resolve("dir-link"), tmp);
  }

  private Sandbox sandbox() {
    return Wasm.sandbox(
        Wasm.spec()
            .withMount(Mount.readOnly(data, "/data"))
            .withMount(Mount.readWrite(out, "/out"))
            .withScratch("/scratch", 1L << 20)
            .build());
  }

  private static ExecResult files(Sandbox sb, String... args) {
    return sb.exec(Wasm.command("files", args));
  }

  @Test
  void readsInsideMountsWork() {
    try (Sandbox sb = sandbox()) {
      assertEquals("mounted text\n", files(sb, "read", "/data/in.txt").stdoutText());
      assertEquals("deep\n", files(sb, "read", "/data/sub/deep.txt").stdoutText());
      assertEquals("deep\n", files(sb, "read", "/data/ok-link").stdoutText(), "a link inside is fine");
      assertEquals("deep\n", files(sb, "read", "/data/sub/../sub/deep.txt").stdoutText());
    }
  }

  @Test
  void aReadOnlyMountRefusesEveryWrite() throws IOException {
    try (Sandbox sb = sandbox()) {
      ExecResult overwrite = files(sb, "write", "/data/in.txt", "changed");
      assertEquals(2, overwrite.exitCode(), overwrite.stdoutText());
      assertEquals("denied: Read-only file system\n", overwrite.stdoutText());
      ExecResult create = files(sb, "write", "/data/new.txt", "x");
      assertEquals(2, create.exitCode(), create.stdoutText());
      ExecResult copy = files(sb, "copy", "/data/in.txt", "/data/sub/copy.txt");
      assertEquals(2, copy.exitCode(), copy.stdoutText());
    }
    assertEquals("mounted text\n", Files.readString(data.resolve("in.txt")), "host file unchanged");
    assertFalse(Files.exists(data.resolve("new.txt")));
    assertFalse(Files.exists(data.resolve("sub/copy.txt")));
  }

  @Test
  void aReadWriteMountAndTheScratchTakeWrites() throws IOException {
    Path scratchHost;
    try (Sandbox sb = sandbox()) {
      ExecResult w = files(sb, "write", "/out/result.txt", "written by wasm");
      assertEquals(0, w.exitCode(), w.stdoutText());
      assertEquals("written by wasm", Files.readString(out.resolve("result.txt")));
      assertEquals(0, files(sb, "copy", "/data/in.txt", "/scratch/copy.txt").exitCode());
      assertEquals(
          "mounted text\n",
          files(sb, "read", "/scratch/copy.txt").stdoutText(),
          "the scratch directory lives as long as the sandbox");
      scratchHost = scratchDir(sb.id());
      assertTrue(Files.isDirectory(scratchHost));
    }
    assertFalse(Files.exists(scratchHost), "scratch deleted on close");
  }

  private static Path scratchDir(String sandboxId) throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith(sandboxId + "-scratch-"))
          .findFirst()
          .orElseThrow();
    }
  }

  @Test
  void theScratchDirectoryHoldsAtMostItsMaxBytes() {
    // scratch of 1 MiB: two 400 KB files fit, a third does not; deleting one makes room again
    String big = "y".repeat(400_000);
    try (Sandbox sb = sandbox()) {
      assertEquals(0, files(sb, "write", "/scratch/a", big).exitCode());
      assertEquals(0, files(sb, "write", "/scratch/b", big).exitCode());
      ExecResult full = files(sb, "write", "/scratch/c", big);
      assertEquals(2, full.exitCode(), full.stdoutText());
      assertEquals("denied: No space left on device\n", full.stdoutText());
      assertEquals(0, files(sb, "write", "/scratch/a", "small").exitCode(), "truncating frees");
      assertEquals(0, files(sb, "write", "/scratch/c", big).exitCode());
    }
  }

  @Test
  void nothingOutsideThePreopensIsReachable() {
    try (Sandbox sb = sandbox()) {
      for (String path :
          List.of(
              secret.toString(),
              "/etc/passwd",
              "/data/../secret.txt",
              "/data/../../../../etc/passwd",
              "/data/sub/../../secret.txt",
              "/data/abs-link",
              "/data/rel-link",
              "/data/sub/up-link",
              "/data/dir-link/secret.txt")) {
        ExecResult r = files(sb, "read", path);
        assertEquals(2, r.exitCode(), path + " must be denied, got " + r.stdoutText());
        assertFalse(r.stdoutText().contains("host secret"), path);
      }
    }
  }

  @Test
  void aSymlinkMadeInsideCannotLeadOutEither() throws IOException {
    // the guest can only make links through WASI; a link made on the host to escape is covered
    // above. Here: a writable mount whose link points out must not let writes out.
    Files.createSymbolicLink(out.resolve("escape"), tmp);
    try (Sandbox sb = sandbox()) {
      ExecResult r = files(sb, "write", "/out/escape/pwned.txt", "x");
      assertEquals(2, r.exitCode(), r.stdoutText());
    }
    assertFalse(Files.exists(tmp.resolve("pwned.txt")));
  }

  @Test
  void aMountSourceMustBeAnExistingDirectory() {
    InvalidSpecException missing =
        assertThrows(
            InvalidSpecException.class,
            () -> Wasm.sandbox(Wasm.spec().withMount(Mount.readOnly(tmp.resolve("nope"), "/x")).build()));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    InvalidSpecException file =
        assertThrows(
            InvalidSpecException.class,
            () -> Wasm.sandbox(Wasm.spec().withMount(Mount.readOnly(secret, "/x")).build()));
    assertTrue(file.getMessage().contains("not a directory"), file.getMessage());
  }
}
