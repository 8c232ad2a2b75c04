package dev.strata.sandbox.wasm;

import com.dylibso.chicory.wasm.types.ValType;

/** The WebAssembly number types a host function may take and return. */
public enum WasmValueType {
  I32(ValType.I32),
  I64(ValType.I64),
  F32(ValType.F32),
  F64(ValType.F64);

  final ValType chicory;

  WasmValueType(ValType chicory) {
    this.chicory = chicory;
  }
}
