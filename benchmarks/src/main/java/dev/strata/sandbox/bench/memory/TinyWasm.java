package dev.strata.sandbox.bench.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The smallest WASI command module: one 64 KiB page of memory (minimum and maximum 1), an empty
 * {@code _start}, no imports. Written byte by byte so the "1-page sandbox" of issue 3 is exactly
 * one page, whatever a compiler would add.
 */
public final class TinyWasm {

  private static final byte[] EMPTY_COMMAND = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: one func type () -> ()
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x05, 0x04, 0x01, 0x01, 0x01, 0x01, // memory section: limits min 1 max 1
    0x07, 0x13, 0x02, // export section, 2 exports
    0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // "memory" -> memory 0
    0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00, // "_start" -> func 0
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b // code section: one body, no locals, end
  };

  private TinyWasm() {}

  /** The module's bytes (a copy). */
  public static byte[] emptyCommand() {
    return EMPTY_COMMAND.clone();
  }

  /** Writes the module to a temp file deleted when the JVM exits. */
  public static Path writeTemp() throws IOException {
    Path f = Files.createTempFile("strata-bench-", ".wasm");
    Files.write(f, EMPTY_COMMAND);
    f.toFile().deleteOnExit();
    return f;
  }
}
