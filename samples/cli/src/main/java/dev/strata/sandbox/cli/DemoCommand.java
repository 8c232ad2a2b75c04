package dev.strata.sandbox.cli;

import dev.strata.sandbox.BackendStatus;
import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;


/**
 * {@code strata demo}: one small workload, a word count written once in C and built both as WASI
 * and as a static native binary, run on every tier this host has, with what each costs and
 * isolates. Unavailable tiers say why and how to enable them.
 */
@picocli.CommandLine.Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the same word count on every available tier and compare them.")
final class DemoCommand implements Callable<Integer> {

  static final String INPUT =
      "Strata runs untrusted code behind the isolation you pick in code.\n"
          + "WebAssembly in the JVM, a Linux container, or a microVM with its own kernel:\n"
          + "one API, three tiers, side by side.\n";
  static final String EXPECTED = wordCount(INPUT);

  private static final Map<IsolationLevel, String> ISOLATES =
      Map.of(
          IsolationLevel.INSTRUCTION, "memory-safe bytecode; no syscalls, only WASI calls granted",
          IsolationLevel.PROCESS, "namespaces, cgroups, seccomp, no capabilities; shares the host kernel",
          IsolationLevel.HARDWARE, "its own kernel in a VM; the host sees one QEMU process");

  private final StrataCli cli;

  DemoCommand(StrataCli cli) {
    this.cli = cli;
  }

  record Row(
      IsolationLevel level,
      String backend,
      String start,
      String firstRun,
      String warmRun,
      String memory,
      String result) {}

  /** What wc prints for {@code text}: lines, words, bytes. */
  static String wordCount(String text) {
    long lines = text.chars().filter(c -> c == '\n').count();
    long words = text.isBlank() ? 0 : text.trim().split("\\s+").length;
    return lines + " " + words + " " + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  @Override
  public Integer call() throws IOException {
    PrintStream out = cli.out;
    Path work = Files.createTempDirectory("strata-demo-");
    try (SandboxFactory factory = cli.factories.get().build()) {
      DoctorCommand.print(out, factory.hardwareProfile(), factory.availability());
      out.println();
      Path wasm = extract("wordcount.wasm", work);
      extract("wordcount-x86_64", work).toFile().setExecutable(true);
      Files.move(work.resolve("wordcount-x86_64"), work.resolve("wordcount"));
      out.println("Workload: wordcount.c, built once as WASI and once as a static x86_64 binary;");
      out.println("input: " + INPUT.length() + " bytes on stdin, expected output \"" + EXPECTED + "\".");
      out.println();

      List<Row> rows = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      boolean wasmOk = false;
      for (IsolationLevel level : IsolationLevel.values()) {
        Optional<BackendStatus> backend =
            factory.availability().stream()
                .filter(b -> b.level() == level && b.available())
                .findFirst();
        if (backend.isEmpty()) {
          missing.add(whyMissing(factory, level));
          continue;
        }
        out.printf("running on %s (%s)...%n", level.name().toLowerCase(Locale.ROOT), backend.get().name());
        Row row = runOn(factory, level, wasm, work);
        rows.add(row);
        wasmOk |= level == IsolationLevel.INSTRUCTION && row.result().startsWith("ok");
      }
      out.println();
      table(out, rows);
      if (!missing.isEmpty()) {
        out.println();
        out.println("Not on this host:");
        missing.forEach(m -> out.println("  " + m));
      }
      return wasmOk ? 0 : 1;
    } finally {
      deleteTree(work);
    }
  }

  private Row runOn(SandboxFactory factory, IsolationLevel level, Path wasm, Path work) {
    SandboxSpec.Builder spec =
        SandboxSpec.exactly(level)
            // 256 MiB: a microVM's kernel needs room to boot with the program copied in
            .withLimits(ResourceLimits.defaults())
            .withLabel("app", "strata-demo");
    String program = wasm.toString();
    if (level != IsolationLevel.INSTRUCTION) {
      spec.withMount(Mount.readOnly(work, "/demo"));
      program = "/demo/wordcount";
    }
    long t0 = System.nanoTime();
    try (Sandbox sandbox = factory.create(spec.build())) {
      long t1 = System.nanoTime();
      ExecResult first = sandbox.exec(Command.of(program).withStdin(INPUT));
      long t2 = System.nanoTime();
      ExecResult warm = sandbox.exec(Command.of(program).withStdin(INPUT));
      long t3 = System.nanoTime();
      String memory = sandbox.stats().memory().stream().mapToObj(Units::formatBytes).findFirst().orElse("?");
      return new Row(
          level, sandbox.backend(), millis(t1 - t0), millis(t2 - t1), millis(t3 - t2), memory,
          verdict(first) + (verdict(warm).equals(verdict(first)) ? "" : " / " + verdict(warm)));
    } catch (SandboxException e) {
      String why = e.getMessage().lines().findFirst().orElse("");
      return new Row(level, "-", millis(System.nanoTime() - t0), "-", "-", "-", "failed: " + why);
    }
  }

  private static String verdict(ExecResult r) {
    String got = r.stdoutText().trim();
    if (r.isSuccess() && got.equals(EXPECTED)) {
      return "ok: " + got;
    }
    return r.status() + (r.status() == dev.strata.sandbox.ExecStatus.EXITED ? " " + r.exitCode() : "")
        + " \"" + got + "\"" + (r.message() == null ? "" : " " + r.message());
  }

  private static String whyMissing(SandboxFactory factory, IsolationLevel level) {
    List<BackendStatus> of = factory.availability().stream().filter(b -> b.level() == level).toList();
    String name = level.name().toLowerCase(Locale.ROOT);
    if (of.isEmpty()) {
      return name + ": no backend on the class path";
    }
    BackendStatus b = of.get(0);
    return name + " (" + b.name() + "): " + b.availability().reason()
        + (b.availability().fix().isEmpty() ? "" : "\n      enable it with: " + b.availability().fix());
  }

  private static void table(PrintStream out, List<Row> rows) {
    String fmt = "%-12s %-7s %10s %10s %10s %12s  %-14s %s%n";
    out.printf(fmt, "tier", "backend", "start", "first run", "warm run", "host memory", "result", "isolation");
    for (Row r : rows) {
      out.printf(
          fmt, r.level().name().toLowerCase(Locale.ROOT), r.backend(), r.start(), r.firstRun(),
          r.warmRun(), r.memory(), r.result(), ISOLATES.get(r.level()));
    }
    out.println();
    out.println("start: creating the sandbox; first run: includes one-time work such as compiling the");
    out.println("module; warm run: the same command again in the same sandbox.");
  }

  private static String millis(long nanos) {
    double ms = nanos / 1e6;
    return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
  }

  private static Path extract(String resource, Path dir) {
    try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("the demo resource " + resource + " is missing from the jar");
      }
      Path target = dir.resolve(resource);
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
