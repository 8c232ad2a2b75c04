/**
 * The harness's own raw baselines that belong to no tier: {@code ProcessBuilder} of {@code
 * /bin/true}, the cost of a bare fork and exec from the JVM.
 */
@NullMarked
package dev.strata.sandbox.bench.baseline;

import org.jspecify.annotations.NullMarked;
