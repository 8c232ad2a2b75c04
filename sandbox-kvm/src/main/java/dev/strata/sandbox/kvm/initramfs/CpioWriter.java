package dev.strata.sandbox.kvm.initramfs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Writes one cpio {@code newc} archive as the Linux initramfs unpacker reads it: paths without a
 * leading slash, each parent directory before its children (made on demand), fixed timestamps and
 * root ownership so that the same input gives the same bytes.
 */
public final class CpioWriter implements Closeable {

  private final CpioArchiveOutputStream cpio;
  private final Set<String> directories = new HashSet<>();
  private long inode = 1;

  /** Writes to {@code out}; {@link #close()} writes the trailer and closes {@code out}. */
  public CpioWriter(OutputStream out) {
    this.cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW, 4, StandardCharsets.UTF_8.name());
  }

  private static String relative(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      throw new IllegalArgumentException("path (" + path + ") names the root");
    }
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("path (" + path + ") must be normal, without . or ..");
      }
    }
    return p;
  }

  private CpioArchiveEntry entry(String rel, long type, int perms, long size) {
    CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, rel, size);
    e.setMode(type | (perms & 07777));
    e.setInode(inode++);
    e.setNumberOfLinks(type == CpioConstants.C_ISDIR ? 2 : 1);
    e.setTime(0);
    e.setUID(0);
    e.setGID(0);
    return e;
  }

  private void parents(String rel) throws IOException {
    int slash = rel.lastIndexOf('/');
    if (slash > 0) {
      directory(rel.substring(0, slash), 0755);
    }
  }

  /** A directory (and its missing parents); writing one twice is a no-op. */
  public void directory(String path, int perms) throws IOException {
    String rel = relative(path);
    if (directories.contains(rel)) {
      return;
    }
    parents(rel);
    directories.add(rel);
    cpio.putArchiveEntry(entry(rel, CpioConstants.C_ISDIR, perms, 0));
    cpio.closeArchiveEntry();
  }

  /** A regular file with these bytes. */
  public void file(String path, int perms, byte[] content) throws IOException {
    String rel = relative(path);
    parents(rel);
    cpio.putArchiveEntry(entry(rel, CpioConstants.C_ISREG, perms, content.length));
    cpio.write(content);
    cpio.closeArchiveEntry();
  }

  /** A regular file copied from the host, streamed. */
  public void file(String path, int perms, Path source) throws IOException {
    String rel = relative(path);
    parents(rel);
    long size = Files.size(source);
    cpio.putArchiveEntry(entry(rel, CpioConstants.C_ISREG, perms, size));
    try (InputStream in = Files.newInputStream(source)) {
      long copied = in.transferTo(cpio);
      if (copied != size) {
        throw new IOException(source + " changed size while being copied (" + size + " -> " + copied + ")");
      }
    }
    cpio.closeArchiveEntry();
  }

  /** A symbolic link to {@code target}. */
  public void symlink(String path, String target) throws IOException {
    String rel = relative(path);
    parents(rel);
    byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
    cpio.putArchiveEntry(entry(rel, CpioConstants.C_ISLNK, 0777, bytes.length));
    cpio.write(bytes);
    cpio.closeArchiveEntry();
  }

  /** A character device node, such as {@code dev/console} (5, 1). */
  public void charDevice(String path, int perms, int major, int minor) throws IOException {
    String rel = relative(path);
    parents(rel);
    CpioArchiveEntry e = entry(rel, CpioConstants.C_ISCHR, perms, 0);
    e.setRemoteDeviceMaj(major);
    e.setRemoteDeviceMin(minor);
    cpio.putArchiveEntry(e);
    cpio.closeArchiveEntry();
  }

  @Override
  public void close() throws IOException {
    cpio.close();
  }
}
