package dev.strata.sandbox.wasm;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.strata.sandbox.InvalidProgramException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parsed and compiled modules, keyed by the SHA-256 of their bytes: a module is parsed and
 * compiled once per JVM however many sandboxes run it. With a cache directory (system property
 * {@value #DISK_PROPERTY}) the compiled bytecode is also kept on disk, so a restarted JVM does not
 * compile again.
 */
final class ModuleCache {

  static final String DISK_PROPERTY = "strata.wasm.cacheDir";
  private static final int MAX_ENTRIES = 256;
  private static final ModuleCache GLOBAL = new ModuleCache(diskFromProperty());

  private final Map<String, LoadedModule> byDigest =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LoadedModule> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  /** (path, size, mtime) → digest, so that an unchanged file is not read and hashed again. */
  private final Map<Path, Object[]> byPath =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Object[]> eldest) {
          return size() > MAX_ENTRIES * 4;
        }
      };

  private final @Nullable Cache disk;

  ModuleCache(@Nullable Path diskDir) {
    this.disk = diskDir == null ? null : new DiskCache(diskDir);
  }

  static ModuleCache global() {
    return GLOBAL;
  }

  private static @Nullable Path diskFromProperty() {
    String dir = System.getProperty(DISK_PROPERTY);
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }

  @Nullable
  Cache diskCache() {
    return disk;
  }

  /** The module in a host file; cached by content. */
  LoadedModule load(Path file) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new InvalidProgramException(
          "no WebAssembly module at "
              + file
              + ": for the wasm backend argv[0] is the host path of a .wasm file");
    } catch (IOException e) {
      throw new InvalidProgramException("cannot read WebAssembly module " + file + ": " + e, e);
    }
    if (!attrs.isRegularFile()) {
      throw new InvalidProgramException(
          file + " is not a file: for the wasm backend argv[0] is the host path of a .wasm file");
    }
    Path key = file.toAbsolutePath().normalize();
    synchronized (this) {
      Object[] known = byPath.get(key);
      if (known != null
          && (Long) known[0] == attrs.size()
          && (Long) known[1] == attrs.lastModifiedTime().toMillis()) {
        LoadedModule m = byDigest.get((String) known[2]);
        if (m != null) {
          return m;
        }
      }
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidProgramException("cannot read WebAssembly module " + file + ": " + e, e);
    }
    LoadedModule m = load(bytes, file.getFileName().toString());
    synchronized (this) {
      byPath.put(key, new Object[] {attrs.size(), attrs.lastModifiedTime().toMillis(), m.digest});
    }
    return m;
  }

  /** The module in these bytes; cached by content. */
  LoadedModule load(byte[] bytes, String name) {
    String digest = sha256(bytes);
    synchronized (this) {
      LoadedModule m = byDigest.get(digest);
      if (m != null) {
        return m;
      }
    }
    WasmModule parsed;
    try {
      parsed = Parser.parse(bytes);
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new InvalidProgramException(
          name + " is not a valid WebAssembly module: " + e.getMessage(), e);
    }
    LoadedModule loaded = new LoadedModule(digest, parsed, name);
    synchronized (this) {
      LoadedModule raced = byDigest.putIfAbsent(digest, loaded);
      return raced != null ? raced : loaded;
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Chicory's compiler cache in a directory: one file per module digest, published atomically. */
  static final class DiskCache implements Cache {
    private final Path dir;

    DiskCache(Path dir) {
      this.dir = dir;
    }

    private Path file(String key) {
      // keys look like "SHA-256:<base64>"; make a safe file name of them
      return dir.resolve(sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".jar");
    }

    @Override
    public byte @Nullable [] get(String key) throws IOException {
      Path f = file(key);
      try {
        return Files.readAllBytes(f);
      } catch (NoSuchFileException e) {
        return null;
      }
    }

    @Override
    public void putIfAbsent(String key, byte[] data) throws IOException {
      Path f = file(key);
      if (Files.exists(f)) {
        return;
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "strata-wasm-", ".tmp");
      try {
        Files.write(tmp, data);
        try {
          Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
