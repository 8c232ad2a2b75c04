package dev.strata.sandbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.testing.CiRequirements;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `strata demo` end to end, with the real backends on the class path. */
class DemoTest {

  @Test
  void expectedOutputIsWhatWcPrints() {
    assertEquals("3 32 179", DemoCommand.EXPECTED);
    assertEquals("1 2 8", DemoCommand.wordCount("one two\n"));
  }

  @Test
  void demoRunsTheWordCountOnEveryAvailableTier() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new StrataCli(
                SandboxFactory::builder,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]))
            .execute("demo");
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text + err);
    assertTrue(row("instruction", "wasm").matcher(text).find(), text);
    if (CiRequirements.inCi()) {
      // CI installs runc, QEMU and a guest kernel: every tier must give the right answer
      assertTrue(row("process", "linux").matcher(text).find(), text);
      assertTrue(row("hardware", "kvm").matcher(text).find(), text);
    }
  }

  private static Pattern row(String tier, String backend) {
    return Pattern.compile("(?m)^" + tier + "\\s+" + backend + "\\s.*ok: " + Pattern.quote(DemoCommand.EXPECTED));
  }
}
