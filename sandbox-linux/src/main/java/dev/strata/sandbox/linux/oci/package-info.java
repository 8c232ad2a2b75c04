/** OCI bundles ({@code config.json} written with Jackson) and calls of an OCI runtime's CLI. Internal. */
@NullMarked
package dev.strata.sandbox.linux.oci;

import org.jspecify.annotations.NullMarked;
