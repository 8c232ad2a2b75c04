package dev.strata.sandbox.bench.harness;

import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.bench.report.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Describes the host for the report: {@link HardwareProfile} plus the tools' versions. */
final class MachineProbe {

  private MachineProbe() {}

  static Machine describe(HardwareProfile hw, List<BackendStatus> backends) {
    Map<String, String> runtimes = new LinkedHashMap<>();
    runtimes.put("chicory", chicoryVersion());
    for (String tool : List.of("runc", "crun", "bwrap")) {
      runtimes.put(tool, version(hw, tool));
    }
    hw.arch().qemuBinary().ifPresent(q -> runtimes.put(q, version(hw, q)));
    return new Machine(
        hostName(),
        hw.arch().name().toLowerCase(java.util.Locale.ROOT),
        hw.cpus(),
        hw.memoryBytes(),
        kvmUsable(hw, backends),
        hw.kernelRelease(),
        hw.cgroups().name().toLowerCase(java.util.Locale.ROOT),
        hw.root(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        runtimes,
        backends.stream().map(BackendStatus::describe).toList());
  }

  /**
   * Whether VMs really run accelerated: {@code /dev/kvm} may exist and still fail (a nested host
   * whose KVM rejects QEMU's MSRs); the kvm backend's availability notes then say TCG.
   */
  static boolean kvmUsable(HardwareProfile hw, List<BackendStatus> backends) {
    if (!hw.kvm().isYes()) {
      return false;
    }
    for (BackendStatus b : backends) {
      if (b.name().equals("kvm") && b.available()) {
        return b.availability().notes().stream().noneMatch(n -> n.contains("TCG"));
      }
    }
    return true;
  }

  static String hostName() {
    try {
      String h = Files.readString(Path.of("/etc/hostname")).trim();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException ignored) {
      // not Linux or no file: ask the resolver
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private static String chicoryVersion() {
    try (InputStream in = MachineProbe.class.getResourceAsStream(
        "/META-INF/maven/com.dylibso.chicory/runtime/pom.properties")) {
      if (in == null) {
        return "not on the class path";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The first line of {@code tool --version}, or why there is none. */
  static String version(HardwareProfile hw, String tool) {
    Path path = hw.runtime(tool).orElse(null);
    String exe = path != null ? path.toString() : tool;
    try {
      Process p = new ProcessBuilder(exe, "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "no answer to --version";
      }
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      String first = text.isEmpty() ? "" : text.lines().findFirst().orElse("");
      return p.exitValue() == 0 ? first : "--version failed: " + first;
    } catch (IOException e) {
      return "not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
