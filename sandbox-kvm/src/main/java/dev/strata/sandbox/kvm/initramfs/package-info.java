/**
 * The guest's initramfs, written from Java as cpio {@code newc}: busybox, the kernel modules the
 * guest needs, the agent as {@code /init}, and the files of the spec's mounts.
 */
@NullMarked
package dev.strata.sandbox.kvm.initramfs;

import org.jspecify.annotations.NullMarked;
