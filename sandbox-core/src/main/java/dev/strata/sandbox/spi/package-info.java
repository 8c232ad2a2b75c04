/**
 * The service-provider interface: what a backend implements to plug into {@link
 * dev.strata.sandbox.SandboxFactory}.
 *
 * <p>A backend ships a {@link dev.strata.sandbox.spi.SandboxProvider} named in {@code
 * META-INF/services/dev.strata.sandbox.spi.SandboxProvider}. Its sandboxes usually extend {@link
 * dev.strata.sandbox.spi.AbstractSandbox}, which keeps state, counts and idempotent close; {@link
 * dev.strata.sandbox.spi.OutputCollector} caps output the same way in every tier; {@link
 * dev.strata.sandbox.spi.SandboxIds} names resources so that a reaper can find those of dead JVMs.
 */
@NullMarked
package dev.strata.sandbox.spi;

import org.jspecify.annotations.NullMarked;
