/**
 * The harness's fallback benchmarks of the public API ({@code SandboxFactory}, {@code Sandbox}),
 * one {@code @Param} per tier. The harness runs them only for a tier whose own package has no
 * benchmark of the same name, so every available tier has a start-up figure even before its
 * engineers write theirs.
 */
@NullMarked
package dev.strata.sandbox.bench.api;

import org.jspecify.annotations.NullMarked;
