package dev.strata.sandbox;

/**
 * How strongly a sandbox separates its payload from the host, weakest first.
 *
 * <p>The order is the order of strength and of cost: {@link #INSTRUCTION} is the cheapest and the
 * weakest, {@link #HARDWARE} the strongest and the dearest.
 */
public enum IsolationLevel {
  /** WebAssembly in this JVM: memory-safe instructions, only the host functions granted. */
  INSTRUCTION,
  /** A Linux process tree behind namespaces, cgroups, seccomp and dropped capabilities. */
  PROCESS,
  /** A virtual machine with its own kernel. */
  HARDWARE;

  /** Whether this level is as strong as {@code other} or stronger. */
  public boolean isAtLeast(IsolationLevel other) {
    return compareTo(other) >= 0;
  }

  /**
   * Parses {@code instruction}, {@code process} or {@code hardware}, in any case; the aliases
   * {@code wasm}, {@code container} and {@code vm} are accepted too.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static IsolationLevel parse(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "instruction":
      case "wasm":
        return INSTRUCTION;
      case "process":
      case "container":
        return PROCESS;
      case "hardware":
      case "vm":
        return HARDWARE;
      default:
        throw new IllegalArgumentException(
            "unknown isolation level '" + text + "': use instruction, process or hardware");
    }
  }
}
