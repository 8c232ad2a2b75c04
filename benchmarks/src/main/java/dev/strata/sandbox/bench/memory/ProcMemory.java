package dev.strata.sandbox.bench.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Reads process and host memory from {@code /proc}. Linux only; unreadable entries are skipped. */
final class ProcMemory {

  /** Memory of a set of processes, in bytes. */
  record Usage(int processes, long rssBytes, long pssBytes, long qemuRssBytes) {}

  private final Path proc;

  ProcMemory(Path proc) {
    this.proc = proc;
  }

  static ProcMemory system() {
    return new ProcMemory(Path.of("/proc"));
  }

  boolean available() {
    return Files.isReadable(proc.resolve("meminfo"));
  }

  /** The pids alive now. */
  Set<Long> pids() {
    Set<Long> out = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : ds) {
        out.add(Long.parseLong(p.getFileName().toString()));
      }
    } catch (IOException e) {
      // an unreadable /proc: nothing to attribute
    }
    return out;
  }

  /** {@code MemAvailable} of {@code /proc/meminfo} in bytes, or -1. */
  long memAvailable() {
    return meminfo("MemAvailable:");
  }

  /**
   * Kernel memory that sandboxes cost outside any process: {@code Slab + KernelStack +
   * PageTables} (namespaces, mount tables, cgroups, task structs). Host-wide, so noisy.
   */
  long kernelBytes() {
    long slab = meminfo("Slab:");
    long stacks = meminfo("KernelStack:");
    long tables = meminfo("PageTables:");
    return slab < 0 || stacks < 0 || tables < 0 ? -1 : slab + stacks + tables;
  }

  long memTotal() {
    return meminfo("MemTotal:");
  }

  private long meminfo(String field) {
    try {
      for (String line : Files.readAllLines(proc.resolve("meminfo"), StandardCharsets.US_ASCII)) {
        if (line.startsWith(field)) {
          return kib(line);
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  /**
   * The memory of the processes started since {@code before} that belong to our sandboxes: those
   * descending from {@code self}, or whose command line or cgroup names one of {@code ids}. Other
   * tests on the same host start containers too; they are not counted.
   */
  Usage usageOfNew(Set<Long> before, long self, Collection<String> ids) {
    Map<Long, Long> parents = new HashMap<>();
    Set<Long> fresh = new HashSet<>();
    for (long pid : pids()) {
      long ppid = ppid(pid);
      if (ppid >= 0) {
        parents.put(pid, ppid);
      }
      if (!before.contains(pid) && pid != self) {
        fresh.add(pid);
      }
    }
    int count = 0;
    long rss = 0;
    long pss = 0;
    long qemu = 0;
    for (long pid : fresh) {
      if (!(descends(pid, self, parents) || namesOneOf(pid, ids))) {
        continue;
      }
      long[] rp = rssPss(pid);
      if (rp == null) {
        continue;
      }
      count++;
      rss += rp[0];
      pss += rp[1];
      if (read(proc.resolve(pid + "/cmdline")).contains("qemu-system")) {
        qemu += rp[0];
      }
    }
    return new Usage(count, rss, pss, qemu);
  }

  private static boolean descends(long pid, long ancestor, Map<Long, Long> parents) {
    long p = pid;
    for (int i = 0; i < 64 && p > 1; i++) {
      Long up = parents.get(p);
      if (up == null) {
        return false;
      }
      if (up == ancestor) {
        return true;
      }
      p = up;
    }
    return false;
  }

  private boolean namesOneOf(long pid, Collection<String> ids) {
    String text = read(proc.resolve(pid + "/cmdline")).replace('\0', ' ') + "\n" + read(proc.resolve(pid + "/cgroup"));
    for (String id : ids) {
      if (text.contains(id)) {
        return true;
      }
    }
    return false;
  }

  private long ppid(long pid) {
    String stat = read(proc.resolve(pid + "/stat"));
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return -1;
    }
    String[] f = stat.substring(close + 2).split(" ");
    return f.length > 1 ? Long.parseLong(f[1]) : -1;
  }

  /** RSS and PSS in bytes from {@code smaps_rollup}, falling back to {@code status} (RSS only). */
  private long[] rssPss(long pid) {
    String rollup = read(proc.resolve(pid + "/smaps_rollup"));
    long rss = -1;
    long pss = -1;
    for (String line : rollup.split("\n")) {
      if (line.startsWith("Rss:")) {
        rss = kib(line);
      } else if (line.startsWith("Pss:")) {
        pss = kib(line);
      }
    }
    if (rss < 0) {
      for (String line : read(proc.resolve(pid + "/status")).split("\n")) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        }
      }
    }
    if (rss < 0) {
      return null;
    }
    return new long[] {rss, pss < 0 ? rss : pss};
  }

  static long kib(String line) {
    String[] f = line.trim().split("\\s+");
    return Long.parseLong(f[1]) * 1024;
  }

  private static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
