package dev.strata.sandbox.wasm.wasi;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sets the times of a symlink itself with nanosecond precision, by {@code utimensat(...,
 * AT_SYMLINK_NOFOLLOW)} through JNA; the JDK uses {@code lutimes} there, which keeps only
 * microseconds. Where JNA or the call is not available the caller falls back to the JDK.
 */
final class LinkTimes {

  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private static final boolean AVAILABLE = load();

  private LinkTimes() {}

  private static boolean load() {
    try {
      if (!Platform.isLinux() || !Platform.is64Bit()) {
        return false;
      }
      Native.register(LinkTimes.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (Throwable e) {
      return false;
    }
  }

  private static native int utimensat(int dirfd, String path, long[] times, int flags);

  /** Sets the link's own times; false if this host cannot do it here (use the JDK then). */
  static boolean set(Path link, @Nullable FileTime atime, @Nullable FileTime mtime)
      throws IOException {
    if (!AVAILABLE) {
      return false;
    }
    long[] times = new long[4];
    fill(times, 0, atime);
    fill(times, 2, mtime);
    int rc = utimensat(AT_FDCWD, link.toString(), times, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
      throw new FileSystemException(link.toString(), null, "utimensat errno " + Native.getLastError());
    }
    return true;
  }

  private static void fill(long[] times, int at, @Nullable FileTime t) {
    if (t == null) {
      times[at] = 0;
      times[at + 1] = UTIME_OMIT;
      return;
    }
    long nanos = t.to(TimeUnit.NANOSECONDS);
    times[at] = Math.floorDiv(nanos, 1_000_000_000L);
    times[at + 1] = Math.floorMod(nanos, 1_000_000_000L);
  }
}
