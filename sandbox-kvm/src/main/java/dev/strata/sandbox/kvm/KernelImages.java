package dev.strata.sandbox.kvm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.apache.commons.compress.compressors.lz4.BlockLZ4CompressorInputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uncompressed {@code vmlinux} inside a {@code bzImage}, for a faster boot: QEMU's microvm
 * boots an ELF kernel with a PVH entry note directly, skipping the real-mode setup and the
 * self-decompression, which under TCG costs most of a second. Debian's kernels are LZ4-compressed
 * (the legacy LZ4 frame), which Commons Compress can read; for other compressions the bzImage is
 * used as it is.
 */
final class KernelImages {

  private static final Logger LOG = LoggerFactory.getLogger(KernelImages.class);
  private static final int LZ4_LEGACY_MAGIC = 0x184C2102;
  private static final int LZ4_LEGACY_BLOCK = 8 << 20;

  private KernelImages() {}

  /**
   * The uncompressed kernel for {@code image}, extracted once next to it (or under {@code
   * ~/.cache/strata/vmlinux} when that directory is read-only), or empty if it cannot be made.
   */
  static Optional<Path> uncompressed(Path image, String release) {
    try {
      byte[] head = new byte[4];
      try (InputStream in = Files.newInputStream(image)) {
        if (in.readNBytes(head, 0, 4) == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
          return Optional.of(image); // already an ELF vmlinux
        }
      }
      String name = "vmlinux-" + (release.isEmpty() ? "unknown" : release) + "-" + Files.size(image) + "-"
          + Files.getLastModifiedTime(image).toMillis();
      Path parent = image.toAbsolutePath().getParent();
      Path beside = parent.resolve(name);
      Path inCache = Path.of(System.getProperty("user.home"), ".cache", "strata", "vmlinux", name);
      for (Path candidate : new Path[] {beside, inCache}) {
        if (Files.isReadable(candidate)) {
          return Optional.of(candidate);
        }
      }
      byte[] elf = extract(Files.readAllBytes(image));
      if (elf == null) {
        LOG.info("kernel {} is not LZ4-compressed: booting the bzImage as it is", image);
        return Optional.empty();
      }
      Path target = Files.isWritable(parent) ? beside : inCache;
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".vmlinux", ".tmp");
      try {
        Files.write(tmp, elf);
        tmp.toFile().setReadable(true, false);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      LOG.info("extracted the uncompressed kernel {} ({} MiB) for direct PVH boots", target, elf.length >> 20);
      return Optional.of(target);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot extract an uncompressed kernel from {} ({}): booting the bzImage", image, e.toString());
      return Optional.empty();
    }
  }

  /** The ELF image in a bzImage's LZ4 legacy payload, or null when there is none. */
  static byte @Nullable [] extract(byte[] bzImage) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bzImage).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start + 8 <= bzImage.length; start++) {
      if (b.getInt(start) != LZ4_LEGACY_MAGIC) {
        continue;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20);
      int pos = start + 4;
      while (pos + 4 <= bzImage.length) {
        int size = b.getInt(pos);
        if (size <= 0 || size > LZ4_LEGACY_BLOCK + (LZ4_LEGACY_BLOCK >> 6) || pos + 4 + size > bzImage.length) {
          break;
        }
        int before = out.size();
        try (InputStream block = new BlockLZ4CompressorInputStream(new ByteArrayInputStream(bzImage, pos + 4, size))) {
          block.transferTo(out);
        } catch (IOException e) {
          break;
        }
        pos += 4 + size;
        if (out.size() - before < LZ4_LEGACY_BLOCK) {
          break; // the last block is the only short one
        }
      }
      byte[] elf = out.toByteArray();
      if (elf.length > 4 && elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F') {
        return elf;
      }
    }
    return null;
  }
}
