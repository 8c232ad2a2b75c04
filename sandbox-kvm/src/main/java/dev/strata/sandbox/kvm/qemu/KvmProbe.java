package dev.strata.sandbox.kvm.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether KVM really runs a guest here. An openable {@code /dev/kvm} is not enough: under some
 * nested hypervisors QEMU aborts setting MSRs or the guest spins without progress. The probe boots
 * the guest kernel without an initramfs under {@code -accel kvm}; with {@code panic=-1} it must
 * reach its "no root" panic and make QEMU exit within a few seconds. The answer is cached per
 * QEMU and kernel for the life of the JVM.
 */
public final class KvmProbe {

  private static final Logger LOG = LoggerFactory.getLogger(KvmProbe.class);
  private static final Map<String, Result> CACHE = new ConcurrentHashMap<>();

  /** The probe's answer and, when KVM is unusable, why. */
  public record Result(boolean usable, String detail) {}

  private KvmProbe() {}

  public static Result probe(String qemu, Path kernel) {
    return CACHE.computeIfAbsent(qemu + "|" + kernel, k -> run(qemu, kernel));
  }

  private static Result run(String qemu, Path kernel) {
    Path log = null;
    long start = System.nanoTime();
    try {
      log = Files.createTempFile("strata-kvm-probe", ".log");
      Process p = new ProcessBuilder(List.of(
              qemu, "-M", "microvm,isa-serial=on", "-accel", "kvm", "-cpu", "host", "-m", "128M",
              "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
              "-kernel", kernel.toString(), "-append", "console=ttyS0 panic=-1 quiet", "-serial", "stdio"))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      boolean exited = p.waitFor(4, TimeUnit.SECONDS);
      if (!exited) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (exited && out.contains("Kernel panic")) {
        LOG.debug("KVM probe: guest kernel reached its panic in {} ms: KVM works", ms);
        return new Result(true, "guest kernel booted under KVM in " + ms + " ms");
      }
      String last = out.strip();
      last = last.isEmpty() ? "no console output" : last.substring(Math.max(0, last.lastIndexOf('\n') + 1));
      String detail = exited
          ? "QEMU with -accel kvm exited early: " + last
          : "a guest kernel under -accel kvm made no progress in 4 s (last: " + last + ")";
      LOG.info("/dev/kvm is present but unusable ({}); using TCG", detail);
      return new Result(false, detail);
    } catch (IOException e) {
      return new Result(false, "KVM probe failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, "KVM probe interrupted");
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException e) {
          LOG.debug("probe log {} left: {}", log, e.toString());
        }
      }
    }
  }
}
