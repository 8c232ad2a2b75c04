/**
 * The INSTRUCTION tier: WebAssembly sandboxes in this JVM, on Chicory. {@link
 * dev.strata.sandbox.wasm.WasmSandboxProvider} plugs into {@link dev.strata.sandbox.SandboxFactory};
 * {@link dev.strata.sandbox.wasm.WasmSandbox} runs WASI commands; {@link
 * dev.strata.sandbox.wasm.WasmPlugin} calls exported functions of a module loaded once.
 */
@NullMarked
package dev.strata.sandbox.wasm;

import org.jspecify.annotations.NullMarked;
