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

    int unshare(int flags);

    int mount(String source, String target, String type, long flags, String data);

    int umount2(String target, int flags);


    int mkfifo(String path, int mode);

    long write(int fd, byte[] buf, long count);

    int open(String path, int flags);
  }

  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_NONBLOCK = 04000;

  static final int CLONE_NEWNET = 0x40000000;
  static final long MS_BIND = 4096;
  static final int MNT_DETACH = 2;

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

  /**
   * A new network namespace with nothing in it (loopback down), held by the returned fd (close
   * it once a process has joined). Made on a thread of its own, which ends right after: the JVM's
   * other threads stay in the host's namespace. Needs root.
   */
  static int newEmptyNetns() throws java.io.IOException {
    int[] result = {-1, 0};
    Thread t =
        new Thread(
            () -> {
              if (LIBC.unshare(CLONE_NEWNET) != 0) {
                result[1] = Native.getLastError();
                return;
              }
              result[0] = LIBC.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
              if (result[0] < 0) {
                result[1] = Native.getLastError();
              }
            },
            "strata-netns");
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.IOException("interrupted while making a network namespace", e);
    }
    if (result[0] < 0) {
      throw new java.io.IOException("could not make a network namespace: errno " + result[1]);
    }
    return result[0];
  }

  /** Lazily unmounts {@code file} (a namespace bind mount); quiet when it is not a mount point. */
  static void detach(java.nio.file.Path file) {
    LIBC.umount2(file.toString(), MNT_DETACH);
  }

  static void mkfifo(java.nio.file.Path path) throws java.io.IOException {
    if (LIBC.mkfifo(path.toString(), 0600) != 0) {
      throw new java.io.IOException("mkfifo " + path + " failed: errno " + Native.getLastError());
    }
  }

  /** Writes all of {@code buf} to a raw fd. */
  static void writeFully(int fd, byte[] buf) throws java.io.IOException {
    int off = 0;
    while (off < buf.length) {
      byte[] rest = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, buf.length);
      long n = LIBC.write(fd, rest, rest.length);
      if (n < 0) {
        int errno = Native.getLastError();
        if (errno == 4) {
          continue; // EINTR
        }
        throw new java.io.IOException("write failed: errno " + errno);
      }
      off += (int) n;
    }
  }

  /**
   * Opens the other end of a FIFO without blocking and closes it again: a thread blocked opening
   * {@code fifo} (for reading if {@code forReader}) then proceeds and sees end-of-file (or EPIPE).
   */
  static void releaseFifo(java.nio.file.Path fifo, boolean forReader) {
    int fd = LIBC.open(fifo.toString(), (forReader ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      LIBC.close(fd);
    }
  }

  static void close(int fd) {
    if (fd >= 0) {
      LIBC.close(fd);
    }
  }
}
