package dev.strata.sandbox.wasm.wasi;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One guest's WASI preview1 state: the descriptor table and the host functions over it. Not
 * thread-safe: one guest runs on one thread. {@link #close()} closes every open file.
 *
 * <p>Paths are resolved here, one component at a time, against the preopen that holds the
 * directory descriptor: {@code ..} past the preopen root and absolute symlink targets fail with
 * {@code ENOTCAPABLE}, symlinks are expanded by this code (never by the host), and the final
 * component is opened with {@code NOFOLLOW_LINKS}. Every mutating call under a read-only preopen
 * fails with {@code EROFS}, and a file opened without write rights is opened read-only on the host.
 */
public final class Wasi implements AutoCloseable {

  /** The WASI module name guests import from. */
  public static final String MODULE = "wasi_snapshot_preview1";

  // rights
  static final long R_FD_DATASYNC = 1L;
  static final long R_FD_READ = 1L << 1;
  static final long R_FD_SEEK = 1L << 2;
  static final long R_FD_FDSTAT_SET_FLAGS = 1L << 3;
  static final long R_FD_SYNC = 1L << 4;
  static final long R_FD_TELL = 1L << 5;
  static final long R_FD_WRITE = 1L << 6;
  static final long R_FD_ADVISE = 1L << 7;
  static final long R_FD_ALLOCATE = 1L << 8;
  static final long R_PATH_CREATE_DIRECTORY = 1L << 9;
  static final long R_PATH_CREATE_FILE = 1L << 10;
  static final long R_PATH_LINK_SOURCE = 1L << 11;
  static final long R_PATH_LINK_TARGET = 1L << 12;
  static final long R_PATH_OPEN = 1L << 13;
  static final long R_FD_READDIR = 1L << 14;
  static final long R_PATH_READLINK = 1L << 15;
  static final long R_PATH_RENAME_SOURCE = 1L << 16;
  static final long R_PATH_RENAME_TARGET = 1L << 17;
  static final long R_PATH_FILESTAT_GET = 1L << 18;
  static final long R_PATH_FILESTAT_SET_SIZE = 1L << 19;
  static final long R_PATH_FILESTAT_SET_TIMES = 1L << 20;
  static final long R_FD_FILESTAT_GET = 1L << 21;
  static final long R_FD_FILESTAT_SET_SIZE = 1L << 22;
  static final long R_FD_FILESTAT_SET_TIMES = 1L << 23;
  static final long R_PATH_SYMLINK = 1L << 24;
  static final long R_PATH_REMOVE_DIRECTORY = 1L << 25;
  static final long R_PATH_UNLINK_FILE = 1L << 26;
  static final long R_POLL_FD_READWRITE = 1L << 27;

  static final long FILE_RIGHTS =
      R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL
          | R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE
          | R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE;
  static final long DIR_RIGHTS =
      R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_ADVISE | R_PATH_CREATE_DIRECTORY
          | R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN
          | R_FD_READDIR | R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET
          | R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES
          | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY
          | R_PATH_UNLINK_FILE | R_POLL_FD_READWRITE;
  static final long STDIO_RIGHTS =
      R_FD_READ | R_FD_WRITE | R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE;
  private static final long WRITE_RIGHTS =
      R_FD_DATASYNC | R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE;

  // file types
  static final int FT_UNKNOWN = 0;
  static final int FT_CHAR = 2;
  static final int FT_DIR = 3;
  static final int FT_FILE = 4;
  static final int FT_SYMLINK = 7;

  // fd flags
  static final int FDF_APPEND = 1;
  // open flags
  static final int O_CREAT = 1;
  static final int O_DIRECTORY = 2;
  static final int O_EXCL = 4;
  static final int O_TRUNC = 8;
  // lookup flags
  static final int LOOKUP_FOLLOW = 1;
  // fstflags
  static final int FST_ATIM = 1;
  static final int FST_ATIM_NOW = 2;
  static final int FST_MTIM = 4;
  static final int FST_MTIM_NOW = 8;

  private static final SecureRandom RANDOM = new SecureRandom();
  /** -Dstrata.wasi.trace=true prints every call and its errno to stderr, for debugging guests. */
  private static final boolean TRACE = Boolean.getBoolean("strata.wasi.trace");
  private static final int MAX_SYMLINKS = 32;
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  /** A preopened directory. */
  static final class Root {
    final Path dir;
    final boolean readOnly;
    final String guestName;
    final @Nullable WriteQuota quota;

    Root(Path dir, boolean readOnly, String guestName, @Nullable WriteQuota quota) {
      this.dir = dir;
      this.readOnly = readOnly;
      this.guestName = guestName;
      this.quota = quota;
    }

    /** Counts {@code bytes} more on disk, or fails with ENOSPC. */
    void take(long bytes) throws WasiError {
      if (quota != null && !quota.tryTake(bytes)) {
        throw new WasiError(Errno.NOSPC);
      }
    }

    void giveBack(long bytes) {
      if (quota != null) {
        quota.giveBack(bytes);
      }
    }

    Path resolve(List<String> rel) {
      Path p = dir;
      for (String c : rel) {
        p = p.resolve(c);
      }
      return p;
    }
  }

  abstract static class Fd {
    long rightsBase;
    long rightsInheriting;
    int fdFlags;

    Fd(long base, long inheriting) {
      this.rightsBase = base;
      this.rightsInheriting = inheriting;
    }

    abstract int fileType();

    void close() throws IOException {}
  }

  static final class InFd extends Fd {
    final InputStream in;

    InFd(InputStream in) {
      super(STDIO_RIGHTS & ~R_FD_WRITE, 0);
      this.in = in;
    }

    @Override
    int fileType() {
      return FT_CHAR;
    }
  }

  static final class OutFd extends Fd {
    final OutputStream out;

    OutFd(OutputStream out) {
      super(STDIO_RIGHTS & ~R_FD_READ, 0);
      this.out = out;
    }

    @Override
    int fileType() {
      return FT_CHAR;
    }
  }

  /** One entry of a directory listing, as {@code fd_readdir} returns it. */
  record DirEntry(byte[] name, long inode, int type) {}

  static final class DirFd extends Fd {
    final Root root;
    final List<String> rel;
    final boolean preopen;
    @Nullable List<DirEntry> entries;

    DirFd(Root root, List<String> rel, boolean preopen, long base, long inheriting) {
      super(base, inheriting);
      this.root = root;
      this.rel = List.copyOf(rel);
      this.preopen = preopen;
    }

    Path path() {
      return root.resolve(rel);
    }

    @Override
    int fileType() {
      return FT_DIR;
    }
  }

  static final class FileFd extends Fd {
    final Root root;
    final Path path;
    final FileChannel channel;
    final boolean readable;
    final boolean writable;

    FileFd(Root root, Path path, FileChannel ch, boolean r, boolean w, long base, long inh) {
      super(base, inh);
      this.root = root;
      this.path = path;
      this.channel = ch;
      this.readable = r;
      this.writable = w;
    }

    @Override
    int fileType() {
      return FT_FILE;
    }

    @Override
    void close() throws IOException {
      channel.close();
    }
  }

  /** The outcome of resolving a guest path inside a root. */
  static final class Resolved {
    final Root root;
    final List<String> rel;
    final Path host;
    final boolean trailingSlash;

    Resolved(Root root, List<String> rel, boolean trailingSlash) {
      this.root = root;
      this.rel = rel;
      this.host = root.resolve(rel);
      this.trailingSlash = trailingSlash;
    }

    boolean isRoot() {
      return rel.isEmpty();
    }
  }

  @FunctionalInterface
  private interface Call {
    int apply(Memory m, long[] a) throws WasiError, IOException;
  }

  private final List<byte[]> args;
  private final List<byte[]> env;
  private final Map<Integer, Fd> fds = new TreeMap<>();
  private final long startNanos = System.nanoTime();

  public Wasi(WasiConfig config) {
    this.args = new ArrayList<>();
    for (String a : config.args) {
      args.add(a.getBytes(StandardCharsets.UTF_8));
    }
    this.env = new ArrayList<>();
    config.env.forEach((k, v) -> env.add((k + "=" + v).getBytes(StandardCharsets.UTF_8)));
    fds.put(0, new InFd(config.stdin));
    fds.put(1, new OutFd(config.stdout));
    fds.put(2, new OutFd(config.stderr));
    int fd = 3;
    for (WasiConfig.Preopen p : config.preopens) {
      Root root = new Root(p.hostDir(), p.readOnly(), p.guestPath(), p.quota());
      // Under a read-only preopen no file descriptor inherits write rights: a guest that asks for
      // them without creating or truncating (Zig asks for everything) gets a read-only file, and
      // creating, truncating or appending fails with EROFS.
      long inheriting = p.readOnly() ? (DIR_RIGHTS | FILE_RIGHTS) & ~WRITE_RIGHTS : DIR_RIGHTS | FILE_RIGHTS;
      fds.put(fd++, new DirFd(root, List.of(), true, DIR_RIGHTS, inheriting));
    }
  }

  @Override
  public void close() {
    for (Fd fd : fds.values()) {
      try {
        fd.close();
      } catch (IOException e) {
        // nothing to do: the guest is gone
      }
    }
    fds.clear();
  }

  // ---------------------------------------------------------------- host functions

  /** The host functions of {@code wasi_snapshot_preview1}, bound to this state. */
  public List<HostFunction> hostFunctions() {
    List<HostFunction> f = new ArrayList<>();
    f.add(fn("args_get", "ii", (m, a) -> writeStrings(m, args, (int) a[0], (int) a[1])));
    f.add(fn("args_sizes_get", "ii", (m, a) -> sizes(m, args, (int) a[0], (int) a[1])));
    f.add(fn("environ_get", "ii", (m, a) -> writeStrings(m, env, (int) a[0], (int) a[1])));
    f.add(fn("environ_sizes_get", "ii", (m, a) -> sizes(m, env, (int) a[0], (int) a[1])));
    f.add(fn("clock_res_get", "ii", this::clockResGet));
    f.add(fn("clock_time_get", "iIi", this::clockTimeGet));
    f.add(fn("fd_advise", "iIIi", this::fdAdvise));
    f.add(fn("fd_allocate", "iII", this::fdAllocate));
    f.add(fn("fd_close", "i", this::fdClose));
    f.add(fn("fd_datasync", "i", (m, a) -> fdSync(a, R_FD_DATASYNC)));
    f.add(fn("fd_sync", "i", (m, a) -> fdSync(a, R_FD_SYNC)));
    f.add(fn("fd_fdstat_get", "ii", this::fdFdstatGet));
    f.add(fn("fd_fdstat_set_flags", "ii", this::fdFdstatSetFlags));
    f.add(fn("fd_fdstat_set_rights", "iII", this::fdFdstatSetRights));
    f.add(fn("fd_filestat_get", "ii", this::fdFilestatGet));
    f.add(fn("fd_filestat_set_size", "iI", this::fdFilestatSetSize));
    f.add(fn("fd_filestat_set_times", "iIIi", this::fdFilestatSetTimes));
    f.add(fn("fd_pread", "iiiIi", this::fdPread));
    f.add(fn("fd_pwrite", "iiiIi", this::fdPwrite));
    f.add(fn("fd_read", "iiii", this::fdRead));
    f.add(fn("fd_write", "iiii", this::fdWrite));
    f.add(fn("fd_prestat_get", "ii", this::fdPrestatGet));
    f.add(fn("fd_prestat_dir_name", "iii", this::fdPrestatDirName));
    f.add(fn("fd_readdir", "iiiIi", this::fdReaddir));
    f.add(fn("fd_renumber", "ii", this::fdRenumber));
    f.add(fn("fd_seek", "iIii", this::fdSeek));
    f.add(fn("fd_tell", "ii", this::fdTell));
    f.add(fn("path_create_directory", "iii", this::pathCreateDirectory));
    f.add(fn("path_filestat_get", "iiiii", this::pathFilestatGet));
    f.add(fn("path_filestat_set_times", "iiiiIIi", this::pathFilestatSetTimes));
    f.add(fn("path_link", "iiiiiii", this::pathLink));
    f.add(fn("path_open", "iiiiiIIii", this::pathOpen));
    f.add(fn("path_readlink", "iiiiii", this::pathReadlink));
    f.add(fn("path_remove_directory", "iii", this::pathRemoveDirectory));
    f.add(fn("path_rename", "iiiiii", this::pathRename));
    f.add(fn("path_symlink", "iiiii", this::pathSymlink));
    f.add(fn("path_unlink_file", "iii", this::pathUnlinkFile));
    f.add(fn("poll_oneoff", "iiii", this::pollOneoff));
    f.add(
        new HostFunction(
            MODULE,
            "proc_exit",
            FunctionType.of(List.of(ValType.I32), List.of()),
            (inst, a) -> {
              throw new WasiExit((int) a[0]);
            }));
    f.add(fn("proc_raise", "i", (m, a) -> Errno.NOSYS));
    f.add(fn("sched_yield", "", (m, a) -> Errno.SUCCESS));
    f.add(fn("random_get", "ii", this::randomGet));
    f.add(fn("sock_accept", "iii", (m, a) -> sock((int) a[0])));
    f.add(fn("sock_recv", "iiiiii", (m, a) -> sock((int) a[0])));
    f.add(fn("sock_send", "iiiii", (m, a) -> sock((int) a[0])));
    f.add(fn("sock_shutdown", "ii", (m, a) -> sock((int) a[0])));
    return f;
  }

  private static HostFunction fn(String name, String params, Call call) {
    List<ValType> p = new ArrayList<>();
    for (char c : params.toCharArray()) {
      p.add(c == 'I' ? ValType.I64 : ValType.I32);
    }
    return new HostFunction(
        MODULE,
        name,
        FunctionType.of(p, List.of(ValType.I32)),
        (Instance inst, long... a) -> {
          int errno;
          try {
            errno = call.apply(inst.memory(), a);
          } catch (WasiError e) {
            errno = e.errno;
          } catch (IOException e) {
            if (e instanceof java.io.InterruptedIOException
                || e instanceof java.nio.channels.ClosedByInterruptException
                || Thread.currentThread().isInterrupted()) {
              // the sandbox is stopping this guest: do not hand it an EIO to carry on with
              throw new ChicoryInterruptedException("interrupted in " + name);
            }
            errno = errnoOf(e);
          } catch (UncheckedIOException e) {
            errno = errnoOf(e.getCause());
          } catch (InvalidPathException e) {
            errno = Errno.INVAL;
          }
          if (TRACE) {
            System.err.println("wasi " + name + java.util.Arrays.toString(a) + " -> " + errno);
          }
          return new long[] {errno};
        });
  }

  // ---------------------------------------------------------------- args, env, clocks, random

  private static int writeStrings(Memory m, List<byte[]> values, int ptrs, int buf) {
    for (byte[] v : values) {
      m.writeI32(ptrs, buf);
      ptrs += 4;
      m.write(buf, v);
      buf += v.length;
      m.writeByte(buf++, (byte) 0);
    }
    return Errno.SUCCESS;
  }

  private static int sizes(Memory m, List<byte[]> values, int countPtr, int sizePtr) {
    int size = 0;
    for (byte[] v : values) {
      size += v.length + 1;
    }
    m.writeI32(countPtr, values.size());
    m.writeI32(sizePtr, size);
    return Errno.SUCCESS;
  }

  private int clockResGet(Memory m, long[] a) throws WasiError {
    int id = (int) a[0];
    long res;
    switch (id) {
      case 0:
        res = 1_000L;
        break;
      case 1:
      case 2:
      case 3:
        res = 1L;
        break;
      default:
        throw new WasiError(Errno.INVAL);
    }
    m.writeLong((int) a[1], res);
    return Errno.SUCCESS;
  }

  private long now(int clock) throws WasiError {
    switch (clock) {
      case 0:
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
      case 1:
        return System.nanoTime();
      case 2:
      case 3:
        var mx = ManagementFactory.getThreadMXBean();
        long cpu = mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : -1;
        return cpu >= 0 ? cpu : System.nanoTime() - startNanos;
      default:
        throw new WasiError(Errno.INVAL);
    }
  }

  private int clockTimeGet(Memory m, long[] a) throws WasiError {
    m.writeLong((int) a[2], now((int) a[0]));
    return Errno.SUCCESS;
  }

  private int randomGet(Memory m, long[] a) {
    int len = (int) a[1];
    byte[] bytes = new byte[len];
    RANDOM.nextBytes(bytes);
    m.write((int) a[0], bytes);
    return Errno.SUCCESS;
  }

  private int sock(int fd) throws WasiError {
    get(fd);
    return Errno.NOTSOCK;
  }

  // ---------------------------------------------------------------- descriptors

  private Fd get(int fd) throws WasiError {
    Fd f = fds.get(fd);
    if (f == null) {
      throw new WasiError(Errno.BADF);
    }
    return f;
  }

  private FileFd file(int fd, long right) throws WasiError {
    Fd f = get(fd);
    if (f instanceof DirFd) {
      throw new WasiError(Errno.ISDIR);
    }
    if (!(f instanceof FileFd)) {
      throw new WasiError(Errno.BADF);
    }
    if ((f.rightsBase & right) != right) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    return (FileFd) f;
  }

  private DirFd dir(int fd, long right) throws WasiError {
    Fd f = get(fd);
    if (!(f instanceof DirFd)) {
      throw new WasiError(Errno.NOTDIR);
    }
    if ((f.rightsBase & right) != right) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    return (DirFd) f;
  }

  private int allocate(Fd f) {
    int n = 3;
    while (fds.containsKey(n)) {
      n++;
    }
    fds.put(n, f);
    return n;
  }

  private int fdClose(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    fds.remove((int) a[0]);
    f.close();
    return Errno.SUCCESS;
  }

  private int fdRenumber(Memory m, long[] a) throws WasiError, IOException {
    int from = (int) a[0];
    int to = (int) a[1];
    Fd f = get(from);
    Fd old = get(to);
    if (from == to) {
      return Errno.SUCCESS;
    }
    old.close();
    fds.remove(from);
    fds.put(to, f);
    return Errno.SUCCESS;
  }

  private int fdPrestatGet(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    if (!(f instanceof DirFd) || !((DirFd) f).preopen) {
      throw new WasiError(Errno.BADF);
    }
    int ptr = (int) a[1];
    m.writeI32(ptr, 0);
    m.writeI32(ptr + 4, ((DirFd) f).root.guestName.getBytes(StandardCharsets.UTF_8).length);
    return Errno.SUCCESS;
  }

  private int fdPrestatDirName(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    if (!(f instanceof DirFd) || !((DirFd) f).preopen) {
      throw new WasiError(Errno.BADF);
    }
    byte[] name = ((DirFd) f).root.guestName.getBytes(StandardCharsets.UTF_8);
    int len = (int) a[2];
    if (len < name.length) {
      throw new WasiError(Errno.NAMETOOLONG);
    }
    m.write((int) a[1], name);
    return Errno.SUCCESS;
  }

  private int fdFdstatGet(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    int ptr = (int) a[1];
    m.writeByte(ptr, (byte) f.fileType());
    m.writeByte(ptr + 1, (byte) 0);
    m.writeShort(ptr + 2, (short) f.fdFlags);
    m.writeI32(ptr + 4, 0);
    m.writeLong(ptr + 8, f.rightsBase);
    m.writeLong(ptr + 16, f.rightsInheriting);
    return Errno.SUCCESS;
  }

  private int fdFdstatSetFlags(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    int flags = (int) a[1];
    if ((flags & ~0x1f) != 0) {
      throw new WasiError(Errno.INVAL);
    }
    if (f instanceof FileFd && (flags & FDF_APPEND) != 0 && !((FileFd) f).writable) {
      throw new WasiError(Errno.BADF);
    }
    f.fdFlags = flags;
    return Errno.SUCCESS;
  }

  private int fdFdstatSetRights(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    long base = a[1];
    long inheriting = a[2];
    if ((base & ~f.rightsBase) != 0 || (inheriting & ~f.rightsInheriting) != 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    f.rightsBase = base;
    f.rightsInheriting = inheriting;
    return Errno.SUCCESS;
  }

  private int fdSync(long[] a, long right) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if (f instanceof FileFd) {
      FileFd ff = (FileFd) f;
      if (ff.writable) {
        ff.channel.force(right == R_FD_SYNC);
      }
      return Errno.SUCCESS;
    }
    if (f instanceof DirFd) {
      return Errno.SUCCESS;
    }
    throw new WasiError(Errno.INVAL);
  }

  private int fdAdvise(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    int advice = (int) a[3];
    if (f instanceof DirFd) {
      throw new WasiError(Errno.BADF);
    }
    if (!(f instanceof FileFd)) {
      throw new WasiError(Errno.SPIPE);
    }
    if (advice < 0 || advice > 5 || a[1] < 0 || a[2] < 0) {
      throw new WasiError(Errno.INVAL);
    }
    return Errno.SUCCESS;
  }

  private int fdAllocate(Memory m, long[] a) throws WasiError {
    Fd f = get((int) a[0]);
    if (!(f instanceof FileFd)) {
      throw new WasiError(Errno.BADF);
    }
    // Like Wasmtime: preallocation is not offered.
    return Errno.NOTSUP;
  }

  private int fdFilestatGet(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    int ptr = (int) a[1];
    if (f instanceof FileFd) {
      writeFilestat(m, ptr, ((FileFd) f).path, false);
    } else if (f instanceof DirFd) {
      writeFilestat(m, ptr, ((DirFd) f).path(), false);
    } else {
      m.fill((byte) 0, ptr, ptr + 64);
      m.writeByte(ptr + 16, (byte) FT_CHAR);
    }
    return Errno.SUCCESS;
  }

  private int fdFilestatSetSize(Memory m, long[] a) throws WasiError, IOException {
    FileFd f = file((int) a[0], R_FD_FILESTAT_SET_SIZE);
    long size = a[1];
    if (size < 0) {
      throw new WasiError(Errno.INVAL);
    }
    writeCheck(f);
    long before = f.channel.size();
    f.root.take(size - before);
    setSize(f.channel, size);
    f.root.giveBack(before - size);
    return Errno.SUCCESS;
  }

  private static void setSize(FileChannel ch, long size) throws IOException {
    long current = ch.size();
    if (size < current) {
      ch.truncate(size);
    } else if (size > current) {
      ch.write(ByteBuffer.allocate(1), size - 1);
    }
  }

  private void writeCheck(FileFd f) throws WasiError {
    if (f.root.readOnly) {
      throw new WasiError(Errno.ROFS);
    }
    if (!f.writable) {
      throw new WasiError(Errno.BADF);
    }
  }

  private int fdFilestatSetTimes(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    Path p;
    boolean readOnly;
    if (f instanceof FileFd) {
      p = ((FileFd) f).path;
      readOnly = ((FileFd) f).root.readOnly;
    } else if (f instanceof DirFd) {
      p = ((DirFd) f).path();
      readOnly = ((DirFd) f).root.readOnly;
    } else {
      throw new WasiError(Errno.BADF);
    }
    if ((f.rightsBase & R_FD_FILESTAT_SET_TIMES) == 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    setTimes(p, a[1], a[2], (int) a[3], readOnly, false);
    return Errno.SUCCESS;
  }

  private static void setTimes(
      Path p, long atim, long mtim, int flags, boolean readOnly, boolean follow)
      throws WasiError, IOException {
    if ((flags & ~0xf) != 0
        || ((flags & FST_ATIM) != 0 && (flags & FST_ATIM_NOW) != 0)
        || ((flags & FST_MTIM) != 0 && (flags & FST_MTIM_NOW) != 0)) {
      throw new WasiError(Errno.INVAL);
    }
    if (readOnly) {
      throw new WasiError(Errno.ROFS);
    }
    FileTime nowTime = FileTime.from(java.time.Instant.now());
    FileTime at = null;
    FileTime mt = null;
    if ((flags & FST_ATIM) != 0) {
      at = FileTime.from(atim, TimeUnit.NANOSECONDS);
    } else if ((flags & FST_ATIM_NOW) != 0) {
      at = nowTime;
    }
    if ((flags & FST_MTIM) != 0) {
      mt = FileTime.from(mtim, TimeUnit.NANOSECONDS);
    } else if ((flags & FST_MTIM_NOW) != 0) {
      mt = nowTime;
    }
    if (at == null && mt == null) {
      return;
    }
    if (!follow && Files.isSymbolicLink(p) && LinkTimes.set(p, at, mt)) {
      return;
    }
    BasicFileAttributeView view =
        follow
            ? Files.getFileAttributeView(p, BasicFileAttributeView.class)
            : Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW);
    view.setTimes(mt, at, null);
  }

  // ---------------------------------------------------------------- read, write, seek

  private int fdRead(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if ((f.rightsBase & R_FD_READ) == 0) {
      throw new WasiError(f instanceof DirFd ? Errno.ISDIR : Errno.BADF);
    }
    int iovs = (int) a[1];
    int count = (int) a[2];
    long total = 0;
    if (f instanceof InFd) {
      InputStream in = ((InFd) f).in;
      for (int i = 0; i < count; i++) {
        int buf = m.readInt(iovs + i * 8);
        int len = m.readInt(iovs + i * 8 + 4);
        if (len == 0) {
          continue;
        }
        byte[] bytes = new byte[len];
        int n = in.read(bytes, 0, len);
        if (n <= 0) {
          break;
        }
        m.write(buf, bytes, 0, n);
        total += n;
        if (n < len || in.available() <= 0) {
          break;
        }
      }
    } else if (f instanceof FileFd) {
      FileFd ff = (FileFd) f;
      if (!ff.readable) {
        throw new WasiError(Errno.BADF);
      }
      total = readInto(m, iovs, count, ff.channel, -1);
    } else {
      throw new WasiError(f instanceof DirFd ? Errno.ISDIR : Errno.BADF);
    }
    m.writeI32((int) a[3], (int) total);
    return Errno.SUCCESS;
  }

  private int fdPread(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if (!(f instanceof FileFd)) {
      throw new WasiError(f instanceof DirFd ? Errno.ISDIR : Errno.SPIPE);
    }
    FileFd ff = (FileFd) f;
    if ((f.rightsBase & R_FD_READ) == 0 || !ff.readable) {
      throw new WasiError(Errno.BADF);
    }
    if (a[3] < 0) {
      throw new WasiError(Errno.INVAL);
    }
    long total = readInto(m, (int) a[1], (int) a[2], ff.channel, a[3]);
    m.writeI32((int) a[4], (int) total);
    return Errno.SUCCESS;
  }

  private static long readInto(Memory m, int iovs, int count, FileChannel ch, long offset)
      throws IOException {
    long total = 0;
    for (int i = 0; i < count; i++) {
      int buf = m.readInt(iovs + i * 8);
      int len = m.readInt(iovs + i * 8 + 4);
      if (len == 0) {
        continue;
      }
      ByteBuffer bb = ByteBuffer.allocate(len);
      int n = offset < 0 ? ch.read(bb) : ch.read(bb, offset + total);
      if (n <= 0) {
        break;
      }
      m.write(buf, bb.array(), 0, n);
      total += n;
      if (n < len) {
        break;
      }
    }
    return total;
  }

  private static byte[] gather(Memory m, int iovs, int count) {
    int total = 0;
    for (int i = 0; i < count; i++) {
      total += m.readInt(iovs + i * 8 + 4);
    }
    byte[] out = new byte[total];
    int off = 0;
    for (int i = 0; i < count; i++) {
      int buf = m.readInt(iovs + i * 8);
      int len = m.readInt(iovs + i * 8 + 4);
      if (len > 0) {
        System.arraycopy(m.readBytes(buf, len), 0, out, off, len);
        off += len;
      }
    }
    return out;
  }

  private int fdWrite(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if ((f.rightsBase & R_FD_WRITE) == 0) {
      throw new WasiError(f instanceof DirFd ? Errno.ISDIR : Errno.BADF);
    }
    byte[] data = gather(m, (int) a[1], (int) a[2]);
    if (f instanceof OutFd) {
      OutputStream out = ((OutFd) f).out;
      out.write(data);
      out.flush();
    } else if (f instanceof FileFd) {
      FileFd ff = (FileFd) f;
      writeCheck(ff);
      try {
        long size = ff.channel.size();
        if ((ff.fdFlags & FDF_APPEND) != 0) {
          ff.channel.position(size);
        }
        ff.root.take(ff.channel.position() + data.length - size);
        ByteBuffer bb = ByteBuffer.wrap(data);
        while (bb.hasRemaining()) {
          ff.channel.write(bb);
        }
      } catch (NonWritableChannelException e) {
        throw new WasiError(Errno.BADF);
      }
    } else {
      throw new WasiError(f instanceof DirFd ? Errno.ISDIR : Errno.BADF);
    }
    m.writeI32((int) a[3], data.length);
    return Errno.SUCCESS;
  }

  private int fdPwrite(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if (!(f instanceof FileFd)) {
      throw new WasiError(f instanceof DirFd ? Errno.ISDIR : Errno.SPIPE);
    }
    FileFd ff = (FileFd) f;
    if ((f.rightsBase & R_FD_WRITE) == 0) {
      throw new WasiError(Errno.BADF);
    }
    writeCheck(ff);
    if (a[3] < 0) {
      throw new WasiError(Errno.INVAL);
    }
    byte[] data = gather(m, (int) a[1], (int) a[2]);
    ByteBuffer bb = ByteBuffer.wrap(data);
    long pos = a[3];
    ff.root.take(pos + data.length - ff.channel.size());
    try {
      while (bb.hasRemaining()) {
        pos += ff.channel.write(bb, pos);
      }
    } catch (NonWritableChannelException e) {
      throw new WasiError(Errno.BADF);
    }
    m.writeI32((int) a[4], data.length);
    return Errno.SUCCESS;
  }

  private int fdSeek(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if (f instanceof DirFd) {
      throw new WasiError(Errno.BADF);
    }
    if (!(f instanceof FileFd)) {
      throw new WasiError(Errno.SPIPE);
    }
    if ((f.rightsBase & (R_FD_SEEK | R_FD_TELL)) == 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    FileChannel ch = ((FileFd) f).channel;
    long offset = a[1];
    int whence = (int) a[2];
    long base;
    switch (whence) {
      case 0:
        base = 0;
        break;
      case 1:
        base = ch.position();
        break;
      case 2:
        base = ch.size();
        break;
      default:
        throw new WasiError(Errno.INVAL);
    }
    long target = base + offset;
    if (target < 0) {
      throw new WasiError(Errno.INVAL);
    }
    if ((f.rightsBase & R_FD_SEEK) == 0 && !(whence == 1 && offset == 0)) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    ch.position(target);
    m.writeLong((int) a[3], target);
    return Errno.SUCCESS;
  }

  private int fdTell(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if (f instanceof DirFd) {
      throw new WasiError(Errno.BADF);
    }
    if (!(f instanceof FileFd)) {
      throw new WasiError(Errno.SPIPE);
    }
    if ((f.rightsBase & (R_FD_TELL | R_FD_SEEK)) == 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    m.writeLong((int) a[1], ((FileFd) f).channel.position());
    return Errno.SUCCESS;
  }

  // ---------------------------------------------------------------- directories

  private int fdReaddir(Memory m, long[] a) throws WasiError, IOException {
    Fd f = get((int) a[0]);
    if (!(f instanceof DirFd)) {
      throw new WasiError(Errno.NOTDIR);
    }
    DirFd d = (DirFd) f;
    if ((d.rightsBase & R_FD_READDIR) == 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    int buf = (int) a[1];
    int bufLen = (int) a[2];
    long cookie = a[3];
    if (cookie == 0 || d.entries == null) {
      d.entries = listEntries(d);
    }
    List<DirEntry> entries = d.entries;
    int used = 0;
    for (long i = cookie; i < entries.size() && used < bufLen; i++) {
      DirEntry e = entries.get((int) i);
      byte[] name = e.name();
      ByteBuffer header = ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      header.putLong(0, i + 1);
      header.putLong(8, e.inode());
      header.putInt(16, name.length);
      header.put(20, (byte) e.type());
      byte[] whole = new byte[24 + name.length];
      System.arraycopy(header.array(), 0, whole, 0, 24);
      System.arraycopy(name, 0, whole, 24, name.length);
      int take = Math.min(whole.length, bufLen - used);
      m.write(buf + used, whole, 0, take);
      used += take;
    }
    m.writeI32((int) a[4], used);
    return Errno.SUCCESS;
  }

  private static List<DirEntry> listEntries(DirFd d) throws IOException {
    Path dir = d.path();
    List<DirEntry> out = new ArrayList<>();
    out.add(new DirEntry(".".getBytes(StandardCharsets.UTF_8), inode(dir), FT_DIR));
    Path parent = d.rel.isEmpty() ? dir : dir.getParent();
    out.add(new DirEntry("..".getBytes(StandardCharsets.UTF_8), inode(parent), FT_DIR));
    List<Path> children;
    try (Stream<Path> s = Files.list(dir)) {
      children = new ArrayList<>(s.toList());
    }
    children.sort(null);
    for (Path c : children) {
      long ino = 0;
      int type = FT_UNKNOWN;
      try {
        BasicFileAttributes attrs = Files.readAttributes(c, BasicFileAttributes.class, NOFOLLOW);
        type = fileType(attrs);
        ino = inode(c);
      } catch (IOException e) {
        // vanished meanwhile: still listed, as the host listed it
      }
      out.add(new DirEntry(c.getFileName().toString().getBytes(StandardCharsets.UTF_8), ino, type));
    }
    return out;
  }

  private static long inode(Path p) {
    try {
      Object ino = Files.getAttribute(p, "unix:ino", NOFOLLOW);
      return ((Number) ino).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return p.hashCode() & 0xffffffffL;
    }
  }

  private static int fileType(BasicFileAttributes attrs) {
    if (attrs.isSymbolicLink()) {
      return FT_SYMLINK;
    }
    if (attrs.isDirectory()) {
      return FT_DIR;
    }
    if (attrs.isRegularFile()) {
      return FT_FILE;
    }
    return FT_UNKNOWN;
  }

  private static void writeFilestat(Memory m, int ptr, Path p, boolean follow)
      throws IOException {
    Map<String, Object> attrs =
        follow
            ? Files.readAttributes(p, "unix:dev,ino,nlink,size,lastAccessTime,lastModifiedTime,ctime,mode")
            : Files.readAttributes(
                p, "unix:dev,ino,nlink,size,lastAccessTime,lastModifiedTime,ctime,mode", NOFOLLOW);
    int mode = ((Number) attrs.get("mode")).intValue();
    int type;
    switch (mode & 0170000) {
      case 0040000:
        type = FT_DIR;
        break;
      case 0100000:
        type = FT_FILE;
        break;
      case 0120000:
        type = FT_SYMLINK;
        break;
      case 0020000:
        type = FT_CHAR;
        break;
      case 0060000:
        type = 1;
        break;
      default:
        type = FT_UNKNOWN;
    }
    m.writeLong(ptr, ((Number) attrs.get("dev")).longValue());
    m.writeLong(ptr + 8, ((Number) attrs.get("ino")).longValue());
    m.writeLong(ptr + 16, 0);
    m.writeByte(ptr + 16, (byte) type);
    m.writeLong(ptr + 24, ((Number) attrs.get("nlink")).longValue());
    m.writeLong(ptr + 32, ((Number) attrs.get("size")).longValue());
    m.writeLong(ptr + 40, nanos((FileTime) attrs.get("lastAccessTime")));
    m.writeLong(ptr + 48, nanos((FileTime) attrs.get("lastModifiedTime")));
    m.writeLong(ptr + 56, nanos((FileTime) attrs.get("ctime")));
  }

  private static long nanos(FileTime t) {
    java.time.Instant i = t.toInstant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  // ---------------------------------------------------------------- path resolution

  private static String readPath(Memory m, int ptr, int len) throws WasiError {
    byte[] bytes = m.readBytes(ptr, len);
    for (byte b : bytes) {
      if (b == 0) {
        throw new WasiError(Errno.INVAL);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new WasiError(Errno.ILSEQ);
    }
  }

  /**
   * Resolves {@code path} below {@code dir}, expanding symlinks here and never leaving the root.
   *
   * @param followFinal whether a symlink in the last component is followed
   */
  static Resolved resolve(DirFd dir, String path, boolean followFinal) throws WasiError {
    if (path.isEmpty()) {
      throw new WasiError(Errno.NOENT);
    }
    if (path.startsWith("/")) {
      // Some guests (Zig) pass "/x" to the preopen named "/": that means the same place. From
      // any other descriptor an absolute path is refused, as WASI requires.
      if (!(dir.preopen && dir.root.guestName.equals("/"))) {
        throw new WasiError(Errno.NOTCAPABLE);
      }
      path = path.replaceFirst("^/+", "");
      if (path.isEmpty()) {
        path = ".";
      }
    }
    boolean trailingSlash = path.endsWith("/");
    Deque<String> work = new ArrayDeque<>();
    for (String c : path.split("/")) {
      if (!c.isEmpty()) {
        work.addLast(c);
      }
    }
    List<String> stack = new ArrayList<>(dir.rel);
    // a directory descriptor is a capability: nothing above it is reachable, not even in its root
    int floor = dir.rel.size();
    int links = 0;
    while (!work.isEmpty()) {
      String c = work.pollFirst();
      boolean last = work.isEmpty();
      if (c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (stack.size() <= floor) {
          throw new WasiError(Errno.NOTCAPABLE);
        }
        stack.remove(stack.size() - 1);
        continue;
      }
      Path p = dir.root.resolve(stack).resolve(c);
      if ((!last || followFinal || trailingSlash) && Files.isSymbolicLink(p)) {
        if (++links > MAX_SYMLINKS) {
          throw new WasiError(Errno.LOOP);
        }
        String target;
        try {
          target = Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
          throw new WasiError(errnoOf(e));
        }
        if (target.startsWith("/")) {
          throw new WasiError(Errno.NOTCAPABLE);
        }
        if (target.endsWith("/") && last) {
          trailingSlash = true;
        }
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          if (!parts[i].isEmpty()) {
            work.addFirst(parts[i]);
          }
        }
        continue;
      }
      if (!last) {
        if (!Files.isDirectory(p, NOFOLLOW)) {
          throw new WasiError(Files.exists(p, NOFOLLOW) ? Errno.NOTDIR : Errno.NOENT);
        }
      }
      stack.add(c);
    }
    return new Resolved(dir.root, stack, trailingSlash);
  }

  private static String readPathArg(Memory m, long ptr, long len) throws WasiError {
    return readPath(m, (int) ptr, (int) len);
  }

  private static void writable(Resolved r) throws WasiError {
    if (r.root.readOnly) {
      throw new WasiError(Errno.ROFS);
    }
  }

  // ---------------------------------------------------------------- path operations

  private int pathOpen(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_OPEN);
    int lookup = (int) a[1];
    String path = readPathArg(m, a[2], a[3]);
    int oflags = (int) a[4];
    long base = a[5];
    long inheriting = a[6];
    int fdflags = (int) a[7];
    int resultPtr = (int) a[8];

    if ((oflags & O_CREAT) != 0 && (d.rightsBase & R_PATH_CREATE_FILE) == 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    if ((oflags & O_TRUNC) != 0 && (d.rightsBase & R_PATH_FILESTAT_SET_SIZE) == 0) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    Resolved r = resolve(d, path, (lookup & LOOKUP_FOLLOW) != 0);
    Path p = r.host;
    boolean exists = Files.exists(p, NOFOLLOW);
    boolean isLink = exists && Files.isSymbolicLink(p);
    boolean isDir = exists && !isLink && Files.isDirectory(p, NOFOLLOW);

    if (exists && (oflags & O_CREAT) != 0 && (oflags & O_EXCL) != 0) {
      throw new WasiError(Errno.EXIST);
    }
    if (isLink) {
      // the final component is a symlink that must not be followed
      throw new WasiError((oflags & O_DIRECTORY) != 0 ? Errno.NOTDIR : Errno.LOOP);
    }
    if (!exists) {
      if ((oflags & O_CREAT) == 0) {
        throw new WasiError(Errno.NOENT);
      }
      if (r.trailingSlash || (oflags & O_DIRECTORY) != 0) {
        throw new WasiError(r.trailingSlash ? Errno.ISDIR : Errno.INVAL);
      }
      if (!Files.isDirectory(p.getParent(), NOFOLLOW)) {
        throw new WasiError(Errno.NOENT);
      }
    }
    if (exists && !isDir && (r.trailingSlash || (oflags & O_DIRECTORY) != 0)) {
      throw new WasiError(Errno.NOTDIR);
    }

    long newBase = base & d.rightsInheriting;
    long newInheriting = inheriting & d.rightsInheriting;
    boolean wantWrite = (newBase & WRITE_RIGHTS) != 0 || (fdflags & FDF_APPEND) != 0;

    if (isDir) {
      if (wantWrite || (oflags & O_TRUNC) != 0) {
        throw new WasiError(Errno.ISDIR);
      }
      DirFd nd = new DirFd(r.root, r.rel, false, newBase & DIR_RIGHTS, newInheriting);
      nd.fdFlags = fdflags;
      m.writeI32(resultPtr, allocate(nd));
      return Errno.SUCCESS;
    }
    if (r.root.readOnly && (wantWrite || (oflags & (O_TRUNC | O_CREAT)) != 0)) {
      if (exists && !wantWrite && (oflags & O_TRUNC) == 0) {
        // O_CREAT on an existing file creates nothing: a plain read-only open
      } else {
        throw new WasiError(Errno.ROFS);
      }
    }
    if (exists && (oflags & O_TRUNC) != 0) {
      try (FileChannel t =
          FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        r.root.giveBack(t.size());
        t.truncate(0);
      }
    }
    Set<OpenOption> opts = new HashSet<>();
    opts.add(LinkOption.NOFOLLOW_LINKS);
    boolean readable = (newBase & (R_FD_READ | R_FD_READDIR)) != 0 || !wantWrite;
    if (readable) {
      opts.add(StandardOpenOption.READ);
    }
    if (wantWrite) {
      opts.add(StandardOpenOption.WRITE);
    }
    if (!exists) {
      opts.add(StandardOpenOption.CREATE_NEW);
      opts.add(StandardOpenOption.WRITE);
    }
    FileChannel ch = FileChannel.open(p, opts);
    if (!exists && !wantWrite) {
      // created the file; hand out a channel that matches the rights asked for
      ch.close();
      opts.remove(StandardOpenOption.CREATE_NEW);
      opts.remove(StandardOpenOption.WRITE);
      opts.add(StandardOpenOption.READ);
      ch = FileChannel.open(p, opts);
    }
    FileFd ff = new FileFd(r.root, p, ch, readable, wantWrite, newBase & FILE_RIGHTS, newInheriting);
    ff.fdFlags = fdflags;
    m.writeI32(resultPtr, allocate(ff));
    return Errno.SUCCESS;
  }

  private int pathCreateDirectory(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_CREATE_DIRECTORY);
    Resolved r = resolve(d, readPathArg(m, a[1], a[2]), false);
    if (r.isRoot() || Files.exists(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.EXIST);
    }
    writable(r);
    Files.createDirectory(r.host);
    return Errno.SUCCESS;
  }

  private int pathFilestatGet(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_FILESTAT_GET);
    boolean follow = ((int) a[1] & LOOKUP_FOLLOW) != 0;
    Resolved r = resolve(d, readPathArg(m, a[2], a[3]), follow);
    trailingSlashCheck(r);
    writeFilestat(m, (int) a[4], r.host, false);
    return Errno.SUCCESS;
  }

  private static void trailingSlashCheck(Resolved r) throws WasiError {
    if (r.trailingSlash
        && Files.exists(r.host, NOFOLLOW)
        && !Files.isDirectory(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOTDIR);
    }
  }

  private int pathFilestatSetTimes(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_FILESTAT_SET_TIMES);
    boolean follow = ((int) a[1] & LOOKUP_FOLLOW) != 0;
    Resolved r = resolve(d, readPathArg(m, a[2], a[3]), follow);
    if (!Files.exists(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOENT);
    }
    setTimes(r.host, a[4], a[5], (int) a[6], r.root.readOnly, false);
    return Errno.SUCCESS;
  }

  private int pathLink(Memory m, long[] a) throws WasiError, IOException {
    DirFd oldDir = dir((int) a[0], R_PATH_LINK_SOURCE);
    boolean follow = ((int) a[1] & LOOKUP_FOLLOW) != 0;
    Resolved from = resolve(oldDir, readPathArg(m, a[2], a[3]), follow);
    DirFd newDir = dir((int) a[4], R_PATH_LINK_TARGET);
    Resolved to = resolve(newDir, readPathArg(m, a[5], a[6]), false);
    if (!Files.exists(from.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOENT);
    }
    if (Files.isDirectory(from.host, NOFOLLOW)) {
      throw new WasiError(Errno.PERM);
    }
    if (from.trailingSlash) {
      throw new WasiError(Errno.NOTDIR);
    }
    if (to.isRoot() || Files.exists(to.host, NOFOLLOW)) {
      throw new WasiError(Errno.EXIST);
    }
    if (to.trailingSlash) {
      throw new WasiError(Errno.NOENT);
    }
    writable(to);
    if (from.root != to.root) {
      throw new WasiError(Errno.XDEV);
    }
    Files.createLink(to.host, from.host);
    return Errno.SUCCESS;
  }

  private int pathReadlink(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_READLINK);
    Resolved r = resolve(d, readPathArg(m, a[1], a[2]), false);
    if (!Files.isSymbolicLink(r.host)) {
      throw new WasiError(Files.exists(r.host, NOFOLLOW) ? Errno.INVAL : Errno.NOENT);
    }
    byte[] target = Files.readSymbolicLink(r.host).toString().getBytes(StandardCharsets.UTF_8);
    int len = Math.min(target.length, (int) a[4]);
    m.write((int) a[3], target, 0, len);
    m.writeI32((int) a[5], len);
    return Errno.SUCCESS;
  }

  private int pathRemoveDirectory(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_REMOVE_DIRECTORY);
    Resolved r = resolve(d, readPathArg(m, a[1], a[2]), false);
    if (r.isRoot()) {
      throw new WasiError(Errno.INVAL);
    }
    if (!Files.exists(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOENT);
    }
    if (!Files.isDirectory(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOTDIR);
    }
    writable(r);
    Files.delete(r.host);
    return Errno.SUCCESS;
  }

  private int pathUnlinkFile(Memory m, long[] a) throws WasiError, IOException {
    DirFd d = dir((int) a[0], R_PATH_UNLINK_FILE);
    Resolved r = resolve(d, readPathArg(m, a[1], a[2]), false);
    if (r.isRoot()) {
      throw new WasiError(Errno.ISDIR);
    }
    if (!Files.exists(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOENT);
    }
    if (Files.isDirectory(r.host, NOFOLLOW)) {
      throw new WasiError(Errno.ISDIR);
    }
    if (r.trailingSlash) {
      throw new WasiError(Errno.NOTDIR);
    }
    writable(r);
    long freed = 0;
    if (r.root.quota != null && Files.isRegularFile(r.host, NOFOLLOW)
        && ((Number) Files.getAttribute(r.host, "unix:nlink", NOFOLLOW)).intValue() == 1) {
      freed = Files.size(r.host);
    }
    Files.delete(r.host);
    r.root.giveBack(freed);
    return Errno.SUCCESS;
  }

  private int pathRename(Memory m, long[] a) throws WasiError, IOException {
    DirFd oldDir = dir((int) a[0], R_PATH_RENAME_SOURCE);
    Resolved from = resolve(oldDir, readPathArg(m, a[1], a[2]), false);
    DirFd newDir = dir((int) a[3], R_PATH_RENAME_TARGET);
    Resolved to = resolve(newDir, readPathArg(m, a[4], a[5]), false);
    if (from.isRoot() || to.isRoot()) {
      throw new WasiError(Errno.INVAL);
    }
    if (!Files.exists(from.host, NOFOLLOW)) {
      throw new WasiError(Errno.NOENT);
    }
    boolean fromDir = Files.isDirectory(from.host, NOFOLLOW);
    boolean toExists = Files.exists(to.host, NOFOLLOW);
    boolean toDir = toExists && Files.isDirectory(to.host, NOFOLLOW);
    if (!fromDir && (from.trailingSlash || to.trailingSlash)) {
      throw new WasiError(Errno.NOTDIR);
    }
    if (toExists && fromDir && !toDir) {
      throw new WasiError(Errno.NOTDIR);
    }
    if (toExists && !fromDir && toDir) {
      throw new WasiError(Errno.ISDIR);
    }
    if (fromDir && isPrefix(from.rel, to.rel) && from.root == to.root && !from.rel.equals(to.rel)) {
      throw new WasiError(Errno.INVAL);
    }
    writable(from);
    writable(to);
    if (from.root != to.root) {
      throw new WasiError(Errno.XDEV);
    }
    Files.move(from.host, to.host, StandardCopyOption.ATOMIC_MOVE);
    return Errno.SUCCESS;
  }

  private static boolean isPrefix(List<String> prefix, List<String> list) {
    return list.size() >= prefix.size() && list.subList(0, prefix.size()).equals(prefix);
  }

  private int pathSymlink(Memory m, long[] a) throws WasiError, IOException {
    String target = readPathArg(m, a[0], a[1]);
    DirFd d = dir((int) a[2], R_PATH_SYMLINK);
    Resolved r = resolve(d, readPathArg(m, a[3], a[4]), false);
    if (r.isRoot() || Files.exists(r.host, NOFOLLOW)) {
      if (r.trailingSlash && !r.isRoot() && !Files.isDirectory(r.host, NOFOLLOW)) {
        throw new WasiError(Errno.NOTDIR);
      }
      throw new WasiError(Errno.EXIST);
    }
    if (r.trailingSlash) {
      throw new WasiError(Errno.NOENT);
    }
    writable(r);
    if (target.startsWith("/")) {
      // a link that could only ever resolve outside the sandbox
      throw new WasiError(Errno.NOTCAPABLE);
    }
    Files.createSymbolicLink(r.host, Path.of(target));
    return Errno.SUCCESS;
  }

  // ---------------------------------------------------------------- poll

  private int pollOneoff(Memory m, long[] a) throws WasiError {
    int in = (int) a[0];
    int out = (int) a[1];
    int n = (int) a[2];
    if (n == 0) {
      throw new WasiError(Errno.INVAL);
    }
    long minTimeout = Long.MAX_VALUE;
    List<int[]> ready = new ArrayList<>();
    List<Integer> clocks = new ArrayList<>();
    long[] deadlines = new long[n];
    for (int i = 0; i < n; i++) {
      int s = in + i * 48;
      int tag = m.read(s + 8);
      if (tag == 0) {
        int clock = m.readInt(s + 16);
        long timeout = m.readLong(s + 24);
        int flags = m.readShort(s + 40);
        long rel;
        if ((flags & 1) != 0) {
          rel = timeout - now(clock);
        } else {
          rel = timeout;
        }
        deadlines[i] = Math.max(0, rel);
        minTimeout = Math.min(minTimeout, deadlines[i]);
        clocks.add(i);
      } else {
        int fd = m.readInt(s + 16);
        int errno = fds.containsKey(fd) ? Errno.SUCCESS : Errno.BADF;
        ready.add(new int[] {i, errno, tag});
      }
    }
    int count = 0;
    if (ready.isEmpty() && minTimeout != Long.MAX_VALUE) {
      try {
        TimeUnit.NANOSECONDS.sleep(minTimeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ChicoryInterruptedException("interrupted in poll_oneoff");
      }
      for (int i : clocks) {
        if (deadlines[i] <= minTimeout) {
          writeEvent(m, out + count * 32, m.readLong(in + i * 48), Errno.SUCCESS, 0, 0);
          count++;
        }
      }
    } else {
      for (int[] r : ready) {
        long nbytes = 0;
        Fd fd = fds.get(m.readInt(in + r[0] * 48 + 16));
        if (fd instanceof FileFd && r[2] == 1) {
          try {
            FileChannel ch = ((FileFd) fd).channel;
            nbytes = Math.max(0, ch.size() - ch.position());
          } catch (IOException e) {
            nbytes = 0;
          }
        }
        writeEvent(m, out + count * 32, m.readLong(in + r[0] * 48), r[1], r[2], nbytes);
        count++;
      }
    }
    m.writeI32((int) a[3], count);
    return Errno.SUCCESS;
  }

  private static void writeEvent(Memory m, int p, long userdata, int errno, int type, long nbytes) {
    m.writeLong(p, userdata);
    m.writeShort(p + 8, (short) errno);
    m.writeByte(p + 10, (byte) type);
    m.writeLong(p + 16, nbytes);
    m.writeShort(p + 24, (short) 0);
  }

  // ---------------------------------------------------------------- errors

  static int errnoOf(Throwable e) {
    if (e instanceof NoSuchFileException) {
      return Errno.NOENT;
    }
    if (e instanceof FileAlreadyExistsException) {
      return Errno.EXIST;
    }
    if (e instanceof DirectoryNotEmptyException) {
      return Errno.NOTEMPTY;
    }
    if (e instanceof NotDirectoryException) {
      return Errno.NOTDIR;
    }
    if (e instanceof NotLinkException) {
      return Errno.INVAL;
    }
    if (e instanceof AccessDeniedException) {
      return Errno.ACCES;
    }
    if (e instanceof NonReadableChannelException || e instanceof NonWritableChannelException) {
      return Errno.BADF;
    }
    if (e instanceof FileSystemException) {
      String reason = ((FileSystemException) e).getReason();
      if (reason != null) {
        String r = reason.toLowerCase(java.util.Locale.ROOT);
        if (r.contains("is a directory")) {
          return Errno.ISDIR;
        }
        if (r.contains("not a directory")) {
          return Errno.NOTDIR;
        }
        if (r.contains("symbolic links")) {
          return Errno.LOOP;
        }
        if (r.contains("not empty")) {
          return Errno.NOTEMPTY;
        }
        if (r.contains("file exists")) {
          return Errno.EXIST;
        }
        if (r.contains("not permitted")) {
          return Errno.PERM;
        }
        if (r.contains("invalid argument")) {
          return Errno.INVAL;
        }
        if (r.contains("cross-device")) {
          return Errno.XDEV;
        }
        if (r.contains("no space")) {
          return Errno.NOSPC;
        }
        if (r.contains("too many links")) {
          return Errno.MLINK;
        }
        if (r.contains("read-only")) {
          return Errno.ROFS;
        }
      }
    }
    return Errno.IO;
  }
}
