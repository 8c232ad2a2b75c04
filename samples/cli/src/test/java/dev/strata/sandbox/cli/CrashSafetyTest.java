package dev.strata.sandbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.testing.CiRequirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM holding sandboxes of every tier is killed with SIGKILL: nothing of theirs runs on for
 * long, and once the next factory has started, nothing of theirs is left on the host.
 */
class CrashSafetyTest {

  @TempDir Path dir;

  @Test
  void aKilledJvmLeavesNothingBehind() throws Exception {
    // the WASM tier's own test program that loops forever (tests run in the module directory)
    Path spin = dir.resolve("spin.wasm");
    Files.copy(Path.of("../../sandbox-wasm/src/test/resources/wasm/spin.wasm"), spin);
    List<String> expectedTiers = new ArrayList<>(List.of("wasm"));
    if (CiRequirements.inCi()) {
      expectedTiers.addAll(List.of("linux", "kvm"));
    }

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), spin.toString())
            .redirectErrorStream(true)
            .start();
    List<String> ids;
    try {
      ids = awaitReady(child);
    } catch (Exception e) {
      child.destroyForcibly();
      throw e;
    }
    for (String tier : expectedTiers) {
      assertTrue(ids.stream().anyMatch(id -> id.startsWith("strata-" + tier + "-")), tier + " sandbox in " + ids);
    }
    List<String> hostSide = ids.stream().filter(id -> !id.startsWith("strata-wasm-")).toList();
    assertTrue(hostSide.stream().allMatch(id -> !processesOf(id).isEmpty()) || hostSide.isEmpty(),
        "the child's containers and VMs run before the kill");

    child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
    assertTrue(child.waitFor(10, TimeUnit.SECONDS));

    // before any reaper: the sandboxes die with their JVM within seconds
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<String> alive = hostSide;
    while (System.nanoTime() < deadline) {
      alive = hostSide.stream().filter(id -> !processesOf(id).isEmpty()).toList();
      if (alive.isEmpty()) {
        break;
      }
      Thread.sleep(200);
    }
    assertEquals(List.of(), alive, "processes of a dead JVM's sandboxes still running");

    // the next factory's providers reap what is left on disk
    try (SandboxFactory next = SandboxFactory.create()) {
      next.availability();
      for (IsolationLevel level : IsolationLevel.values()) {
        next.isAvailable(level);
      }
    }
    for (String id : ids) {
      assertEquals(List.of(), leftovers(id), "files of " + id + " left after the next factory started");
    }
  }

  private static List<String> awaitReady(Process child) throws Exception {
    BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder log = new StringBuilder();
    CompletableFuture<List<String>> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = reader.readLine()) != null) {
                  log.append(line).append('\n');
                  if (line.startsWith("READY")) {
                    return Arrays.asList(line.substring(5).trim().split(" "));
                  }
                }
                throw new IllegalStateException("the child ended before READY:\n" + log);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      return ready.get(180, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the child did not get ready in 180 s:\n" + log, e);
    }
  }

  /** Pids whose command line or cgroup names the sandbox. */
  private static List<Long> processesOf(String id) {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String cmdline = read(p.resolve("cmdline")).replace('\0', ' ');
        String cgroup = read(p.resolve("cgroup"));
        if (cmdline.contains(id) || cgroup.contains(id)) {
          pids.add(Long.parseLong(p.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return pids;
  }

  /** Files, containers' state dirs and cgroups anywhere Strata or its runtimes keep them. */
  private static List<String> leftovers(String id) throws IOException {
    List<String> found = new ArrayList<>();
    List<Path> roots = new ArrayList<>(List.of(Path.of("/tmp"), Path.of("/run"), Path.of("/var/tmp"), Path.of("/sys/fs/cgroup")));
    roots.add(Path.of(System.getProperty("user.home"), ".cache"));
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> walk = Files.find(root, 6, (p, a) -> p.getFileName() != null && p.getFileName().toString().contains(id))) {
        walk.forEach(p -> found.add(p.toString()));
      } catch (IOException | java.io.UncheckedIOException e) {
        // a directory vanished or is unreadable while walking: not ours
      }
    }
    return found;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
