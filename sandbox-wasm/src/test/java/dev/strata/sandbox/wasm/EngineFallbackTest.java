package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** A function too big for one JVM method still runs on the compiler engine: interpreted. */
class EngineFallbackTest {

  /** A module exporting {@code big() -> i32}: 60,000 × (i32.const 1; drop), then 42. */
  static byte[] hugeFunctionModule() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0x00); // no locals
    for (int i = 0; i < 60_000; i++) {
      body.write(0x41); // i32.const 1
      body.write(0x01);
      body.write(0x1a); // drop
    }
    body.write(0x41); // i32.const 42
    body.write(42);
    body.write(0x0b); // end
    byte[] code = body.toByteArray();

    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
    m.writeBytes(new byte[] {0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f}); // type () -> i32
    m.writeBytes(new byte[] {0x03, 0x02, 0x01, 0x00}); // one function
    m.writeBytes(new byte[] {0x05, 0x03, 0x01, 0x00, 0x01}); // memory 1
    m.writeBytes(new byte[] {0x07, 0x07, 0x01, 0x03, 'b', 'i', 'g', 0x00, 0x00}); // export "big"
    byte[] entry = concat(leb(code.length), code);
    byte[] section = concat(new byte[] {0x01}, entry);
    m.write(0x0a);
    m.writeBytes(leb(section.length));
    m.writeBytes(section);
    return m.toByteArray();
  }

  private static byte[] leb(int value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    do {
      int b = value & 0x7f;
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aHugeFunctionRunsOnBothEngines() {
    byte[] module = hugeFunctionModule();
    // proof that the module needs the fallback: without it Chicory's compiler refuses it
    assertThrows(
        com.dylibso.chicory.wasm.ChicoryException.class,
        () ->
            com.dylibso.chicory.compiler.MachineFactoryCompiler.builder(
                    com.dylibso.chicory.wasm.Parser.parse(module))
                .withInterpreterFallback(com.dylibso.chicory.compiler.InterpreterFallback.FAIL)
                .compile());
    for (WasmEngine engine : WasmEngine.values()) {
      try (WasmPlugin p = WasmPlugin.builder(module, "huge.wasm").withEngine(engine).build()) {
        assertEquals(42, p.call("big")[0], engine.name());
      }
    }
  }
}
