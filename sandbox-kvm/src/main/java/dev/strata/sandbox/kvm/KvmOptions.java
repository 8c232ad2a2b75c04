package dev.strata.sandbox.kvm;

import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@code kvm.*} options of a spec, parsed and checked. */
record KvmOptions(
    @Nullable Path kernel,
    @Nullable Path modules,
    boolean requireKvm,
    @Nullable Duration bootTimeout,
    int bootAttempts,
    List<String> extraKernelArgs) {

  static final Set<String> KNOWN =
      Set.of("kvm.kernel", "kvm.modules", "kvm.requireKvm", "kvm.bootTimeout", "kvm.bootAttempts", "kvm.append");

  static KvmOptions of(SandboxSpec spec) {
    for (Map.Entry<String, String> e : spec.options().entrySet()) {
      if (e.getKey().startsWith("kvm.") && !KNOWN.contains(e.getKey())) {
        throw new InvalidSpecException(
            "unknown option " + e.getKey() + " for the kvm backend; known options: " + KNOWN);
      }
    }
    Path kernel = spec.option("kvm.kernel").map(Path::of).orElse(null);
    if (kernel != null && !Files.isReadable(kernel)) {
      throw new InvalidSpecException("kvm.kernel (" + kernel + ") is not a readable file");
    }
    Path modules = spec.option("kvm.modules").map(Path::of).orElse(null);
    if (modules != null && !Files.isDirectory(modules)) {
      throw new InvalidSpecException("kvm.modules (" + modules + ") is not a directory");
    }
    boolean requireKvm = spec.option("kvm.requireKvm").map(v -> bool("kvm.requireKvm", v)).orElse(false);
    Duration bootTimeout = spec.option("kvm.bootTimeout").map(v -> Duration.ofSeconds(positive("kvm.bootTimeout", v, 600))).orElse(null);
    int attempts = spec.option("kvm.bootAttempts").map(v -> (int) positive("kvm.bootAttempts", v, 10)).orElse(3);
    List<String> append = spec.option("kvm.append")
        .map(v -> Arrays.stream(v.trim().split("\\s+")).filter(a -> !a.isEmpty()).toList())
        .orElse(List.of());
    return new KvmOptions(kernel, modules, requireKvm, bootTimeout, attempts, append);
  }

  private static boolean bool(String key, String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new InvalidSpecException(key + " (" + value + ") must be true or false");
  }

  private static long positive(String key, String value, long max) {
    try {
      long v = Long.parseLong(value.trim());
      if (v >= 1 && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidSpecException(key + " (" + value + ") must be a whole number from 1 to " + max);
  }
}
