package dev.strata.sandbox.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The official WASI testsuite (72 wasm32-wasip1 tests from ../shared/corpora/wasi-testsuite), run
 * in-process through {@link WasmSandbox}, the way {@code run_wasi_testsuite.py} runs a CLI: the
 * spec's {@code root} is copied to a temp dir and preopened as {@code /}, {@code env} is the whole
 * environment, {@code args} follow argv[0], and the exit code and (where given) stdout and stderr
 * must match. No test is excluded: 72 of 72 pass, on the compiler and on the interpreter.
 */
class WasiTestsuiteTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicContainer> wasiTestsuite() throws IOException {
    Path suite = Corpora.require("wasi-testsuite");
    List<Path> modules;
    try (Stream<Path> s = Files.list(suite.resolve("tests"))) {
      modules =
          s.map(d -> d.resolve("testsuite/wasm32-wasip1"))
              .filter(Files::isDirectory)
              .flatMap(WasiTestsuiteTest::wasmFiles)
              .sorted()
              .toList();
    }
    assertEquals(72, modules.size(), "the corpus holds 72 wasm32-wasip1 tests");
    return Stream.of(WasmEngine.values())
        .map(
            engine ->
                DynamicContainer.dynamicContainer(
                    engine.name().toLowerCase(java.util.Locale.ROOT),
                    modules.stream()
                        .map(
                            m ->
                                DynamicTest.dynamicTest(
                                    m.getParent().getParent().getParent().getFileName()
                                        + "/"
                                        + m.getFileName(),
                                    () -> runOne(m, engine.name())))));
  }

  private static Stream<Path> wasmFiles(Path dir) {
    try {
      return Files.list(dir).filter(p -> p.toString().endsWith(".wasm")).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void runOne(Path module, String engine) throws IOException {
    String base = module.getFileName().toString().replaceFirst("\\.wasm$", "");
    Path specFile = module.resolveSibling(base + ".json");
    JsonNode spec = Files.exists(specFile) ? JSON.readTree(specFile.toFile()) : JSON.createObjectNode();
    SandboxSpec.Builder sb =
        Wasm.spec()
            .withOption(WasmEngine.OPTION, engine)
            .withLimits(ResourceLimits.defaults().toBuilder().withTimeout(Duration.ofSeconds(60)).build());
    for (Map.Entry<String, JsonNode> e : spec.path("env").properties()) {
      sb.withEnv(e.getKey(), e.getValue().asText());
    }
    Path tmp = Files.createTempDirectory("strata-wasits-");
    try {
      if (spec.hasNonNull("root")) {
        Path root = tmp.resolve("root");
        copyTree(module.resolveSibling(spec.get("root").asText()), root);
        sb.withMount(Mount.readWrite(root, "/"));
      }
      List<String> argv = new ArrayList<>();
      argv.add(module.toString());
      spec.path("args").forEach(a -> argv.add(a.asText()));
      try (Sandbox sandbox = Wasm.sandbox(sb.build())) {
        ExecResult r = sandbox.exec(Command.of(argv));
        String detail = r + "\nstdout: " + r.stdoutText() + "\nstderr: " + r.stderrText();
        assertEquals(ExecStatus.EXITED, r.status(), detail);
        assertEquals(spec.path("exit_code").asInt(0), r.exitCode(), detail);
        if (spec.has("stdout")) {
          assertEquals(spec.get("stdout").asText(), r.stdoutText(), detail);
        }
        if (spec.has("stderr")) {
          assertEquals(spec.get("stderr").asText(), r.stderrText(), detail);
        }
      }
    } finally {
      WasmSandbox.deleteTree(tmp);
    }
  }

  /** Copies a fixture tree, symlinks as symlinks, leaving out {@code *.cleanup} leftovers. */
  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (file.getFileName().toString().endsWith(".cleanup")) {
              return FileVisitResult.CONTINUE;
            }
            Path target = to.resolve(from.relativize(file).toString());
            if (Files.isSymbolicLink(file)) {
              Files.createSymbolicLink(target, Files.readSymbolicLink(file));
            } else {
              Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
