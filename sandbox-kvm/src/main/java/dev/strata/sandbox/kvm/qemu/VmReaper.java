package dev.strata.sandbox.kvm.qemu;

import dev.strata.sandbox.spi.SandboxIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what VMs of dead JVMs left behind: their run directories ({@code <tmp>/strata-kvm-<owner
 * pid>-<random>}) and any QEMU still running from one of them. A QEMU is killed only if its pid
 * file names it and its command line names the same directory, so a recycled pid is safe.
 */
public final class VmReaper {

  private static final Logger LOG = LoggerFactory.getLogger(VmReaper.class);

  private VmReaper() {}

  /** Reaps stale VMs under {@code runRoot}; returns how many run directories it removed. */
  public static int reap(Path runRoot, String backend) {
    String prefix = SandboxIds.PREFIX + backend + "-";
    List<Path> stale;
    try (Stream<Path> list = Files.list(runRoot)) {
      stale = list.filter(p -> p.getFileName().toString().startsWith(prefix))
          .filter(p -> SandboxIds.isStale(p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      LOG.debug("cannot list {} for stale VMs: {}", runRoot, e.toString());
      return 0;
    }
    for (Path dir : stale) {
      killQemu(dir);
      deleteTree(dir);
      LOG.info("reaped stale VM directory {} (its JVM is gone)", dir);
    }
    return stale.size();
  }

  private static void killQemu(Path dir) {
    Path pidFile = dir.resolve("qemu.pid");
    try {
      if (!Files.exists(pidFile)) {
        return;
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
      if (!Files.exists(cmdline)) {
        return;
      }
      String cmd = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
      if (!cmd.contains(dir.getFileName().toString())) {
        return;
      }
      ProcessHandle.of(pid).ifPresent(h -> {
        LOG.warn("killing stale QEMU {} of {}", pid, dir.getFileName());
        h.destroyForcibly();
      });
    } catch (IOException | RuntimeException e) {
      LOG.debug("stale QEMU of {} not killed: {}", dir, e.toString());
    }
  }

  /** Deletes a directory tree; what cannot be deleted is logged, not thrown. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.warn("cannot delete {}: {}", p, e.toString());
        }
      });
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }
}
