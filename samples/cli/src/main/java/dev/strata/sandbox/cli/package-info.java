/** The {@code strata} command line: doctor, run, demo. A sample of the SDK in use, too. */
@NullMarked
package dev.strata.sandbox.cli;

import org.jspecify.annotations.NullMarked;
