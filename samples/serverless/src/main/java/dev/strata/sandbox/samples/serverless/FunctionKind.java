package dev.strata.sandbox.samples.serverless;

/** What a function is made of. */
public enum FunctionKind {
  /** A WASI preview1 command module: stdin in, stdout out. */
  WASM,
  /** A Linux x86_64 program (static, so that it also runs in a microVM) or a script. */
  NATIVE
}
