package dev.strata.sandbox.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/** The few libc calls the JDK lacks: ids, signals, pipes. Through JNA, not shell-outs. */
final class Posix {

  static final int SIGKILL = 9;
  static final int O_CLOEXEC = 02000000;

  interface LibC extends Library {
    int getuid();

    int getgid();

    int geteuid();

    int kill(int pid, int signal);

    int pipe2(int[] fds, int flags);

    int close(int fd);
  }

  private static final LibC LIBC = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

  private Posix() {}

  static int uid() {
    return LIBC.getuid();
  }

  static int gid() {
    return LIBC.getgid();
  }

  static int euid() {
    return LIBC.geteuid();
  }

  /** Sends SIGKILL; true when delivered (a process already gone is not an error). */
  static boolean killHard(long pid) {
    return LIBC.kill((int) pid, SIGKILL) == 0;
  }

  /** A close-on-exec pipe: [read end, write end], or null if the call failed. */
  static int[] pipe() {
    int[] fds = new int[2];
    if (LIBC.pipe2(fds, O_CLOEXEC) != 0) {
      throw new IllegalStateException("pipe2 failed: errno " + Native.getLastError());
    }
    return fds;
  }

  static void close(int fd) {
    if (fd >= 0) {
      LIBC.close(fd);
    }
  }
}
