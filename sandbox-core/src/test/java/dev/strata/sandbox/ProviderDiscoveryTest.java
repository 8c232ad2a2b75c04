package dev.strata.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the core in a fresh class loader (as jimfs' ClassLoaderTest does) with a services file
 * naming a good provider, one whose constructor throws and one that does not exist: discovery
 * reports the broken two and keeps the good one.
 */
class ProviderDiscoveryTest {

  /** Found through the services file below. */
  public static final class GoodProvider extends dev.strata.sandbox.testing.FakeProvider {
    public GoodProvider() {
      super("good", IsolationLevel.INSTRUCTION, Availability.ok());
    }
  }

  /** Its constructor fails, as a provider with a missing dependency would. */
  public static final class ThrowingProvider extends dev.strata.sandbox.testing.FakeProvider {
    public ThrowingProvider() {
      super("throwing", IsolationLevel.PROCESS, Availability.ok());
      throw new IllegalStateException("native library missing");
    }
  }

  @TempDir Path services;

  @Test
  void brokenProvidersAreReportedAndHideNoOther() throws Exception {
    Path file = services.resolve("META-INF/services/dev.strata.sandbox.spi.SandboxProvider");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        ThrowingProvider.class.getName() + "\n"
            + "dev.strata.sandbox.NoSuchProvider\n"
            + GoodProvider.class.getName() + "\n");

    List<URL> urls = new ArrayList<>();
    urls.add(services.toUri().toURL());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    try (URLClassLoader fresh =
        new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      Class<?> factoryClass = fresh.loadClass(SandboxFactory.class.getName());
      assertNotSame(SandboxFactory.class, factoryClass, "really a fresh copy of the core");
      Object builder = factoryClass.getMethod("builder").invoke(null);
      builder.getClass().getMethod("withClassLoader", ClassLoader.class).invoke(builder, fresh);
      try (AutoCloseable factory = (AutoCloseable) builder.getClass().getMethod("build").invoke(builder)) {
        List<?> statuses = (List<?>) factoryClass.getMethod("availability").invoke(factory);
        List<String> lines = new ArrayList<>();
        for (Object s : statuses) {
          Method describe = s.getClass().getMethod("describe");
          lines.add((String) describe.invoke(s));
        }
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("good (INSTRUCTION): available", lines.get(0));
        assertTrue(
            lines.get(1).startsWith(ThrowingProvider.class.getName() + " (?): unavailable: provider failed to load: IllegalStateException: native library missing"),
            lines.get(1));
        assertTrue(lines.get(2).startsWith("dev.strata.sandbox.NoSuchProvider (?): unavailable: provider failed to load"), lines.get(2));
      }
    }
  }
}
