package dev.strata.sandbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.testing.FakeProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StrataCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(List<FakeProvider> providers, String... args) {
    StrataCli cli =
        new StrataCli(
            () -> {
              SandboxFactory.Builder b =
                  SandboxFactory.builder()
                      .withoutServiceLoader()
                      .withHardwareProfile(HardwareProfile.builder().withCpus(2).build());
              providers.forEach(b::withProvider);
              return b;
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(new byte[0]));
    return cli.execute(args);
  }

  private static List<FakeProvider> allTiers() {
    return List.of(
        FakeProvider.available("wasm", IsolationLevel.INSTRUCTION),
        FakeProvider.unavailable("linux", IsolationLevel.PROCESS, "runc not found", "apt-get install runc"),
        FakeProvider.available("kvm", IsolationLevel.HARDWARE));
  }

  @Test
  void runParsesEveryOptionAndLeavesTheProgramsOwnAlone() {
    RunCommand run = new RunCommand(null);
    new CommandLine(run)
        .setStopAtPositional(true)
        .parseArgs(
            "--isolation", "process", "--env", "A=1", "--env", "B=x=y", "--dir", "/tmp::/data:ro",
            "--dir", "/srv", "--memory", "64m", "--cpus", "1.5", "--timeout", "2s", "--network",
            "loopback", "-o", "linux.runtime=runc", "prog", "--env", "-x");
    SandboxSpec spec = run.spec();
    assertEquals(IsolationLevel.PROCESS, spec.isolation());
    assertTrue(spec.exactIsolation());
    assertEquals("1", spec.environment().get("A"));
    assertEquals("x=y", spec.environment().get("B"));
    assertEquals(Mount.readOnly(Path.of("/tmp"), "/data"), spec.mounts().get(0));
    assertEquals(Mount.readWrite(Path.of("/srv"), "/srv"), spec.mounts().get(1));
    assertEquals(64L << 20, spec.limits().memoryBytes());
    assertEquals(1500, spec.limits().cpuMillis());
    assertEquals(Duration.ofSeconds(2), spec.limits().timeout());
    assertEquals(NetworkPolicy.LOOPBACK, spec.network());
    assertEquals("runc", spec.option("linux.runtime").orElseThrow());
    assertEquals(List.of("prog", "--env", "-x"), run.command);
  }

  @Test
  void wasmProgramsDefaultToTheInstructionTier() {
    RunCommand run = new RunCommand(null);
    new CommandLine(run).parseArgs("hello.wasm");
    assertEquals(IsolationLevel.INSTRUCTION, run.spec().isolation());
    RunCommand native_ = new RunCommand(null);
    new CommandLine(native_).parseArgs("/bin/true");
    assertEquals(IsolationLevel.PROCESS, native_.spec().isolation());
    assertFalse(native_.spec().exactIsolation());
  }

  @Test
  void exitCodeIsThePayloadsAndOutputPassesThrough() {
    assertEquals(0, run(allTiers(), "run", "--isolation", "instruction", "hello", "world"));
    assertEquals("hello world", out.toString(StandardCharsets.UTF_8));
    assertEquals(7, run(allTiers(), "run", "--isolation", "instruction", "exit", "7"));
    out.reset();
    assertEquals(0, run(allTiers(), "run", "--isolation", "instruction", "prog", "--env", "-x"));
    assertEquals("prog --env -x", out.toString(StandardCharsets.UTF_8), "options after PROGRAM are its own");
  }

  @Test
  void statusesMapToConventionalExitCodes() {
    assertEquals(124, run(allTiers(), "run", "--isolation", "hardware", "status", "TIMED_OUT"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("timed out: fake TIMED_OUT"), err.toString());
    assertEquals(137, run(allTiers(), "run", "--isolation", "hardware", "status", "OUT_OF_MEMORY"));
    assertEquals(137, run(allTiers(), "run", "--isolation", "hardware", "status", "KILLED"));
    assertEquals(137, run(allTiers(), "run", "--isolation", "hardware", "status", "OUTPUT_LIMIT"));
    assertEquals(134, run(allTiers(), "run", "--isolation", "instruction", "status", "TRAPPED"));
    assertEquals(124, run(allTiers(), "run", "--isolation", "instruction", "status", "FUEL_EXHAUSTED"));
  }

  @Test
  void aSandboxThatCannotBeMadeIs125WithTheReason() {
    assertEquals(125, run(allTiers(), "run", "--isolation", "process", "/bin/true"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("linux (PROCESS): unavailable: runc not found. Fix: apt-get install runc"), e);
  }

  @Test
  void atLeastMovesUpNeverDown() {
    assertEquals(0, run(allTiers(), "run", "--isolation", "process", "--at-least", "x"));
  }

  @Test
  void badUsageOfRunIs125AndSaysWhatIsWrong() {
    assertEquals(125, run(allTiers(), "run", "--memory", "lots", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("bad size 'lots'"), err.toString());
    assertEquals(125, run(allTiers(), "run", "--no-such-flag", "x"));
    assertEquals(125, run(allTiers(), "run"));
    assertEquals(125, run(allTiers(), "run", "--isolation", "vault", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("use instruction, process or hardware"));
  }

  @Test
  void forcedBackend() {
    assertEquals(0, run(allTiers(), "run", "--backend", "kvm", "--isolation", "instruction", "--at-least", "x"));
    assertEquals(125, run(allTiers(), "run", "--backend", "wasm", "--isolation", "hardware", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("never falls back to weaker isolation"));
  }

  @Test
  void doctorListsProfileAndEveryBackendWithTheFix() throws Exception {
    assertEquals(0, run(allTiers(), "doctor"));
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("Backends (L2)"), text);
    assertTrue(text.contains("linux  PROCESS      unavailable: runc not found"), text);
    assertTrue(text.contains("fix: apt-get install runc"), text);

    out.reset();
    assertEquals(0, run(allTiers(), "doctor", "--json"));
    JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertEquals(2, json.get("host").get("cpus").asInt());
    assertEquals(3, json.get("backends").size());
    assertEquals("apt-get install runc", json.get("backends").get(1).get("fix").asText());
  }

  @Test
  void doctorFailsWhenNothingIsAvailable() {
    assertEquals(1, run(List.of(), "doctor"));
  }

  @Test
  void units() {
    assertEquals(64L << 20, Units.parseBytes("64m"));
    assertEquals(2L << 30, Units.parseBytes("2GiB"));
    assertEquals(4096, Units.parseBytes("4096"));
    assertEquals(Duration.ofMillis(500), Units.parseDuration("500ms"));
    assertEquals(Duration.ofMillis(1500), Units.parseDuration("1.5s"));
    assertEquals(Duration.ofMinutes(2), Units.parseDuration("2m"));
    assertEquals(Duration.ofSeconds(3), Units.parseDuration("3"));
    assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("-1s"));
    assertEquals("1.5 MiB", Units.formatBytes(3L << 19));
  }

  @Test
  void dirParsing() {
    assertEquals(Mount.readWrite(Path.of("/a"), "/"), RunCommand.parseDir("/a::/"));
    assertEquals(Mount.readOnly(Path.of("/a"), "/b"), RunCommand.parseDir("/a::b:ro"));
    assertThrows(IllegalArgumentException.class, () -> RunCommand.parseDir("::/x"));
  }
}
