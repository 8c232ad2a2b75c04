package dev.strata.sandbox;

/** What network a sandbox sees. Deny by default: {@link #NONE}. */
public enum NetworkPolicy {
  /** No network interface at all (WASM: no socket functions). */
  NONE,
  /** Only a private loopback interface of the sandbox's own; the host's loopback stays out of reach. */
  LOOPBACK
}
