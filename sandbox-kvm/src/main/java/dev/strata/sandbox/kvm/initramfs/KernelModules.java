package dev.strata.sandbox.kvm.initramfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The loadable modules of one kernel, read from its {@code lib/modules/<release>} directory.
 * Dependencies come from each module's own {@code .modinfo} section ({@code depends=}), because a
 * kernel package unpacked with {@code dpkg -x} has no {@code modules.dep}: that file is made by
 * {@code depmod} at install time.
 */
public final class KernelModules {

  private final Path root;
  private final Map<String, Path> byName;

  private KernelModules(Path root, Map<String, Path> byName) {
    this.root = root;
    this.byName = byName;
  }

  /**
   * Indexes the {@code .ko} files under {@code modulesDir} ({@code .../lib/modules/<release>}).
   *
   * @throws IOException if the directory cannot be read
   */
  public static KernelModules scan(Path modulesDir) throws IOException {
    Map<String, Path> byName = new HashMap<>();
    try (Stream<Path> files = Files.walk(modulesDir)) {
      files
          .filter(p -> p.getFileName().toString().endsWith(".ko"))
          .forEach(p -> byName.putIfAbsent(normalize(p.getFileName().toString()), p));
    }
    return new KernelModules(modulesDir, byName);
  }

  private static String normalize(String fileName) {
    String name = fileName.endsWith(".ko") ? fileName.substring(0, fileName.length() - 3) : fileName;
    return name.replace('-', '_');
  }

  /** The directory scanned. */
  public Path root() {
    return root;
  }

  /** Whether a module of this name exists (it may still be built into the kernel otherwise). */
  public boolean contains(String name) {
    return byName.containsKey(normalize(name));
  }

  /**
   * The files to load for {@code wanted}, each after the modules it depends on. Names that are no
   * module of this kernel are skipped: the kernel may have them built in.
   */
  public List<Path> loadOrder(List<String> wanted) {
    Set<Path> ordered = new LinkedHashSet<>();
    for (String name : wanted) {
      visit(normalize(name), ordered, new LinkedHashSet<>());
    }
    return new ArrayList<>(ordered);
  }

  private void visit(String name, Set<Path> ordered, Set<String> path) {
    Path file = byName.get(name);
    if (file == null || ordered.contains(file)) {
      return;
    }
    if (!path.add(name)) {
      throw new IllegalStateException("module dependency cycle: " + path + " -> " + name);
    }
    for (String dep : dependencies(file)) {
      visit(normalize(dep), ordered, path);
    }
    path.remove(name);
    ordered.add(file);
  }

  /** The {@code depends=} list of one module file. */
  static List<String> dependencies(Path ko) {
    byte[] modinfo;
    try {
      modinfo = section(Files.readAllBytes(ko), ".modinfo");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read kernel module " + ko, e);
    }
    List<String> deps = new ArrayList<>();
    for (String entry : new String(modinfo, StandardCharsets.ISO_8859_1).split("\0")) {
      if (entry.startsWith("depends=")) {
        for (String dep : entry.substring("depends=".length()).split(",")) {
          if (!dep.isBlank()) {
            deps.add(dep.trim());
          }
        }
      }
    }
    return deps;
  }

  /** The bytes of a named section of a 64-bit little-endian ELF file (a kernel module is one). */
  static byte[] section(byte[] elf, String wanted) {
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    if (elf.length < 64 || b.getInt(0) != 0x464c457f || elf[4] != 2 || elf[5] != 1) {
      throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
    }
    long shoff = b.getLong(0x28);
    int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
    int shnum = Short.toUnsignedInt(b.getShort(0x3c));
    int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
    long strOff = b.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
    for (int i = 0; i < shnum; i++) {
      int h = (int) (shoff + (long) i * shentsize);
      int nameOff = b.getInt(h);
      String name = cString(elf, (int) (strOff + nameOff));
      if (name.equals(wanted)) {
        int off = (int) b.getLong(h + 0x18);
        int size = (int) b.getLong(h + 0x20);
        byte[] out = new byte[size];
        System.arraycopy(elf, off, out, 0, size);
        return out;
      }
    }
    return new byte[0];
  }

  private static String cString(byte[] bytes, int off) {
    int end = off;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, off, end - off, StandardCharsets.ISO_8859_1);
  }
}
