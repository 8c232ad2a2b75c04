package dev.strata.sandbox.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a container's processes through {@code /proc}: by the PID namespace they share with the
 * container's PID 1, or by parentage. Works the same with and without cgroups (rootless on v1).
 */
final class ProcFs {

  private static final Path PROC = Path.of("/proc");

  private ProcFs() {}

  /** The PID namespace of {@code pid}, like {@code pid:[4026532481]}; empty if it is gone. */
  static Optional<String> pidNamespace(long pid) {
    try {
      return Optional.of(Files.readSymbolicLink(PROC.resolve(pid + "/ns/pid")).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** Every process (host pid) in PID namespace {@code ns}. */
  static List<Long> inNamespace(String ns) {
    List<Long> pids = new ArrayList<>();
    for (long pid : allPids()) {
      if (pidNamespace(pid).map(ns::equals).orElse(false)) {
        pids.add(pid);
      }
    }
    return pids;
  }

  /** The host pid of the process that is {@code nsPid} inside namespace {@code ns}; -1 if none. */
  static long hostPid(String ns, long nsPid) {
    for (long pid : inNamespace(ns)) {
      try {
        for (String line : Files.readAllLines(PROC.resolve(pid + "/status"))) {
          if (line.startsWith("NSpid:")) {
            String[] ids = line.substring(6).trim().split("\\s+");
            if (Long.parseLong(ids[ids.length - 1]) == nsPid) {
              return pid;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    }
    return -1;
  }

  /** {@code root} and every process below it, parents first. */
  static Set<Long> tree(long root) {
    Map<Long, List<Long>> children = new HashMap<>();
    for (long pid : allPids()) {
      long ppid = parent(pid);
      if (ppid > 0) {
        children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(pid);
      }
    }
    Set<Long> out = new LinkedHashSet<>();
    Deque<Long> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      long p = todo.poll();
      if (out.add(p)) {
        todo.addAll(children.getOrDefault(p, List.of()));
      }
    }
    return out;
  }

  /** The parent pid, or -1 if the process is gone. */
  static long parent(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"));
      // pid (comm) state ppid ...; comm may hold spaces and parentheses: split after the last ')'
      String rest = stat.substring(stat.lastIndexOf(')') + 2);
      return Long.parseLong(rest.split(" ", 3)[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {@code alive}, {@code zombie} or {@code gone}, for messages. */
  static String describe(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' ? "zombie" : "alive (" + state + ")";
    } catch (IOException | RuntimeException e) {
      return "gone";
    }
  }

  /** Whether {@code pid} is alive and not a zombie. */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static List<Long> allPids() {
    List<Long> pids = new ArrayList<>();
    try (var dir = Files.newDirectoryStream(PROC)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
          try {
            pids.add(Long.parseLong(name));
          } catch (NumberFormatException e) {
            // not a process
          }
        }
      }
    } catch (IOException e) {
      // no /proc: nothing to find
    }
    return pids;
  }
}
