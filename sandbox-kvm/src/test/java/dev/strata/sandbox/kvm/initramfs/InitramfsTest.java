package dev.strata.sandbox.kvm.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {

  /** Reads every archive of a concatenation, as the kernel does. */
  static Map<String, byte[]> entries(byte[] image, Map<String, Long> modes) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int offset = 0;
    while (offset < image.length) {
      // skip the zero padding between archives
      while (offset < image.length && image[offset] == 0) {
        offset++;
      }
      if (offset >= image.length) {
        break;
      }
      CountingStream counting = new CountingStream(new ByteArrayInputStream(image, offset, image.length - offset));
      CpioArchiveInputStream cpio = new CpioArchiveInputStream(counting);
      CpioArchiveEntry e;
      while ((e = cpio.getNextCPIOEntry()) != null) {
        out.put(e.getName(), cpio.readAllBytes());
        modes.put(e.getName(), e.getMode());
      }
      offset += (int) counting.count;
    }
    return out;
  }

  @Test
  void baseHoldsAgentBusyboxLinksAndModulesInDependencyOrder(@TempDir Path dir) throws IOException {
    Path busybox = Files.writeString(dir.resolve("busybox"), "not really busybox");
    byte[] agent = "agent-bytes".getBytes(StandardCharsets.UTF_8);
    Path modules = dir.resolve("lib/modules/1.0");
    fakeModule(modules.resolve("kernel/drivers/virtio/virtio_ring.ko"), "");
    fakeModule(modules.resolve("kernel/drivers/virtio/virtio.ko"), "virtio_ring");
    fakeModule(modules.resolve("kernel/drivers/virtio/virtio_mmio.ko"), "virtio,virtio_ring");
    fakeModule(modules.resolve("kernel/drivers/char/virtio_console.ko"), "virtio,virtio_ring");
    fakeModule(modules.resolve("kernel/drivers/net/unrelated.ko"), "");

    byte[] base = Initramfs.base(busybox, List.of("bin/sh", "usr/bin/env"), KernelModules.scan(modules), agent);
    Map<String, Long> modes = new LinkedHashMap<>();
    Map<String, byte[]> files = entries(base, modes);

    assertArrayEquals(agent, files.get("init"));
    assertEquals("/bin/busybox", new String(files.get("bin/sh"), StandardCharsets.UTF_8));
    assertEquals(0120777L, modes.get("bin/sh"));
    assertEquals(0020600L, modes.get("dev/console"));
    assertEquals(
        "/lib/modules/kernel/drivers/virtio/virtio_ring.ko\n"
            + "/lib/modules/kernel/drivers/virtio/virtio.ko\n"
            + "/lib/modules/kernel/drivers/virtio/virtio_mmio.ko\n"
            + "/lib/modules/kernel/drivers/char/virtio_console.ko\n",
        new String(files.get("etc/strata/modules"), StandardCharsets.UTF_8));
    assertTrue(!files.containsKey("lib/modules/kernel/drivers/net/unrelated.ko"), "unneeded modules stay out");
    // every directory comes before what it holds
    List<String> names = new ArrayList<>(files.keySet());
    for (String name : names) {
      int slash = name.lastIndexOf('/');
      if (slash > 0) {
        assertTrue(names.indexOf(name.substring(0, slash)) < names.indexOf(name), name + " before its directory");
      }
    }
  }

  @Test
  void vmImageAppendsConfigAndCopiedTree(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data/sub"));
    Files.writeString(data.resolve("hello.txt"), "hi");
    byte[] base = Initramfs.base(Files.writeString(dir.resolve("bb"), "bb"), List.of(), null, new byte[] {1});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Initramfs.writeVm(out, base, List.of("hostname x"),
        List.of(new Initramfs.CopiedTree(dir.resolve("data"), "/srv/data", true)), 1 << 20);
    Map<String, byte[]> files = entries(out.toByteArray(), new LinkedHashMap<>());
    assertEquals("hi", new String(files.get("srv/data/sub/hello.txt"), StandardCharsets.UTF_8));
    assertEquals("hostname x\nreadonly /srv/data\n", new String(files.get("etc/strata/config"), StandardCharsets.UTF_8));
    assertTrue(files.containsKey("init"), "the base comes first");
  }

  @Test
  void refusesMoreCopiedBytesThanAllowed(@TempDir Path dir) throws IOException {
    Path big = Files.write(dir.resolve("big"), new byte[4096]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Initramfs.writeVm(
        new ByteArrayOutputStream(), new byte[0], List.of(), List.of(new Initramfs.CopiedTree(big, "/big", true)), 1000));
    assertTrue(e.getMessage().contains("4096 bytes"), e.getMessage());
  }

  /** A minimal ELF64 file with a .modinfo section, like a kernel module. */
  static void fakeModule(Path path, String depends) throws IOException {
    Files.createDirectories(path.getParent());
    byte[] modinfo = ("license=GPL\0depends=" + depends + "\0vermagic=1.0\0").getBytes(StandardCharsets.ISO_8859_1);
    byte[] shstr = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.ISO_8859_1);
    int modinfoOff = 64;
    int shstrOff = modinfoOff + modinfo.length;
    int shoff = (shstrOff + shstr.length + 7) & ~7;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(shoff + 3 * 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
    b.putLong(0x28, shoff).putShort(0x3a, (short) 64).putShort(0x3c, (short) 3).putShort(0x3e, (short) 2);
    b.put(modinfoOff, modinfo).put(shstrOff, shstr);
    // section 1: .modinfo, section 2: .shstrtab (section 0 is null)
    b.putInt(shoff + 64, 1).putLong(shoff + 64 + 0x18, modinfoOff).putLong(shoff + 64 + 0x20, modinfo.length);
    b.putInt(shoff + 128, 10).putLong(shoff + 128 + 0x18, shstrOff).putLong(shoff + 128 + 0x20, shstr.length);
    Files.write(path, b.array());
  }

  private static final class CountingStream extends java.io.FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }
}
