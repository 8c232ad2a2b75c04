package dev.strata.sandbox.linux;

import static dev.strata.sandbox.linux.LinuxTestSupport.assertContains;
import static dev.strata.sandbox.linux.LinuxTestSupport.create;
import static dev.strata.sandbox.linux.LinuxTestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxClosedException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxState;
import dev.strata.sandbox.spi.SandboxProvider;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxSandboxBasicsTest {

  private static LinuxSandbox shared;

  @BeforeAll
  static void start() {
    LinuxTestSupport.requireRuntime();
    shared = create(spec().withEnv("GREETING", "hello").build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (shared != null) {
      shared.close();
    }
    LinuxTestSupport.assertNoLeftovers();
  }

  @Test
  void providerIsFoundByServiceLoaderAsLinuxProcess() {
    List<String> names =
        ServiceLoader.load(SandboxProvider.class).stream().map(p -> p.get().name()).toList();
    assertTrue(names.contains("linux"), names::toString);
    assertEquals(IsolationLevel.PROCESS, new LinuxSandboxProvider().isolationLevel());
  }

  @Test
  void availabilityNamesRuntimeAndWhyOthersAreNotUsed() {
    Availability a = LinuxTestSupport.PROVIDER.availability(LinuxTestSupport.HOST);
    assertTrue(a.available());
    String text = a.describe();
    assertTrue(text.contains("runtime: runc") || text.contains("runtime: crun"), text);
    if (LinuxSandboxProvider.probe().failures().containsKey("crun")) {
      // Debian's crun 1.8 on a hybrid host: the reason is crun's own words
      assertContains(text, "crun not used:");
    }
  }

  @Test
  void exitCodesAndStreamsStayApart() {
    ExecResult r = shared.exec(Command.of("sh", "-c", "echo out; echo err >&2; exit 7"));
    assertEquals(ExecStatus.EXITED, r.status());
    assertEquals(7, r.exitCode());
    assertEquals("out\n", r.stdoutText());
    assertEquals("err\n", r.stderrText());
    assertTrue(shared.exec(Command.of("/bin/true")).isSuccess());
    assertEquals(1, shared.exec(Command.of("false")).exitCode());
  }

  @Test
  void aSignalIsKilledNotAnExitCode() {
    ExecResult r = shared.exec(Command.of("sh", "-c", "kill -TERM $$"));
    assertEquals(ExecStatus.KILLED, r.status());
    assertContains(r.message(), "signal 15");
    ExecResult code = shared.exec(Command.of("sh", "-c", "exit 143"));
    assertEquals(ExecStatus.EXITED, code.status(), "an exit code of 128+n is not a signal");
    assertEquals(143, code.exitCode());
  }

  @Test
  void stdinReachesThePayload() {
    ExecResult r = shared.exec(Command.of("sh", "-c", "tr a-z A-Z; echo done").withStdin("abc\n"));
    assertEquals("ABC\ndone\n", r.stdoutText());
    ExecResult empty = shared.exec(Command.of("wc", "-c"));
    assertEquals("0", empty.stdoutText().trim(), "no stdin given: end-of-file at once");
    byte[] big = new byte[3 << 20];
    Arrays.fill(big, (byte) 'x');
    assertEquals(String.valueOf(big.length), shared.exec(Command.of("wc", "-c").withStdin(big)).stdoutText().trim());
  }

  @Test
  void environmentComesOnlyFromSpecAndCommand() {
    ExecResult r = shared.exec(Command.of("/usr/bin/env").withEnv("EXTRA", "1"));
    Set<String> vars = new TreeSet<>(r.stdoutText().lines().toList());
    // runc adds HOME from the container's /etc/passwd when the process has none
    vars.remove("HOME=/root");
    assertEquals(new TreeSet<>(List.of("EXTRA=1", "GREETING=hello")), vars);
  }

  @Test
  void workingDirectoryFromCommandOrSpec() {
    assertEquals("/tmp\n", shared.exec(Command.of("pwd").withWorkingDirectory("/tmp")).stdoutText());
    assertEquals("/\n", shared.exec(Command.of("pwd")).stdoutText());
  }

  @Test
  void missingProgramIsAResultNotAnException() {
    ExecResult r = shared.exec(Command.of("/no/such/program"));
    assertEquals(ExecStatus.EXITED, r.status());
    assertEquals(127, r.exitCode());
    assertContains(r.message().toLowerCase(java.util.Locale.ROOT), "no such file");
  }

  @Test
  void outputPastTheLimitStopsThePayload() {
    try (LinuxSandbox sb =
        create(spec().withLimits(ResourceLimits.defaults().toBuilder().withMaxOutputBytes(64 << 10).build()).build())) {
      ExecResult r = sb.exec(Command.of("sh", "-c", "cat /dev/zero"));
      assertEquals(ExecStatus.OUTPUT_LIMIT, r.status());
      assertEquals(64 << 10, r.stdout().length);
      assertTrue(sb.exec(Command.of("true")).isSuccess(), "the sandbox is still usable");
    }
  }

  @Test
  void streamedOutputGoesToTheSinks() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExecResult r =
        shared.exec(Command.of("sh", "-c", "echo a; echo b >&2").withStdout(out).withStderr(err));
    assertEquals(0, r.stdout().length);
    assertEquals("a\n", out.toString());
    assertEquals("b\n", err.toString());
  }

  @Test
  void scratchIsWritableAndCapped() {
    try (LinuxSandbox sb = create(spec().withScratch("/work", 1 << 20).build())) {
      ExecResult ok = sb.exec(Command.of("sh", "-c", "echo data > /work/f && cat /work/f"));
      assertEquals("data\n", ok.stdoutText());
      ExecResult full = sb.exec(Command.of("sh", "-c", "head -c 4000000 /dev/zero > /work/big"));
      assertNotEquals(0, full.exitCode());
      assertContains(full.stderrText(), "No space left on device");
    }
  }

  @Test
  void mountsAreReadOnlyUnlessAsked(@TempDir Path dir) throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Path rw = Files.createDirectory(dir.resolve("rw"));
    Files.writeString(ro.resolve("in.txt"), "from host");
    rw.toFile().setWritable(true, false);
    try (LinuxSandbox sb =
        create(spec().withMount(Mount.readOnly(ro, "/data")).withMount(Mount.readWrite(rw, "/out")).build())) {
      assertEquals("from host", sb.exec(Command.of("cat", "/data/in.txt")).stdoutText());
      ExecResult denied = sb.exec(Command.of("sh", "-c", "echo x > /data/new"));
      assertContains(denied.stderrText(), "Read-only file system");
      assertTrue(sb.exec(Command.of("sh", "-c", "echo written > /out/new")).isSuccess());
    }
    assertEquals("written\n", Files.readString(rw.resolve("new")));
  }

  @Test
  void closedSandboxRefusesCommandsAndCloseIsIdempotent() {
    LinuxSandbox sb = create();
    assertEquals(SandboxState.IDLE, sb.state());
    Path bundle = sb.bundle();
    assertTrue(Files.isDirectory(bundle));
    sb.close();
    sb.close();
    assertEquals(SandboxState.CLOSED, sb.state());
    assertFalse(Files.exists(bundle), "bundle removed");
    assertThrows(SandboxClosedException.class, () -> sb.exec(Command.of("true")));
  }

  @Test
  void badSpecsAreRejectedWithTheReason(@TempDir Path dir) {
    Map<SandboxSpec, String> cases =
        Map.of(
            spec().withOption("linux.frobnicate", "1").build(), "unknown option linux.frobnicate",
            spec().withOption("linux.runtime", "docker").build(), "linux.runtime (docker) must be one of",
            spec().withMount(Mount.readOnly(dir.resolve("missing"), "/data")).build(), "does not exist on the host",
            spec().withMount(Mount.readOnly(dir, "/proc/x")).build(), "would hide /proc",
            spec().withOption("linux.rootfs", dir.resolve("nope").toString()).build(), "is not a directory",
            spec().withOption("linux.tmpSize", "lots").build(), "linux.tmpSize (lots) must be a whole number",
            spec().withLimits(ResourceLimits.defaults().toBuilder().withMemoryBytes(1L << 50).build()).build(), "more than this host has",
            SandboxSpec.exactly(IsolationLevel.HARDWARE).build(), "asks for exactly HARDWARE");
    cases.forEach(
        (spec, message) -> {
          InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> create(spec), spec::toString);
          assertContains(e.getMessage(), message);
        });
  }

  @Test
  void forcingARuntimeThatFailsNamesWhy() {
    var failures = LinuxSandboxProvider.probe().failures();
    String broken = failures.containsKey("crun") ? "crun" : failures.containsKey("runc") ? "runc" : null;
    if (broken == null) {
      return; // both work here; the text of the unavailable case is checked below
    }
    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> create(spec().withOption("linux.runtime", broken).build()));
    assertContains(e.getMessage(), "linux.runtime=" + broken + " cannot be used on this host");
    assertContains(e.getMessage(), failures.get(broken));
  }

  @Test
  void limitsAreSetOnTheCgroup() throws Exception {
    if (!LinuxTestSupport.ROOT) {
      return; // rootless: no cgroup (see the rlimit tests)
    }
    ResourceLimits limits =
        ResourceLimits.defaults().toBuilder().withMemoryBytes(48L << 20).withCpuMillis(250).withMaxProcesses(20).build();
    try (LinuxSandbox sb = create(spec().withLimits(limits).build())) {
      var cg = sb.cgroup();
      if (cg.mode() == dev.strata.sandbox.linux.cgroup.ContainerCgroup.Mode.V1) {
        assertEquals(String.valueOf(48L << 20), read(cg.dir("memory").resolve("memory.limit_in_bytes")));
        Path memsw = cg.dir("memory").resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
          assertEquals(String.valueOf(48L << 20), read(memsw), "no swap beyond the memory limit");
        }
        assertEquals("25000", read(cg.dir("cpu").resolve("cpu.cfs_quota_us")));
        assertEquals("100000", read(cg.dir("cpu").resolve("cpu.cfs_period_us")));
        assertEquals("20", read(cg.dir("pids").resolve("pids.max")));
      } else {
        assertEquals(String.valueOf(48L << 20), read(cg.dir("").resolve("memory.max")));
        assertEquals("25000 100000", read(cg.dir("").resolve("cpu.max")));
        assertEquals("20", read(cg.dir("").resolve("pids.max")));
      }
      // and the payload is in it
      String self = sb.exec(Command.of("cat", "/proc/self/cgroup")).stdoutText();
      assertTrue(self.contains("pids:/") || self.contains("0::/"), self);
    }
  }

  private static String read(Path p) throws java.io.IOException {
    return Files.readString(p).trim();
  }

  @Test
  void aRootFileSystemOfYourOwn(@TempDir Path dir) throws Exception {
    Path busybox = Path.of("/bin/busybox");
    dev.strata.sandbox.testing.CiRequirements.require(
        Files.isExecutable(busybox), "a static busybox for a minimal rootfs (apt-get install busybox-static)");
    Path root = Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(root.resolve("bin"));
    Files.copy(busybox, root.resolve("bin/busybox"));
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
    Files.writeString(root.resolve("marker"), "my own root\n");
    root.toFile().setReadable(true, false);
    try (LinuxSandbox sb = create(spec().withOption("linux.rootfs", root.toString()).build())) {
      ExecResult r = sb.exec(Command.of("/bin/sh", "-c", "cat /marker; ls /usr 2>&1; echo x > /marker"));
      assertContains(r.stdoutText(), "my own root");
      assertContains(r.stdoutText(), "No such file", "the host's /usr is not bound into a root of your own");
      assertContains(r.stderrText(), "Read-only file system");
    }
    assertEquals("my own root\n", Files.readString(root.resolve("marker")));
  }

  @Test
  void aUserNamespaceOnRequestAlsoAsRoot() {
    try (LinuxSandbox sb = create(spec().withOption("linux.userns", "true").build())) {
      ExecResult r = sb.exec(Command.of("sh", "-c", "cat /proc/self/uid_map; id -u; echo ok > /tmp/f && cat /tmp/f"));
      assertTrue(r.isSuccess(), () -> r + " " + r.stderrText());
      List<String> lines = r.stdoutText().lines().toList();
      String[] map = lines.get(0).trim().split("\\s+");
      assertEquals("0", map[0]);
      if (LinuxTestSupport.ROOT) {
        assertEquals(String.valueOf(LinuxSandbox.USERNS_BASE), map[1], "root inside is an unprivileged uid outside");
      }
      assertEquals("0", lines.get(1));
      assertEquals("ok", lines.get(2));
    }
  }

  @Test
  void bubblewrapIsRefusedToRootWithTheReason() {
    if (!LinuxTestSupport.ROOT) {
      return; // BwrapDriverTest covers the non-root case
    }
    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> create(spec().withOption("linux.runtime", "bwrap").build()));
    assertContains(e.getMessage(), "linux.runtime=bwrap cannot be used on this host");
    assertContains(e.getMessage(), "bubblewrap is for non-root JVMs");
  }

  @Test
  void noRuntimeMeansUnavailableWithTheFix() {
    var probe =
        new LinuxSandboxProvider.Probe(
            Map.of(),
            null,
            Map.of("crun", "crun is not installed", "runc", "runc is not installed", "bwrap", "bwrap is not installed"),
            Map.of(),
            null,
            List.of());
    Availability a = LinuxSandboxProvider.availabilityOf(probe, true);
    assertFalse(a.available());
    assertEquals("apt-get install runc", a.fix());
    assertContains(a.describe(), "runc: runc is not installed");
    assertContains(a.describe(), "Fix: apt-get install runc");
  }

  @Test
  void statsReportMemoryOfTheSandbox() {
    if (!LinuxTestSupport.ROOT) {
      return; // rootless: no cgroup to read
    }
    Long mem = shared.stats().memoryBytes();
    assertTrue(mem != null && mem > 0, "cgroup memory: " + mem);
    ExecResult r = shared.exec(Command.of("sh", "-c", "head -c 1000000 /dev/zero | wc -c"));
    assertTrue(r.usage().cpu().isPresent());
    assertTrue(r.usage().peakMemory().isPresent());
  }

  @Test
  void commandsFromSeveralThreadsAllRun() throws Exception {
    List<ExecResult> results =
        java.util.stream.IntStream.range(0, 6)
            .mapToObj(i -> shared.execAsync(Command.of("sh", "-c", "echo " + i)))
            .toList()
            .stream()
            .map(f -> f.join())
            .toList();
    assertEquals(
        "0 1 2 3 4 5",
        results.stream().map(r -> r.stdoutText().trim()).collect(Collectors.joining(" ")));
  }
}
