package dev.strata.sandbox.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What happens to sandboxes when their JVM dies, and to what it leaves behind. */
class LinuxLifecycleTest {

  @BeforeAll
  static void runtime() {
    LinuxTestSupport.requireRuntime();
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    LinuxTestSupport.assertNoLeftovers();
  }

  @Test
  void aKilledJvmTakesItsContainersAlongAndTheReaperClearsTheRest() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(java, "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName())
            .redirectErrorStream(true)
            .start();
    String line;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("strata-linux-"));
      assertTrue(line != null, "the child JVM did not report its sandbox");
      String[] parts = line.split(" ");
      String id = parts[0];
      long initPid = Long.parseLong(parts[1]);
      Path bundle = Path.of(parts[2]);
      String ns = ProcFs.pidNamespace(initPid).orElseThrow();
      assertTrue(ProcFs.inNamespace(ns).size() >= 2, "init and sleep run");

      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
      assertTrue(child.waitFor(10, TimeUnit.SECONDS));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<Long> alive;
      do {
        Thread.sleep(50);
        alive = ProcFs.inNamespace(ns).stream().filter(ProcFs::alive).toList();
      } while (!alive.isEmpty() && System.nanoTime() < deadline);
      assertEquals(List.of(), alive, "processes of the dead JVM's sandbox still run");

      // its bundle and runtime state stay until a provider reaps them
      assertTrue(Files.isDirectory(bundle));
      var host = LinuxSandboxProvider.probe().working().values().iterator().next();
      LinuxSandboxProvider.reapStale(host.runtime(), bundle.getParent());
      assertFalse(Files.exists(bundle), "stale bundle reaped");
      assertFalse(host.runtime().list(new com.fasterxml.jackson.databind.ObjectMapper()).contains(id), "stale container reaped");
      assertEquals(
          List.of(),
          dev.strata.sandbox.linux.cgroup.ContainerCgroup.of(LinuxSandbox.CGROUP_PARENT + "/" + id).existingDirs(),
          "stale cgroup reaped");
    } finally {
      child.destroyForcibly();
    }
  }
}
