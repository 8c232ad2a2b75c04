/**
 * Warm pools of sandboxes: {@link dev.strata.sandbox.pool.SandboxPool} keeps sandboxes of one
 * spec ready, leases them out, and resets or replaces them between users so that nothing leaks
 * from one lease to the next.
 */
@NullMarked
package dev.strata.sandbox.pool;

import org.jspecify.annotations.NullMarked;
