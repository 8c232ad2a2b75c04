package dev.strata.sandbox.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.spi.SandboxProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is refused before any VM starts, and what availability says. None of these boot a VM. */
class KvmSpecTest {

  static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

  @Test
  void isFoundByServiceLoader() {
    List<String> names = ServiceLoader.load(SandboxProvider.class).stream()
        .map(p -> p.get().name()).toList();
    assertTrue(names.contains("kvm"), names.toString());
    assertEquals(IsolationLevel.HARDWARE, new KvmSandboxProvider().isolationLevel());
  }

  @Test
  void refusesReadWriteMountsUnknownOptionsAndTinyMemory(@TempDir Path dir) {
    HardwareProfile host = HardwareProfile.detect();
    KvmSandboxProvider provider = new KvmSandboxProvider();
    InvalidSpecException rw = assertThrows(InvalidSpecException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE).withMount(Mount.readWrite(dir, "/w")).build(), host));
    assertTrue(rw.getMessage().contains("read-write mount"), rw.getMessage());
    InvalidSpecException option = assertThrows(InvalidSpecException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE).withOption("kvm.colour", "blue").build(), host));
    assertTrue(option.getMessage().contains("kvm.colour") && option.getMessage().contains("kvm.kernel"), option.getMessage());
    InvalidSpecException tiny = assertThrows(InvalidSpecException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE)
            .withLimits(ResourceLimits.defaults().toBuilder().withMemoryBytes(16L << 20).build()).build(), host));
    assertTrue(tiny.getMessage().contains("48 MiB"), tiny.getMessage());
    InvalidSpecException missing = assertThrows(InvalidSpecException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE).withOption("kvm.kernel", "/no/such/vmlinuz").build(), host));
    assertTrue(missing.getMessage().contains("/no/such/vmlinuz"), missing.getMessage());
    assertNoRunDirectories();
  }

  @Test
  void requireKvmRefusesTcgWithTheReason() {
    HardwareProfile host = KvmTestSupport.requireVmHost();
    KvmSandboxProvider provider = new KvmSandboxProvider();
    KvmSandboxProvider.Setup setup = provider.probe(host, null);
    org.junit.jupiter.api.Assumptions.assumeFalse(setup.kvm(), "KVM works here: nothing to refuse");
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> provider.create(
        SandboxSpec.exactly(IsolationLevel.HARDWARE).withOption("kvm.requireKvm", "true").build(), host));
    assertTrue(e.getMessage().contains("kvm.requireKvm=true") && e.getMessage().contains("TCG"), e.getMessage());
    Availability a = provider.availability(host);
    assertTrue(a.available());
    assertTrue(a.notes().stream().anyMatch(n -> n.startsWith("not accelerated (TCG)")), a.notes().toString());
    assertNoRunDirectories();
  }

  @Test
  void availabilityNamesWhatIsMissingAndTheFix() {
    HardwareProfile arm = HardwareProfile.builder().withArch(HardwareProfile.Arch.AARCH64).build();
    Availability onArm = new KvmSandboxProvider().availability(arm);
    assertFalse(onArm.available());
    assertTrue(onArm.reason().contains("x86_64"), onArm.reason());

    HardwareProfile x86 = HardwareProfile.detect();
    String before = System.getProperty(KvmSandboxProvider.BUSYBOX_PROPERTY);
    System.setProperty(KvmSandboxProvider.BUSYBOX_PROPERTY, "/no/such/busybox");
    try {
      Availability noBusybox = new KvmSandboxProvider().availability(x86);
      if (new KvmSandboxProvider().probe(x86, null).qemu() != null) {
        assertFalse(noBusybox.available());
        assertEquals("apt-get install busybox-static (or -Dstrata.kvm.busybox=/path/to/static/busybox)", noBusybox.fix());
      }
    } finally {
      restore(KvmSandboxProvider.BUSYBOX_PROPERTY, before);
    }

    String kernelBefore = System.getProperty(GuestKernel.KERNEL_PROPERTY);
    System.setProperty(GuestKernel.KERNEL_PROPERTY, "/no/such/vmlinuz-9.9");
    try {
      Availability noKernel = new KvmSandboxProvider().availability(x86);
      if (new KvmSandboxProvider().probe(x86, null).busybox() != null) {
        assertFalse(noKernel.available());
        assertTrue(noKernel.reason().contains("/no/such/vmlinuz-9.9"), noKernel.reason());
        assertTrue(noKernel.fix().contains("./scripts/provision-guest-kernel.sh"), noKernel.fix());
      }
    } finally {
      restore(GuestKernel.KERNEL_PROPERTY, kernelBefore);
    }
  }

  @Test
  void kernelArgumentsPinTheTscUnderTcgOnly() {
    List<String> tcg = KvmSandboxProvider.kernelArgs(false);
    assertTrue(tcg.stream().anyMatch(a -> a.matches("tsc_early_khz=\\d{6,7}")), tcg.toString());
    assertTrue(tcg.contains("panic=-1"));
    assertFalse(KvmSandboxProvider.kernelArgs(true).stream().anyMatch(a -> a.startsWith("tsc_early_khz")));
  }

  @Test
  void recognisesStaticBinaries() {
    assertTrue(HostFacts.isStaticElf(Path.of("/bin/busybox")) || !Files.exists(Path.of("/bin/busybox")));
    assertFalse(HostFacts.isStaticElf(Path.of("/bin/sh")), "/bin/sh is dynamically linked");
  }

  static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  static void assertNoRunDirectories() {
    String mine = "strata-kvm-" + ProcessHandle.current().pid() + "-";
    try (Stream<Path> list = Files.list(TMP)) {
      assertEquals(List.of(), list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(mine)).toList());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
