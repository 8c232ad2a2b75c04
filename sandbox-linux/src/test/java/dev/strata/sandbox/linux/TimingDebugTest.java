package dev.strata.sandbox.linux;
import dev.strata.sandbox.*;
import org.junit.jupiter.api.Test;
class TimingDebugTest {
  @Test void timing() {
    var spec = LinuxTestSupport.spec().withNetwork(NetworkPolicy.LOOPBACK).build();
    LinuxTestSupport.create(spec).close();
    for (int i = 0; i < 15; i++) {
      long t0 = System.nanoTime();
      OciSandbox sb = LinuxTestSupport.create(spec);
      long t1 = System.nanoTime();
      sb.exec(Command.of("/bin/true"));
      long t2 = System.nanoTime();
      sb.close();
      long t3 = System.nanoTime();
      System.out.printf("create %.1f exec %.1f close %.1f%n", (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6);
    }
  }
}
