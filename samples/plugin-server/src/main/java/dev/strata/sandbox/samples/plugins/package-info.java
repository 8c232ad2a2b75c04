/**
 * Sample: an HTTP server that loads untrusted plugins at run time. WASM plugins run through the
 * INSTRUCTION tier's plugin API ({@link dev.strata.sandbox.wasm.WasmPlugin}) with exactly two
 * granted host functions; native plugins (a script or a program) run in a PROCESS sandbox each. A
 * plugin that loops, floods or crashes costs only its own call: {@link
 * dev.strata.sandbox.samples.plugins.PluginServer} answers with what happened.
 */
@NullMarked
package dev.strata.sandbox.samples.plugins;

import org.jspecify.annotations.NullMarked;
