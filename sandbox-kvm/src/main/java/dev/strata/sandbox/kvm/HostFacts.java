package dev.strata.sandbox.kvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Facts about the host the provider needs and {@link dev.strata.sandbox.HardwareProfile} does not give. */
final class HostFacts {

  private static final Logger LOG = LoggerFactory.getLogger(HostFacts.class);

  private HostFacts() {}

  /** The host TSC frequency in kHz: "@ 2.60GHz" of the model name, else "cpu MHz", else 2 GHz. */
  static long hostTscKhz() {
    try {
      String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
      Matcher model = Pattern.compile("model name\\s*:.*@\\s*([0-9.]+)GHz").matcher(cpuinfo);
      if (model.find()) {
        return Math.round(Double.parseDouble(model.group(1)) * 1_000_000);
      }
      Matcher mhz = Pattern.compile("cpu MHz\\s*:\\s*([0-9.]+)").matcher(cpuinfo);
      if (mhz.find()) {
        return Math.round(Double.parseDouble(mhz.group(1)) * 1000);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("host TSC frequency unknown: {}", e.toString());
    }
    return 2_000_000;
  }

  /** The group that may use /dev/kvm, or null when only its owner may. */
  static @Nullable Integer kvmGroup() {
    try {
      int mode = (Integer) Files.getAttribute(Path.of("/dev/kvm"), "unix:mode");
      if ((mode & 0060) != 0060) {
        return null;
      }
      return (Integer) Files.getAttribute(Path.of("/dev/kvm"), "unix:gid");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static @Nullable Path findOnPath(String name) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    return null;
  }

  /** An ELF executable without a program interpreter (PT_INTERP) is statically linked. */
  static boolean isStaticElf(Path file) {
    try {
      byte[] b = Files.readAllBytes(file);
      ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      if (b.length < 64 || buf.getInt(0) != 0x464c457f || b[4] != 2) {
        return false;
      }
      long phoff = buf.getLong(0x20);
      int phentsize = Short.toUnsignedInt(buf.getShort(0x36));
      int phnum = Short.toUnsignedInt(buf.getShort(0x38));
      for (int i = 0; i < phnum; i++) {
        if (buf.getInt((int) (phoff + (long) i * phentsize)) == 3) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
