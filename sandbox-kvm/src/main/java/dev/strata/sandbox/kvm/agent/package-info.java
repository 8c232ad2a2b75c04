/** The host side of the guest agent protocol: framed messages over a virtio-serial port. */
@NullMarked
package dev.strata.sandbox.kvm.agent;

import org.jspecify.annotations.NullMarked;
