package dev.strata.sandbox.kvm.initramfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The guest's initramfs in two parts. The base (busybox, kernel modules, the agent as {@code
 * /init}) is built once per kernel and kept in memory; each VM gets the base followed by a small
 * second archive with its own configuration and mounted files. The kernel unpacks concatenated
 * cpio archives one after another, so the per-VM cost is one file write.
 */
public final class Initramfs {

  /**
   * Modules the guest loads at boot: the transport and the console port it cannot talk to the host
   * without, and the balloon whose free page reporting hands memory the guest no longer uses back
   * to the host.
   */
  public static final List<String> REQUIRED_MODULES = List.of("virtio_mmio", "virtio_console", "virtio_balloon");

  private Initramfs() {}

  /**
   * The base archive.
   *
   * @param busybox a statically linked busybox
   * @param applets busybox's own {@code --list-full} output: paths like {@code bin/sh}
   * @param modules the kernel's modules, or null when the needed drivers are built in
   * @param agent the static agent binary, installed as {@code /init}
   */
  public static byte[] base(
      Path busybox, List<String> applets, @org.jspecify.annotations.Nullable KernelModules modules, byte[] agent)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(4 << 20);
    try (CpioWriter cpio = new CpioWriter(bytes)) {
      for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc/strata", "proc", "sys", "dev", "tmp", "root", "var/tmp")) {
        cpio.directory(dir, dir.endsWith("tmp") ? 01777 : 0755);
      }
      cpio.charDevice("dev/console", 0600, 5, 1);
      cpio.charDevice("dev/null", 0666, 1, 3);
      cpio.file("init", 0755, agent);
      cpio.file("bin/busybox", 0755, busybox);
      for (String applet : applets) {
        String rel = applet.strip();
        if (rel.isEmpty() || rel.equals("bin/busybox") || rel.equals("init") || rel.equals("linuxrc")) {
          continue;
        }
        cpio.symlink(rel, "/bin/busybox");
      }
      cpio.file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n".getBytes(StandardCharsets.UTF_8));
      cpio.file("etc/group", 0644, "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8));
      StringBuilder order = new StringBuilder();
      if (modules != null) {
        for (Path ko : modules.loadOrder(REQUIRED_MODULES)) {
          String inGuest = "lib/modules/" + modules.root().relativize(ko).toString().replace('\\', '/');
          cpio.file(inGuest, 0644, ko);
          order.append('/').append(inGuest).append('\n');
        }
      }
      cpio.file("etc/strata/modules", 0644, order.toString().getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  /** A file or tree of the host, copied to {@code guestPath}. */
  public record CopiedTree(Path hostPath, String guestPath, boolean readOnly) {}

  /**
   * Writes one VM's initramfs: the base, then an archive with {@code /etc/strata/config} and the
   * copied trees.
   *
   * @param maxCopiedBytes the most the copied files may hold together (they live in guest RAM)
   * @throws IllegalArgumentException if the copied files exceed {@code maxCopiedBytes}
   */
  public static void writeVm(
      OutputStream out, byte[] base, List<String> configLines, List<CopiedTree> trees, long maxCopiedBytes)
      throws IOException {
    long total = 0;
    for (CopiedTree tree : trees) {
      total += size(tree.hostPath());
    }
    if (total > maxCopiedBytes) {
      throw new IllegalArgumentException(
          "the mounted files hold " + total + " bytes, more than the " + maxCopiedBytes
              + " this VM can copy into its RAM (a quarter of its memory): give it more memory or mount less");
    }
    out.write(base);
    List<String> config = new ArrayList<>(configLines);
    try (CpioWriter cpio = new CpioWriter(new NonClosing(out))) {
      for (CopiedTree tree : trees) {
        copy(cpio, tree.hostPath(), tree.guestPath());
        if (tree.readOnly()) {
          config.add("readonly " + tree.guestPath());
        }
      }
      cpio.file("etc/strata/config", 0644, (String.join("\n", config) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  private static long size(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      return files
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .mapToLong(p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              return 0;
            }
          })
          .sum();
    }
  }

  private static void copy(CpioWriter cpio, Path host, String guest) throws IOException {
    if (Files.isSymbolicLink(host)) {
      cpio.symlink(guest, Files.readSymbolicLink(host).toString());
    } else if (Files.isDirectory(host)) {
      cpio.directory(guest, perms(host));
      List<Path> children;
      try (Stream<Path> list = Files.list(host)) {
        children = list.sorted().toList();
      }
      for (Path child : children) {
        copy(cpio, child, guest + "/" + child.getFileName());
      }
    } else if (Files.isRegularFile(host)) {
      cpio.file(guest, perms(host), host);
    }
    // sockets, fifos and devices of the host are not copied
  }

  private static int perms(Path p) throws IOException {
    Set<PosixFilePermission> set = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    int mode = 0;
    for (PosixFilePermission perm : set) {
      mode |= 1 << (8 - perm.ordinal());
    }
    return mode;
  }

  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
