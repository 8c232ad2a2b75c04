package dev.strata.sandbox.linux;

import dev.strata.sandbox.Mount;
import dev.strata.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * The root directory of sandboxes without a rootfs of their own: the links of a merged-/usr host
 * ({@code /bin -> usr/bin}), a minimal {@code /etc}, and every mountpoint the sandbox needs,
 * made in advance. It is shared by all sandboxes whose mounts target the same paths, and never
 * changes once made: the runtime mounts it read-only and finds each mountpoint already there.
 *
 * <p>Why shared: a per-sandbox root would be deleted on close, and removing a directory that is
 * a mountpoint in the container's dying mount namespace makes the kernel detach that mount
 * synchronously, tens of milliseconds per close. Why per set of targets: an empty {@code /data}
 * made for one spec is not shown to sandboxes of another.
 */
final class RootfsSkeleton {

  private static final String LAYOUT_VERSION = "2";

  private RootfsSkeleton() {}

  static Path forSpec(Path skeletons, SandboxSpec spec, List<String> topDirs, List<String> etcFiles)
      throws IOException {
    TreeSet<String> dirs = new TreeSet<>(List.of("/proc", "/dev", "/tmp", "/root"));
    TreeSet<String> files = new TreeSet<>();
    spec.scratch().ifPresent(sc -> dirs.add(sc.sandboxPath()));
    for (Mount m : spec.mounts()) {
      (Files.isDirectory(m.hostPath()) ? dirs : files).add(m.sandboxPath());
    }
    List<String> links = new ArrayList<>();
    for (String name : topDirs) {
      Path host = Path.of("/", name);
      if (Files.isSymbolicLink(host)) {
        links.add("/" + name + " -> " + Files.readSymbolicLink(host));
      } else if (Files.isDirectory(host)) {
        dirs.add("/" + name);
      }
    }
    for (String f : etcFiles) {
      Path host = Path.of(f);
      if (Files.isDirectory(host)) {
        dirs.add(f);
      } else if (Files.exists(host)) {
        files.add(f);
      }
    }
    String key = LAYOUT_VERSION + "\n" + dirs + "\n" + files + "\n" + links;
    Path root = skeletons.resolve(sha256(key).substring(0, 16));
    if (Files.isDirectory(root)) {
      return root;
    }
    Files.createDirectories(skeletons);
    Path tmp = Files.createTempDirectory(skeletons, ".new-");
    try {
      // readable by a shifted root too (linux.userns=true): temp directories start out 0700
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createDirectories(tmp.resolve("etc"));
      for (String l : links) {
        String[] parts = l.split(" -> ", 2);
        Files.createSymbolicLink(tmp.resolve(parts[0].substring(1)), Path.of(parts[1]));
      }
      write(tmp, "/etc/passwd",
          "root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\\n");
      write(tmp, "/etc/group", "root:x:0:\\nnogroup:x:65534:\\n");
      write(tmp, "/etc/hosts", "127.0.0.1\\tlocalhost sandbox\\n::1\\tlocalhost\\n");
      write(tmp, "/etc/hostname", "sandbox\\n");
      for (String d : dirs) {
        Files.createDirectories(inside(tmp, d));
      }
      for (String f : files) {
        Path p = inside(tmp, f);
        Files.createDirectories(p.getParent());
        if (!Files.exists(p)) {
          Files.createFile(p);
        }
      }
      try {
        Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
        LinuxSandbox.deleteTree(tmp); // another thread made the same one first
      }
    } catch (IOException | RuntimeException e) {
      LinuxSandbox.deleteTree(tmp);
      throw e;
    }
    return root;
  }

  private static Path inside(Path root, String sandboxPath) {
    return root.resolve(sandboxPath.replaceAll("^/+", ""));
  }

  private static void write(Path root, String path, String text) throws IOException {
    Files.writeString(inside(root, path), text.replace("\\n", "\n").replace("\\t", "\t"), StandardCharsets.UTF_8);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
