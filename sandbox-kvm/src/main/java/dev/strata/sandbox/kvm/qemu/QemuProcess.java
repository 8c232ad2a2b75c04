package dev.strata.sandbox.kvm.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running QEMU. It is started through {@code setpriv --pdeathsig KILL} (util-linux) so that
 * the kernel kills it when the JVM dies, and, when the JVM is root, with the uid and gid of {@code
 * nobody} so that an escape from QEMU lands in an unprivileged process.
 *
 * <p>The parent-death signal fires when the <em>thread</em> that forked the child ends, not the
 * process, so every QEMU is forked from one daemon thread that lives as long as the JVM.
 */
public final class QemuProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(QemuProcess.class);

  private static final ExecutorService LAUNCHER =
      Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strata-kvm-launcher");
        t.setDaemon(true);
        return t;
      });

  /** How much of the guest console is kept: enough for a panic and its backtrace. */
  static final int CONSOLE_KEPT = 64 * 1024;

  private final Process process;
  private final ConsoleTail console = new ConsoleTail(CONSOLE_KEPT);
  private final Path qemuLog;
  private final Thread consoleReader;

  private QemuProcess(Process process, Path qemuLog, String name) {
    this.process = process;
    this.qemuLog = qemuLog;
    this.consoleReader = new Thread(() -> console.readFrom(process.getInputStream()), name + "-console");
    consoleReader.setDaemon(true);
    consoleReader.start();
  }

  /** The console so far; once QEMU has exited, all of it (the reader gets a moment to finish). */
  private String consoleText() {
    if (!process.isAlive()) {
      try {
        consoleReader.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return console.text();
  }

  /** The last bytes of a stream, kept in a ring; the rest is read and dropped. */
  static final class ConsoleTail {
    private final byte[] ring;
    private long written;

    ConsoleTail(int size) {
      this.ring = new byte[size];
    }

    void readFrom(java.io.InputStream in) {
      byte[] buf = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          append(buf, n);
        }
      } catch (IOException e) {
        // QEMU exited: the tail is complete
      }
    }

    synchronized void append(byte[] b, int n) {
      for (int i = 0; i < n; i++) {
        ring[(int) (written++ % ring.length)] = b[i];
      }
    }

    synchronized String text() {
      int len = (int) Math.min(written, ring.length);
      byte[] out = new byte[len];
      long start = written - len;
      for (int i = 0; i < len; i++) {
        out[i] = ring[(int) ((start + i) % ring.length)];
      }
      return new String(out, StandardCharsets.UTF_8).replace("\r", "");
    }
  }

  /** How QEMU is wrapped: the launcher prefix and whether it drops to an unprivileged user. */
  public record Launcher(List<String> prefix, @Nullable String runAs) {

    /** {@code setpriv} with the parent-death signal, dropping to nobody when root; or nothing. */
    public static Launcher detect(boolean root, @Nullable Integer kvmGroup) {
      Path setpriv = findOnPath("setpriv");
      if (setpriv == null) {
        LOG.warn("setpriv (util-linux) not found: QEMU runs without a parent-death signal"
            + (root ? " and as root" : "") + "; install util-linux");
        return new Launcher(List.of(), null);
      }
      List<String> prefix = new ArrayList<>(List.of(setpriv.toString(), "--pdeathsig", "KILL"));
      String runAs = null;
      if (root) {
        prefix.addAll(List.of("--reuid", "65534", "--regid", "65534"));
        if (kvmGroup != null) {
          prefix.addAll(List.of("--groups", kvmGroup.toString()));
        } else {
          prefix.add("--clear-groups");
        }
        runAs = "nobody (65534)";
      }
      prefix.add("--");
      return new Launcher(List.copyOf(prefix), runAs);
    }
  }

  static @Nullable Path findOnPath(String name) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin:/bin:/usr/sbin:/sbin" : path).split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Starts QEMU with this command line. Its stdout is the guest console (see {@link
   * QemuCommand#withConsoleOnStdout()}), of which the last {@value #CONSOLE_KEPT} bytes are kept;
   * QEMU's own messages on stderr go to {@code qemuLog}.
   *
   * @throws IOException if the process could not be started
   */
  public static QemuProcess start(Launcher launcher, List<String> qemuCommand, Path qemuLog, String name)
      throws IOException {
    List<String> cmd = new ArrayList<>(launcher.prefix());
    cmd.addAll(qemuCommand);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.PIPE)
        .redirectError(qemuLog.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
    Future<Process> started = LAUNCHER.submit(pb::start);
    try {
      return new QemuProcess(started.get(), qemuLog, name);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting QEMU", e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** QEMU's exit code, or empty while it runs. */
  public OptionalLong exitCode() {
    return process.isAlive() ? OptionalLong.empty() : OptionalLong.of(process.exitValue());
  }

  /** Waits for QEMU to exit; true if it did. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Kills QEMU (SIGKILL) and waits for it. */
  public void kill() {
    if (process.isAlive()) {
      process.destroyForcibly();
      if (!waitFor(Duration.ofSeconds(5))) {
        LOG.warn("QEMU {} did not die within 5 s of SIGKILL", pid());
      }
    }
  }

  @Override
  public void close() {
    kill();
  }

  /** QEMU's resident set ({@code VmRSS} of {@code /proc/<pid>/status}), if it still runs. */
  public OptionalLong rssBytes() {
    Path status = Path.of("/proc", Long.toString(pid()), "status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("no RSS for QEMU {}: {}", pid(), e.toString());
    }
    return OptionalLong.empty();
  }

  /** The last {@code lines} lines of the guest console, for error messages. */
  public String consoleTail(int lines) {
    return lastLines(consoleText(), lines);
  }

  /**
   * The console's last {@code lines} lines, preceded by the lines that say why a guest died (a
   * panic, a BUG, an oops) when they scrolled out of that tail: what an error message needs.
   */
  public String consoleDiagnosis(int lines) {
    String all = consoleText();
    String[] split = all.split("\n");
    int from = Math.max(0, split.length - lines);
    StringBuilder why = new StringBuilder();
    for (int i = 0; i < from; i++) {
      if (split[i].matches(".*(Kernel panic|BUG:|Oops|sysrq: Trigger a crash|Out of memory|Unable to|not syncing).*")) {
        why.append(split[i]).append('\n');
      }
    }
    String tail = String.join("\n", java.util.Arrays.asList(split).subList(from, split.length));
    return why.length() == 0 ? tail : why + "...\n" + tail;
  }

  /** What QEMU itself printed (errors about its command line, files it could not open). */
  public String qemuOutput() {
    return tail(qemuLog, 20);
  }

  private static String lastLines(String text, int lines) {
    String[] all = text.split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
  }

  static String tail(Path file, int lines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      int take = (int) Math.min(len, 64 * 1024);
      byte[] b = new byte[take];
      f.seek(len - take);
      f.readFully(b);
      String[] all = new String(b, StandardCharsets.UTF_8).replace("\r", "").split("\n");
      int from = Math.max(0, all.length - lines);
      return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
    } catch (IOException e) {
      return "(" + file.getFileName() + " unreadable: " + e.getMessage() + ")";
    }
  }
}
