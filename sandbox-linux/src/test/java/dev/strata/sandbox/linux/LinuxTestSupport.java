package dev.strata.sandbox.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.testing.CiRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared by the tier's tests: one provider, the runtime requirement, the leak check. */
final class LinuxTestSupport {

  static final LinuxSandboxProvider PROVIDER = new LinuxSandboxProvider();
  static final HardwareProfile HOST = HardwareProfile.detect();
  static final boolean ROOT = Posix.euid() == 0;

  private LinuxTestSupport() {}

  /** Fails in CI, skips elsewhere, when no OCI runtime can run containers here. */
  static void requireRuntime() {
    Availability a = PROVIDER.availability(HOST);
    CiRequirements.require(
        a.available(), "a working OCI runtime (apt-get install runc): " + a.describe());
  }

  static SandboxSpec.Builder spec() {
    return SandboxSpec.exactly(IsolationLevel.PROCESS);
  }

  static LinuxSandbox create(SandboxSpec spec) {
    return (LinuxSandbox) PROVIDER.create(spec, HOST);
  }

  static LinuxSandbox create() {
    return create(spec().build());
  }

  /** Everything of ours this JVM left on the host: bundles, containers, cgroups. */
  static List<String> leftovers() throws IOException {
    String mine = "strata-linux-" + ProcessHandle.current().pid() + "-";
    List<String> found = new ArrayList<>();
    Path base = LinuxSandboxProvider.baseDir(ROOT);
    Path bundles = base.resolve("bundles");
    if (Files.isDirectory(bundles)) {
      try (var l = Files.list(bundles)) {
        l.filter(p -> p.getFileName().toString().startsWith(mine)).forEach(p -> found.add("bundle " + p));
      }
    }
    for (var host : LinuxSandboxProvider.probe().working().values()) {
      for (String id : host.runtime().list(new com.fasterxml.jackson.databind.ObjectMapper())) {
        if (id.startsWith(mine)) {
          found.add(host.runtime().name() + " container " + id);
        }
      }
    }
    Path cg = Path.of("/sys/fs/cgroup");
    if (Files.isDirectory(cg)) {
      try (var controllers = Files.list(cg)) {
        for (Path c : controllers.toList()) {
          Path parent = c.resolve("strata");
          if (Files.isDirectory(parent)) {
            try (var l = Files.list(parent)) {
              l.filter(Files::isDirectory)
                  .filter(p -> p.getFileName().toString().startsWith(mine))
                  .forEach(p -> found.add("cgroup " + p));
            }
          }
        }
      }
    }
    return found;
  }

  static void assertNoLeftovers() throws IOException {
    assertEquals(List.of(), leftovers(), "resources left behind");
  }

  /** Inside: no capabilities, no_new_privs, a seccomp filter, and only fds 0-2 open. */
  static void assertConfined(LinuxSandbox sb) {
    String status = sb.exec(dev.strata.sandbox.Command.of("cat", "/proc/self/status")).stdoutText();
    assertContains(status, "CapEff:\t0000000000000000");
    assertContains(status, "NoNewPrivs:\t1");
    assertContains(status, "Seccomp:\t2");
    assertEquals("0\n1\n2\n", sb.exec(dev.strata.sandbox.Command.of("sh", "-c", "ls /proc/$$/fd")).stdoutText());
  }

  /** Nothing but PID 1 lives in the sandbox's PID namespace (after a timeout killed a tree). */
  static void assertOnlyInitLeft(LinuxSandbox sb) {
    List<Long> left = new ArrayList<>(ProcFs.inNamespace(ProcFs.pidNamespace(sb.initPid()).orElseThrow()));
    left.remove(sb.initPid());
    left.removeIf(pid -> !ProcFs.alive(pid));
    assertEquals(List.of(), left, "processes left in the sandbox after the timeout");
  }

  static void assertContains(String haystack, String needle) {
    assertTrue(haystack.contains(needle), () -> "expected <" + needle + "> in:\n" + haystack);
  }

  static void assertContains(String haystack, String needle, String why) {
    assertTrue(haystack.contains(needle), () -> why + ": expected <" + needle + "> in:\n" + haystack);
  }
}
