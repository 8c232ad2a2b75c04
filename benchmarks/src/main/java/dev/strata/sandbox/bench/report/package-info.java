/**
 * The claims report: parsing JMH's JSON results, the claims of the project and their targets,
 * verdicts, and the Markdown, JSON and SVG writers. No benchmark runs here; this package is pure
 * logic and unit tested on its own.
 */
@NullMarked
package dev.strata.sandbox.bench.report;

import org.jspecify.annotations.NullMarked;
