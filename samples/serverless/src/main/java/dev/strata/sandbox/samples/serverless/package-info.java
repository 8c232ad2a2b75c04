/**
 * Sample: a serverless function runner. A function (a WASM module or a native program) is
 * deployed with a declared {@link dev.strata.sandbox.samples.serverless.Trust}, which picks its
 * tier; each function has a {@link dev.strata.sandbox.pool.SandboxPool} of warm sandboxes, and an
 * invocation runs the function with the request body as stdin. {@link
 * dev.strata.sandbox.samples.serverless.FunctionRunner} is the logic, {@link
 * dev.strata.sandbox.samples.serverless.FunctionServer} its HTTP face.
 */
@NullMarked
package dev.strata.sandbox.samples.serverless;

import org.jspecify.annotations.NullMarked;
