package dev.strata.sandbox.kvm.agent;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * One message of the agent protocol: a type byte, a big-endian 32-bit length, the payload. The
 * same layout both ways; the guest side is {@code src/main/c/strata-agent.c}.
 */
record Frame(int type, byte[] payload) {

  // host -> guest
  static final int EXEC = 1;
  static final int STDIN = 2;
  static final int KILL = 3;
  static final int POWEROFF = 4;
  // guest -> host
  static final int READY = 10;
  static final int STDOUT = 11;
  static final int STDERR = 12;
  static final int EXIT = 13;
  static final int LOG = 14;

  /** Not a wire type: the connection ended (QEMU exited, the agent closed its port). */
  static final int END = -1;

  /** Guest payloads are bounded by the agent's 64 KiB reads; anything bigger is garbage. */
  static final int MAX_INCOMING = 1 << 20;

  static Frame end() {
    return new Frame(END, new byte[0]);
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(5 + payload.length);
    b.put((byte) type).putInt(payload.length).put(payload).flip();
    return b;
  }

  static Frame read(ReadableByteChannel in) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(5);
    readFully(in, header);
    header.flip();
    int type = header.get() & 0xff;
    int length = header.getInt();
    if (length < 0 || length > MAX_INCOMING) {
      throw new IOException("agent sent a frame of " + length + " bytes (type " + type + "): the stream is corrupt");
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    readFully(in, body);
    return new Frame(type, body.array());
  }

  private static void readFully(ReadableByteChannel in, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (in.read(b) < 0) {
        throw new EOFException("agent connection closed");
      }
    }
  }
}
