package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.testing.FakeProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What operators see in JDK Mission Control: lifecycle events and the periodic tier status. */
class JfrEventsTest {

  @TempDir Path dir;

  @Test
  void createExecCloseAndTierStatusAreRecorded() throws Exception {
    Path file = dir.resolve("strata.jfr");
    try (SandboxFactory f =
            SandboxFactory.builder()
                .withoutServiceLoader()
                .withHardwareProfile(HardwareProfile.builder().build())
                .withProvider(FakeProvider.available("wasm", IsolationLevel.INSTRUCTION))
                .build();
        Recording recording = new Recording()) {
      // the factory registered the periodic hook before the recording starts, as in a service
      recording.enable("dev.strata.sandbox.Create");
      recording.enable("dev.strata.sandbox.Exec");
      recording.enable("dev.strata.sandbox.Close");
      recording.enable("dev.strata.sandbox.TierStatus").withPeriod(Duration.ofMillis(50));
      recording.start();
      Sandbox s = f.create(SandboxSpec.atLeast(IsolationLevel.INSTRUCTION).build());
      s.exec(Command.of("exit", "3"));
      Thread.sleep(1500); // JFR may take up to a second to start a newly enabled periodic event
      s.close();
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    RecordedEvent exec = only(events, "dev.strata.sandbox.Exec");
    assertEquals("EXITED", exec.getString("status"));
    assertEquals(3, exec.getInt("exitCode"));
    assertEquals("exit", exec.getString("program"));
    assertTrue(only(events, "dev.strata.sandbox.Create").getBoolean("success"));
    assertEquals(1, only(events, "dev.strata.sandbox.Close").getLong("execCount"));
    assertTrue(
        events.stream()
            .filter(e -> e.getEventType().getName().equals("dev.strata.sandbox.TierStatus"))
            .anyMatch(e -> e.getString("isolation").equals("INSTRUCTION") && e.getInt("live") == 1),
        "a periodic status with the live sandbox");
  }

  private static RecordedEvent only(List<RecordedEvent> events, String name) {
    List<RecordedEvent> of = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    assertEquals(1, of.size(), name + ": " + of);
    return of.get(0);
  }
}
