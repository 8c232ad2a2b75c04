package dev.strata.sandbox.samples.serverless;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.pool.PoolStats;
import dev.strata.sandbox.pool.SandboxPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys functions and invokes them from warm pools. The tier comes from the function's {@link
 * Trust}; each function gets a {@link SandboxPool} that keeps {@code warm} sandboxes ready, so an
 * invocation usually only leases one. Every invocation is logged with its cold or warm start.
 *
 * <pre>{@code
 * try (FunctionRunner runner = new FunctionRunner(ResourceLimits.small())) {
 *   runner.deploy("shout", FunctionKind.WASM, Trust.UNTRUSTED, Files.readAllBytes(wasm), 2, 8);
 *   Invocation i = runner.invoke("shout", "hello".getBytes(UTF_8)).orElseThrow();
 *   System.out.println(i.result().stdoutText() + (i.cold() ? " (cold)" : " (warm)"));
 * }
 * }</pre>
 *
 * <p>Pools reset a returned sandbox when its backend can ({@link dev.strata.sandbox.spi.Resettable})
 * and otherwise replace it with a fresh one in the background; either way no state of one
 * invocation reaches the next.
 */
public final class FunctionRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionRunner.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  private static final String NATIVE_DIR = "/fn";

  /**
   * A microVM holds its own kernel: with 64 MiB ({@code ResourceLimits.small()}) the guest kernel
   * ran out of memory while booting on our CI host, so HARDWARE functions get at least this.
   */
  static final long MIN_VM_MEMORY_BYTES = 256L << 20;

  /** Latencies of one kind of start. */
  public record Latencies(long count, Duration mean, Duration max) {}

  /** What a deployed function is and has done. */
  public record FunctionStats(
      String name,
      FunctionKind kind,
      Trust trust,
      IsolationLevel isolation,
      long invocations,
      Latencies cold,
      Latencies warm,
      PoolStats pool) {}

  private static final class Deployed {
    final String name;
    final FunctionKind kind;
    final Trust trust;
    final IsolationLevel isolation;
    final Path directory;
    final Command command;
    final SandboxPool pool;
    final Counter cold = new Counter();
    final Counter warm = new Counter();

    Deployed(
        String name, FunctionKind kind, Trust trust, IsolationLevel isolation, Path directory, Command command,
        SandboxPool pool) {
      this.name = name;
      this.kind = kind;
      this.trust = trust;
      this.isolation = isolation;
      this.directory = directory;
      this.command = command;
      this.pool = pool;
    }

    FunctionStats stats() {
      Latencies c = cold.snapshot();
      Latencies w = warm.snapshot();
      return new FunctionStats(name, kind, trust, isolation, c.count() + w.count(), c, w, pool.stats());
    }
  }

  private static final class Counter {
    private long count;
    private long totalNanos;
    private long maxNanos;

    synchronized void add(Duration d) {
      count++;
      totalNanos += d.toNanos();
      maxNanos = Math.max(maxNanos, d.toNanos());
    }

    synchronized Latencies snapshot() {
      return new Latencies(
          count, Duration.ofNanos(count == 0 ? 0 : totalNanos / count), Duration.ofNanos(maxNanos));
    }
  }

  private final SandboxFactory factory;
  private final ResourceLimits limits;
  private final Path workDirectory;
  private final Map<String, Deployed> functions = new ConcurrentHashMap<>();
  private Duration deployWait = Duration.ofSeconds(60);

  /** A runner with its own factory (every backend on the class path) and these limits per invocation. */
  public FunctionRunner(ResourceLimits limits) {
    this(SandboxFactory.builder(), limits);
  }

  /**
   * A runner whose factory is built from {@code factory} (add a {@link
   * dev.strata.sandbox.HostBudget}, listeners, a forced backend), with these limits per invocation.
   */
  public FunctionRunner(SandboxFactory.Builder factory, ResourceLimits limits) {
    this.limits = limits;
    this.factory = factory.build();
    try {
      this.workDirectory = Files.createTempDirectory("strata-functions-");
    } catch (IOException e) {
      this.factory.close();
      throw new UncheckedIOException(e);
    }
  }

  /** How long {@link #deploy} waits for the pool's warm sandboxes (default 60 s). */
  public FunctionRunner withDeployWait(Duration wait) {
    this.deployWait = wait;
    return this;
  }

  /** The factory behind the pools, for its metrics, budget and status. */
  public SandboxFactory factory() {
    return factory;
  }

  /**
   * Deploys (or replaces) a function and waits until {@code warm} sandboxes are ready for it.
   *
   * @param code a WASI command module, or a native program or script
   * @param warm sandboxes to keep warm (0 for none: every invocation is then a cold start)
   * @param maxSize the most sandboxes, and so concurrent invocations, the function may have
   * @throws IllegalArgumentException for a bad name, a bad module or a trust the kind cannot have
   * @throws dev.strata.sandbox.SandboxUnavailableException if the tier the trust needs is not
   *     available here (the message says why and how to enable it)
   */
  public FunctionStats deploy(String name, FunctionKind kind, Trust trust, byte[] code, int warm, int maxSize) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "function name (" + name + ") must be 1-32 of a-z, 0-9 and '-', starting with a letter or digit");
    }
    if (kind == FunctionKind.WASM
        && (code.length < 4 || code[0] != 0 || code[1] != 'a' || code[2] != 's' || code[3] != 'm')) {
      throw new IllegalArgumentException("function " + name + " is not a WebAssembly module (no \\0asm header)");
    }
    IsolationLevel level = trust.isolationFor(kind);
    Path dir = workDirectory.resolve(name + "-" + System.nanoTime());
    Command command;
    SandboxSpec.Builder spec;
    try {
      Files.createDirectories(dir);
      if (kind == FunctionKind.WASM) {
        Path module = write(dir.resolve(name + ".wasm"), code, false);
        command = Command.of(module.toString());
        spec = SandboxSpec.exactly(IsolationLevel.INSTRUCTION);
      } else {
        write(dir.resolve("main"), code, true);
        command = Command.of(NATIVE_DIR + "/main");
        // untrusted native code needs PROCESS at least; a microVM is fine where containers are not
        spec = level == IsolationLevel.PROCESS ? SandboxSpec.atLeast(level) : SandboxSpec.exactly(level);
        spec.withMount(Mount.readOnly(dir, NATIVE_DIR));
      }
    } catch (IOException e) {
      deleteTree(dir);
      throw new UncheckedIOException(e);
    }
    ResourceLimits fnLimits = limits;
    if (level == IsolationLevel.HARDWARE && limits.memoryBytes() < MIN_VM_MEMORY_BYTES) {
      fnLimits = limits.toBuilder().withMemoryBytes(MIN_VM_MEMORY_BYTES).build();
    }
    SandboxSpec built =
        spec.withLimits(fnLimits).withLabel("function", name).withLabel("trust", trust.name()).build();
    SandboxPool pool;
    try {
      factory.select(built); // fails now, with the reason and the fix, if no tier can serve it
      pool =
          SandboxPool.builder(factory, built)
              .withName("fn-" + name)
              .withMinIdle(warm)
              .withMaxSize(maxSize)
              .withAcquireTimeout(limits.timeout())
              .build();
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
    Deployed fn = new Deployed(name, kind, trust, level, dir, command, pool);
    Deployed old = functions.put(name, fn);
    if (old != null) {
      undeploy(old);
    }
    awaitWarm(fn, warm);
    LOG.info("deployed {} ({} {}) on {}: {}", name, trust, kind, level, pool.stats());
    return fn.stats();
  }

  private void awaitWarm(Deployed fn, int warm) {
    long deadline = System.nanoTime() + deployWait.toNanos();
    while (fn.pool.stats().idle() < warm && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Runs a function once with {@code input} as its stdin. What the function does wrong (a
   * non-zero exit, a timeout) is in the result.
   *
   * @return the invocation, or empty if no function has that name
   * @throws dev.strata.sandbox.CapacityExceededException if all its sandboxes stayed busy past the
   *     timeout
   * @throws SandboxException if the sandbox machinery failed; the sandbox is then discarded
   */
  public Optional<Invocation> invoke(String name, byte[] input) {
    Deployed fn = functions.get(name);
    if (fn == null) {
      return Optional.empty();
    }
    long t0 = System.nanoTime();
    SandboxPool.Lease lease = fn.pool.acquire();
    long t1 = System.nanoTime();
    try (lease) {
      Sandbox sandbox = lease.sandbox();
      ExecResult result = lease.exec(fn.command.withStdin(input));
      long t2 = System.nanoTime();
      Invocation inv =
          new Invocation(
              name, sandbox.isolationLevel(), sandbox.backend(), !lease.warm(), Duration.ofNanos(t1 - t0),
              Duration.ofNanos(t2 - t1), result);
      (inv.cold() ? fn.cold : fn.warm).add(inv.total());
      LOG.info(
          "{} on {} ({}): {} start, acquire {} ms + exec {} ms, {}{}",
          name,
          inv.isolation(),
          inv.backend(),
          inv.cold() ? "cold" : "warm",
          millis(inv.acquire()),
          millis(inv.exec()),
          result.status(),
          result.status() == ExecStatus.EXITED ? " " + result.exitCode() : "");
      return Optional.of(inv);
    } catch (SandboxException e) {
      lease.discard();
      throw e;
    }
  }

  static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e6);
  }

  /** Stats of one function, if deployed. */
  public Optional<FunctionStats> stats(String name) {
    return Optional.ofNullable(functions.get(name)).map(Deployed::stats);
  }

  /** Stats of every function, by name. */
  public List<FunctionStats> stats() {
    List<FunctionStats> out = new ArrayList<>();
    new TreeMap<>(functions).values().forEach(f -> out.add(f.stats()));
    return out;
  }

  /** Removes a function and closes its pool; false if there was none. */
  public boolean undeploy(String name) {
    Deployed fn = functions.remove(name);
    if (fn == null) {
      return false;
    }
    undeploy(fn);
    return true;
  }

  private static void undeploy(Deployed fn) {
    fn.pool.close();
    deleteTree(fn.directory);
  }

  /** Undeploys everything and closes the factory. */
  @Override
  public void close() {
    for (String name : List.copyOf(functions.keySet())) {
      undeploy(name);
    }
    factory.close();
    deleteTree(workDirectory);
  }

  private static Path write(Path file, byte[] content, boolean executable) throws IOException {
    Files.write(file, content);
    // world-readable: a rootless container or a microVM's agent may read it as another user
    Files.setPosixFilePermissions(
        file, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
    return file;
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException exc) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", root, e.getMessage());
    }
  }
}
