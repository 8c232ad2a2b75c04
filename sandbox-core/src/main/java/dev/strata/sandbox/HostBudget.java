package dev.strata.sandbox;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a factory may hand out on this host: memory and CPU reserved by the sandboxes' limits, and
 * how many sandboxes of each tier may live at once. A factory with a budget admits a sandbox only
 * if its {@link ResourceLimits} fit in what is left, places it on a stronger tier when its own
 * tier is full (for {@link SandboxSpec#atLeast} specs), and otherwise refuses with {@link
 * CapacityExceededException} or waits, as configured.
 *
 * <pre>{@code
 * SandboxFactory factory = SandboxFactory.builder()
 *     .withBudget(HostBudget.forHost(HardwareProfile.detect()))
 *     .withAdmissionTimeout(Duration.ofSeconds(5))   // queue for up to 5 s instead of refusing
 *     .build();
 * }</pre>
 *
 * <p>Memory is reserved at each sandbox's {@link ResourceLimits#memoryBytes()}: give WASM
 * sandboxes a small limit if you want many of them.
 */
public final class HostBudget {

  private final long memoryBytes;
  private final long cpuMillis;
  private final Map<IsolationLevel, Integer> maxSandboxes;

  private HostBudget(Builder b) {
    this.memoryBytes = b.memoryBytes;
    this.cpuMillis = b.cpuMillis;
    this.maxSandboxes = Map.copyOf(b.maxSandboxes);
  }

  /**
   * A budget sized from the host: 90% of its memory, CPU limits overcommitted four times, and the
   * densities the tiers are built for (100,000 WASM, 1,000 containers, 100 VMs).
   */
  public static HostBudget forHost(HardwareProfile host) {
    long memory = host.memoryBytes() > 0 ? host.memoryBytes() / 10 * 9 : Long.MAX_VALUE;
    return builder()
        .withMemoryBytes(memory)
        .withCpuMillis(host.cpus() * 1000L * 4)
        .withMaxSandboxes(IsolationLevel.INSTRUCTION, 100_000)
        .withMaxSandboxes(IsolationLevel.PROCESS, 1_000)
        .withMaxSandboxes(IsolationLevel.HARDWARE, 100)
        .build();
  }

  /** An empty builder: no limit on anything until set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Memory the live sandboxes' limits may add up to. */
  public long memoryBytes() {
    return memoryBytes;
  }

  /** CPU (in thousandths) the live sandboxes' limits may add up to. */
  public long cpuMillis() {
    return cpuMillis;
  }

  /** How many sandboxes of {@code level} may live at once. */
  public int maxSandboxes(IsolationLevel level) {
    return maxSandboxes.getOrDefault(level, Integer.MAX_VALUE);
  }

  @Override
  public String toString() {
    return "HostBudget{memory=" + memoryBytes + ", cpuMillis=" + cpuMillis + ", max=" + maxSandboxes + '}';
  }

  /** Builds a {@link HostBudget}. */
  public static final class Builder {
    private long memoryBytes = Long.MAX_VALUE;
    private long cpuMillis = Long.MAX_VALUE;
    private final Map<IsolationLevel, Integer> maxSandboxes = new EnumMap<>(IsolationLevel.class);

    private Builder() {}

    public Builder withMemoryBytes(long memoryBytes) {
      if (memoryBytes <= 0) {
        throw new IllegalArgumentException("memoryBytes (" + memoryBytes + ") must be positive");
      }
      this.memoryBytes = memoryBytes;
      return this;
    }

    public Builder withCpuMillis(long cpuMillis) {
      if (cpuMillis <= 0) {
        throw new IllegalArgumentException("cpuMillis (" + cpuMillis + ") must be positive");
      }
      this.cpuMillis = cpuMillis;
      return this;
    }

    public Builder withMaxSandboxes(IsolationLevel level, int max) {
      if (max < 0) {
        throw new IllegalArgumentException("max sandboxes (" + max + ") must not be negative");
      }
      maxSandboxes.put(Objects.requireNonNull(level), max);
      return this;
    }

    public HostBudget build() {
      return new HostBudget(this);
    }
  }
}
