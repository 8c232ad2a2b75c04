package dev.strata.sandbox.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One microVM, booted once, takes every command of this class. */
class KvmSandboxTest {

  @TempDir static Path hostDir;

  static SandboxFactory factory;
  static Sandbox vm;
  static Path canary;

  @BeforeAll
  static void boot() throws Exception {
    KvmTestSupport.requireVmHost();
    canary = Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "strata-canary-" + UUID.randomUUID()),
        "host secret");
    Path data = Files.createDirectories(hostDir.resolve("data"));
    Files.writeString(data.resolve("input.txt"), "from the host\n");
    factory = SandboxFactory.builder().withBackend("kvm").build();
    vm = factory.create(SandboxSpec.exactly(IsolationLevel.HARDWARE)
        .withLimits(ResourceLimits.defaults().toBuilder()
            .withMemoryBytes(128L << 20)
            .withMaxOutputBytes(64 * 1024)
            .build())
        .withMount(Mount.readOnly(data, "/data"))
        .withScratch("/scratch", 1 << 20)
        .withEnv("GREETING", "hello")
        .build());
  }

  @AfterAll
  static void close() throws Exception {
    if (vm != null) {
      vm.close();
    }
    if (factory != null) {
      factory.close();
    }
    if (canary != null) {
      Files.deleteIfExists(canary);
    }
  }

  @Test
  void runsUnderItsOwnKernelNotTheHosts() {
    ExecResult r = vm.exec(Command.of("uname", "-r"));
    assertEquals(ExecStatus.EXITED, r.status(), r.toString());
    String guest = r.stdoutText().strip();
    assertEquals(((KvmSandbox) unwrap(vm)).guestRelease(), guest);
    assertNotEquals(System.getProperty("os.version"), guest, "the guest kernel must not be the host's");
    assertEquals("kvm", vm.backend());
    assertEquals(IsolationLevel.HARDWARE, vm.isolationLevel());
  }

  @Test
  void hasNoNetworkAtAll() {
    ExecResult links = vm.exec(Command.of("ip", "-o", "link"));
    assertEquals(1, links.stdoutText().strip().lines().count(), "only lo: " + links.stdoutText());
    assertFalse(links.stdoutText().contains("UP"), "and it is down: " + links.stdoutText());
  }

  @Test
  void reportsExitCodes() {
    assertEquals(0, vm.exec(Command.of("true")).exitCode());
    assertEquals(3, vm.exec(Command.of("sh", "-c", "exit 3")).exitCode());
    ExecResult missing = vm.exec(Command.of("/no/such/program"));
    assertEquals(127, missing.exitCode());
    assertTrue(missing.stderrText().contains("/no/such/program"), missing.stderrText());
  }

  @Test
  void keepsStderrApartFromStdout() {
    ExecResult r = vm.exec(Command.of("sh", "-c", "echo out; echo err >&2; echo out2"));
    assertEquals("out\nout2\n", r.stdoutText());
    assertEquals("err\n", r.stderrText());
  }

  @Test
  void passesStdinEnvironmentAndWorkingDirectory() {
    ExecResult r = vm.exec(Command.of("sh", "-c", "tr a-z A-Z; echo \"$GREETING $EXTRA\"; pwd")
        .withStdin("shout\n")
        .withEnv("EXTRA", "world")
        .withWorkingDirectory("/tmp"));
    assertEquals("SHOUT\nhello world\n/tmp\n", r.stdoutText());
  }

  @Test
  void passesBinaryStdinThroughUnchanged() {
    byte[] data = new byte[300_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    ExecResult r = vm.exec(Command.of("sh", "-c", "cat | md5sum").withStdin(data));
    String expected = md5(data);
    assertEquals(expected, r.stdoutText().split(" ")[0]);
  }

  @Test
  void killsTheWholeProcessGroupOnTimeout() {
    ExecResult r = vm.exec(Command.of("sh", "-c", "sleep 101 & sleep 102").withTimeout(Duration.ofSeconds(1)));
    assertEquals(ExecStatus.TIMED_OUT, r.status(), r.toString());
    assertTrue(r.duration().toMillis() < 15_000, "killed soon after the timeout, not after the 102 s sleep: " + r.duration());
    ExecResult ps = vm.exec(Command.of("ps"));
    assertFalse(ps.stdoutText().contains("sleep 10"), "no payload process survives: " + ps.stdoutText());
  }

  @Test
  void stopsAPayloadThatWritesTooMuch() {
    ExecResult r = vm.exec(Command.of("sh", "-c", "yes strata"));
    assertEquals(ExecStatus.OUTPUT_LIMIT, r.status(), r.toString());
    assertEquals(64 * 1024, r.stdout().length);
  }

  @Test
  void doesNotSeeTheHostsFiles() {
    ExecResult r = vm.exec(Command.of("cat", canary.toString()));
    assertNotEquals(0, r.exitCode());
    assertFalse(r.stdoutText().contains("host secret"));
    ExecResult ls = vm.exec(Command.of("ls", "/tmp", "/"));
    assertFalse(ls.stdoutText().contains(canary.getFileName().toString()), ls.stdoutText());
  }

  @Test
  void seesItsReadOnlyMountAndWritableScratch() {
    assertEquals("from the host\n", vm.exec(Command.of("cat", "/data/input.txt")).stdoutText());
    ExecResult write = vm.exec(Command.of("sh", "-c", "echo x > /data/new"));
    assertNotEquals(0, write.exitCode(), "the mount is read-only");
    ExecResult scratch = vm.exec(Command.of("sh", "-c", "echo kept > /scratch/f && cat /scratch/f"));
    assertEquals("kept\n", scratch.stdoutText());
    ExecResult full = vm.exec(Command.of("sh", "-c", "head -c 2000000 /dev/zero > /scratch/big"));
    assertNotEquals(0, full.exitCode(), "scratch is capped at 1 MiB");
  }

  @Test
  void streamsOutputToASink() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ExecResult r = vm.exec(Command.of("echo", "streamed").withStdout(sink));
    assertEquals(0, r.stdout().length);
    assertEquals("streamed\n", sink.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aBrokenOutputSinkKillsTheCommandButNotTheVm() {
    java.io.OutputStream broken = new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        throw new java.io.IOException("disk full");
      }
    };
    dev.strata.sandbox.SandboxException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.strata.sandbox.SandboxException.class,
        () -> vm.exec(Command.of("sh", "-c", "echo x; sleep 30").withStdout(broken)));
    assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    assertEquals("still here\n", vm.exec(Command.of("echo", "still here")).stdoutText());
  }

  @Test
  void searchesTheCommandsOwnPath() {
    ExecResult r = vm.exec(Command.of("sh", "-c", "mkdir -p /tmp/mybin && printf '#!/bin/sh\\necho mine\\n' > /tmp/mybin/mine"
        + " && chmod +x /tmp/mybin/mine"));
    assertEquals(0, r.exitCode(), r.stderrText());
    assertEquals("mine\n", vm.exec(Command.of("mine").withEnv("PATH", "/tmp/mybin:/bin")).stdoutText());
  }

  @Test
  void aGuestFloodingItsConsoleFillsNoHostDisk() throws Exception {
    ExecResult flood = vm.exec(Command.of("sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x > /dev/console")
        .withTimeout(Duration.ofSeconds(60)));
    assertEquals(0, flood.exitCode(), flood.stderrText());
    Path runDir = Path.of(System.getProperty("java.io.tmpdir"), vm.id());
    try (java.util.stream.Stream<Path> files = Files.list(runDir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (!name.equals("vmlinuz") && !name.equals("initramfs.cpio")) {
          assertTrue(Files.size(f) < 64 * 1024, f + " holds " + Files.size(f) + " bytes");
        }
      }
    }
    assertEquals("ok\n", vm.exec(Command.of("echo", "ok")).stdoutText());
  }

  @Test
  void reportsQemuMemoryInStats() {
    Long rss = vm.stats().memoryBytes();
    assertTrue(rss != null && rss > (4L << 20), "QEMU RSS: " + rss);
  }

  static Sandbox unwrap(Sandbox sandbox) {
    if (sandbox instanceof KvmSandbox) {
      return sandbox;
    }
    try {
      for (Class<?> c = sandbox.getClass(); c != null; c = c.getSuperclass()) {
        for (java.lang.reflect.Field f : c.getDeclaredFields()) {
          if (Sandbox.class.isAssignableFrom(f.getType())) {
            f.setAccessible(true);
            return unwrap((Sandbox) f.get(sandbox));
          }
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no KvmSandbox inside " + sandbox);
  }

  static String md5(byte[] data) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
