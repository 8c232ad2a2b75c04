package dev.strata.sandbox.wasm;

/** A guest's linear memory, as a host function sees it. Out-of-range access traps the guest. */
public interface GuestMemory {

  /** {@code len} bytes from {@code ptr}. */
  byte[] read(int ptr, int len);

  /** Writes {@code data} at {@code ptr}. */
  void write(int ptr, byte[] data);

  /** {@code len} bytes from {@code ptr}, decoded as UTF-8. */
  String readString(int ptr, int len);

  /** The current size in bytes. */
  long size();
}
