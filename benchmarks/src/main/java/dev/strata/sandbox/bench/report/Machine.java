package dev.strata.sandbox.bench.report;

import java.util.List;
import java.util.Map;

/**
 * The machine a run measured, as the report states it.
 *
 * @param host the host name
 * @param arch CPU architecture
 * @param cpus processors the JVM may use
 * @param memoryBytes host memory
 * @param kvm whether QEMU can use KVM here (else TCG)
 * @param kernel {@code uname -r}
 * @param cgroups the cgroup layout
 * @param root whether the harness ran as root
 * @param java the JVM's vendor and version
 * @param runtimes tool name to the first line of its {@code --version} (or why it is missing)
 * @param backends one line per backend: {@code linux (PROCESS): available}
 */
public record Machine(
    String host,
    String arch,
    int cpus,
    long memoryBytes,
    boolean kvm,
    String kernel,
    String cgroups,
    boolean root,
    String java,
    Map<String, String> runtimes,
    List<String> backends) {

  public Machine {
    runtimes = Map.copyOf(runtimes);
    backends = List.copyOf(backends);
  }

  /** {@code KVM} or {@code TCG (no usable /dev/kvm)}. */
  public String accel() {
    return kvm ? "KVM" : "TCG (no usable /dev/kvm)";
  }
}
