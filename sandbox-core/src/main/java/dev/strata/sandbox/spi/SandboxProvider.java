package dev.strata.sandbox.spi;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;

/**
 * A sandbox backend, found by {@link java.util.ServiceLoader}. Implementations need a public
 * no-argument constructor and must be cheap to construct: real work (probing runtimes, reaping
 * stale resources) belongs in {@link #availability} or {@link #create}.
 */
public interface SandboxProvider extends AutoCloseable {

  /** A short lower-case name: {@code wasm}, {@code linux}, {@code kvm}. */
  String name();

  /** The isolation every sandbox of this provider gives. */
  IsolationLevel isolationLevel();

  /** Lower is preferred among providers of the same level. */
  default int priority() {
    return 0;
  }

  /**
   * Whether sandboxes can be made on this host, and if not, why and the exact fix. Called once per
   * factory; may probe (run a runtime's {@code --version}, try a container). Should not throw.
   */
  Availability availability(HardwareProfile host);

  /**
   * Makes a ready sandbox for {@code spec}, or throws and leaves nothing behind.
   *
   * @throws dev.strata.sandbox.InvalidSpecException if this backend cannot meet the spec
   * @throws dev.strata.sandbox.SandboxStartException if starting failed
   */
  Sandbox create(SandboxSpec spec, HardwareProfile host);

  /** Releases what the provider holds (caches, threads). Sandboxes still open stay usable or are closed. */
  @Override
  default void close() {}
}
