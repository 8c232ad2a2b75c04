/** QEMU itself: the command line, the process and its watchdogs, and the reaper of stale VMs. */
@NullMarked
package dev.strata.sandbox.kvm.qemu;

import org.jspecify.annotations.NullMarked;
