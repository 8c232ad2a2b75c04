package dev.strata.sandbox.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The guest kernel image and, when it has loadable modules, its {@code lib/modules/<release>}
 * directory.
 *
 * <p>Where it comes from, first match wins: the spec option {@code kvm.kernel}; the system
 * property {@value #KERNEL_PROPERTY}; the directory that {@code scripts/provision-guest-kernel.sh}
 * fills ({@code $STRATA_KERNEL_CACHE}, {@code ~/.cache/strata/kernel}, {@code
 * /var/cache/strata/kernel}, each with a {@code current} link); the host's newest {@code
 * /boot/vmlinuz-*}.
 */
record GuestKernel(Path image, String release, @Nullable Path modulesDir, String source) {

  static final String KERNEL_PROPERTY = "strata.kvm.kernel";
  static final String PROVISION_FIX =
      "run ./scripts/provision-guest-kernel.sh (unpacks Debian's linux-image-cloud-amd64 into"
          + " ~/.cache/strata/kernel), or set the spec option kvm.kernel or -D" + KERNEL_PROPERTY
          + " to a kernel image";

  /** The kernel for this configured path (an option or property), with modules found beside it. */
  static GuestKernel configured(Path image, @Nullable Path modulesDir, String source) {
    String release = releaseOf(image);
    Path modules = modulesDir;
    if (modules == null && !release.isEmpty()) {
      Path parent = image.toAbsolutePath().getParent();
      Path beside = parent == null || parent.getParent() == null
          ? null : parent.getParent().resolve("lib/modules").resolve(release);
      if (beside != null && Files.isDirectory(beside)) {
        modules = beside;
      } else if (Files.isDirectory(Path.of("/lib/modules", release))) {
        modules = Path.of("/lib/modules", release);
      }
    }
    return new GuestKernel(image, release, modules, source);
  }

  /** The first kernel found where no path is configured. */
  static Optional<GuestKernel> discover() {
    String property = System.getProperty(KERNEL_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Optional.of(configured(Path.of(property), null, "-D" + KERNEL_PROPERTY));
    }
    for (Path cache : cacheDirs()) {
      Path current = cache.resolve("current");
      Optional<Path> image = newestImage(current.resolve("boot"));
      if (image.isPresent()) {
        String release = releaseOf(image.get());
        Path modules = current.resolve("lib/modules").resolve(release);
        return Optional.of(new GuestKernel(
            image.get(), release, Files.isDirectory(modules) ? modules : null, "provisioned cache " + cache));
      }
    }
    return newestImage(Path.of("/boot")).map(p -> configured(p, null, "host /boot"));
  }

  /** Where the provisioning script may have put a kernel, in the order looked at. */
  static List<Path> cacheDirs() {
    List<Path> dirs = new ArrayList<>();
    String env = System.getenv("STRATA_KERNEL_CACHE");
    if (env != null && !env.isBlank()) {
      dirs.add(Path.of(env));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      dirs.add(Path.of(xdg, "strata", "kernel"));
    }
    dirs.add(Path.of(System.getProperty("user.home"), ".cache", "strata", "kernel"));
    dirs.add(Path.of("/var/cache/strata/kernel"));
    return dirs;
  }

  private static Optional<Path> newestImage(Path boot) {
    if (!Files.isDirectory(boot)) {
      return Optional.empty();
    }
    try (Stream<Path> list = Files.list(boot)) {
      return list.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
          .filter(Files::isReadable)
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String releaseOf(Path image) {
    String name = image.getFileName().toString();
    return name.startsWith("vmlinuz-") ? name.substring("vmlinuz-".length()) : "";
  }

  @Override
  public String toString() {
    return image + " (" + (release.isEmpty() ? "unknown release" : release) + ", from " + source + ")";
  }
}
