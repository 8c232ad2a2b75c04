package dev.strata.sandbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.SandboxFactory;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata doctor}: what this host can do and which backends can run here, with the fixes. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = "Show the host profile and every backend: available, or why not and the fix.",
    sortOptions = false)
final class DoctorCommand implements Callable<Integer> {

  private final StrataCli cli;

  @Option(names = "--json", description = "print JSON instead of text")
  boolean json;

  DoctorCommand(StrataCli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    try (SandboxFactory factory = cli.factories.get().build()) {
      HardwareProfile p = factory.hardwareProfile();
      List<BackendStatus> backends = factory.availability();
      if (json) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        cli.out.println(mapper.writeValueAsString(toJson(p, backends)));
      } else {
        print(cli.out, p, backends);
      }
      return backends.stream().anyMatch(BackendStatus::available) ? 0 : 1;
    }
  }

  static void print(PrintStream out, HardwareProfile p, List<BackendStatus> backends) {
    out.println("Host (L1)");
    row(out, "arch", p.arch().name().toLowerCase(java.util.Locale.ROOT));
    row(out, "cpus", String.valueOf(p.cpus()));
    row(out, "memory", Units.formatBytes(p.memoryBytes()));
    row(out, "host class", p.hostClass().name());
    row(out, "kernel", p.kernelRelease());
    row(out, "user", p.root() ? "root" : "not root");
    row(out, "kvm", p.kvm().name());
    row(out, "user namespaces", p.userNamespaces().name());
    row(out, "cgroups", p.cgroups().name());
    row(out, "seccomp", p.seccomp().name());
    row(out, "runtimes", p.runtimes().isEmpty() ? "none found" : String.join(", ", p.runtimes().entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList()));
    for (String note : p.notes()) {
      row(out, "note", note);
    }
    out.println();
    out.println("Backends (L2)");
    for (BackendStatus b : backends) {
      String level = b.level() == null ? "?" : b.level().name();
      var a = b.availability();
      out.printf("  %-6s %-12s %s%n", b.name(), level, a.available() ? "available" : "unavailable: " + a.reason());
      if (!a.available() && !a.fix().isEmpty()) {
        out.printf("  %-6s %-12s fix: %s%n", "", "", a.fix());
      }
      for (String note : a.notes()) {
        out.printf("  %-6s %-12s note: %s%n", "", "", note);
      }
    }
    if (backends.isEmpty()) {
      out.println("  none found on the class path");
    }
  }

  private static void row(PrintStream out, String key, String value) {
    out.printf("  %-16s %s%n", key, value);
  }

  static Map<String, Object> toJson(HardwareProfile p, List<BackendStatus> backends) {
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("arch", p.arch().name());
    host.put("cpus", p.cpus());
    host.put("memoryBytes", p.memoryBytes());
    host.put("hostClass", p.hostClass().name());
    host.put("kernelRelease", p.kernelRelease());
    host.put("root", p.root());
    host.put("kvm", p.kvm().name());
    host.put("userNamespaces", p.userNamespaces().name());
    host.put("cgroups", p.cgroups().name());
    host.put("seccomp", p.seccomp().name());
    Map<String, String> runtimes = new LinkedHashMap<>();
    p.runtimes().forEach((k, v) -> runtimes.put(k, v.toString()));
    host.put("runtimes", runtimes);
    host.put("notes", p.notes());
    List<Map<String, Object>> list =
        backends.stream()
            .map(
                b -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("name", b.name());
                  m.put("isolation", b.level() == null ? null : b.level().name());
                  m.put("available", b.available());
                  m.put("reason", b.availability().reason());
                  m.put("fix", b.availability().fix());
                  m.put("notes", b.availability().notes());
                  return m;
                })
            .toList();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("host", host);
    root.put("backends", list);
    return root;
  }
}
