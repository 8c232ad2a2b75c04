/** Implementation details of the core; not an API, may change without notice. */
@NullMarked
package dev.strata.sandbox.internal;

import org.jspecify.annotations.NullMarked;
