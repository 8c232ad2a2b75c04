/** The default seccomp profile, as OCI seccomp JSON. Internal. */
@NullMarked
package dev.strata.sandbox.linux.seccomp;

import org.jspecify.annotations.NullMarked;
