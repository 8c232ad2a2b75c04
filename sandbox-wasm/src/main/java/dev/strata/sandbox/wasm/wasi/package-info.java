/**
 * Internal: an implementation of WASI preview1 ({@code wasi_snapshot_preview1}) over java.nio,
 * written for the sandbox: every path is resolved component by component inside its preopen
 * ({@code ..} and symlinks cannot leave it), read-only preopens refuse every write, and nothing of
 * the host (environment, clocks aside) is visible unless given. Not an API: use {@link
 * dev.strata.sandbox.wasm.WasmSandboxProvider}.
 */
@NullMarked
package dev.strata.sandbox.wasm.wasi;

import org.jspecify.annotations.NullMarked;
