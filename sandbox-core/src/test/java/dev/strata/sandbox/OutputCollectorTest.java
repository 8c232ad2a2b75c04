package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.spi.OutputCollector;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutputCollectorTest {

  @Test
  void keepsUpToTheLimitAndFiresOnce() {
    AtomicInteger fired = new AtomicInteger();
    OutputCollector c = new OutputCollector(5, null, fired::incrementAndGet);
    c.write("abc".getBytes(), 0, 3);
    assertFalse(c.overflowed());
    c.write("defgh".getBytes(), 0, 5);
    c.write("ijk".getBytes(), 0, 3);
    assertTrue(c.overflowed());
    assertEquals(1, fired.get());
    assertArrayEquals("abcde".getBytes(), c.bytes());
  }

  @Test
  void streamsToASinkAndStillCaps() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputCollector c = new OutputCollector(4, sink, null);
    c.write("hello".getBytes(), 0, 5);
    assertEquals("hell", sink.toString());
    assertEquals(0, c.bytes().length);
    assertTrue(c.overflowed());
  }
}
