/**
 * The memory and density harness: a child JVM per tier that creates idle sandboxes through the
 * public API and measures what each costs (retained heap, host PSS and RSS, cgroup memory, QEMU
 * RSS) and how many fit in a budget.
 */
@NullMarked
package dev.strata.sandbox.bench.memory;

import org.jspecify.annotations.NullMarked;
