/**
 * The HARDWARE tier: each sandbox is a QEMU microVM with its own Linux kernel, driven by a guest
 * agent over a virtio-serial port. Use it through {@link dev.strata.sandbox.SandboxFactory}; the
 * provider is {@link dev.strata.sandbox.kvm.KvmSandboxProvider}.
 *
 * <p>Spec options: {@code kvm.kernel} (a guest kernel image), {@code kvm.modules} (its
 * {@code lib/modules/<release>} directory), {@code kvm.requireKvm=true} (refuse TCG emulation),
 * {@code kvm.bootTimeout} (seconds per boot attempt), {@code kvm.bootAttempts}, {@code kvm.append}
 * (extra guest kernel arguments, for debugging).
 */
@NullMarked
package dev.strata.sandbox.kvm;

import org.jspecify.annotations.NullMarked;
