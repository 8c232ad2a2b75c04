/**
 * The claims harness behind {@code ./strata bench}: finds the JMH benchmarks that follow the
 * naming convention, runs those of every available tier with the mode's iteration counts, runs the
 * memory and density probes, and writes the claims report.
 */
@NullMarked
package dev.strata.sandbox.bench.harness;

import org.jspecify.annotations.NullMarked;
