package dev.strata.sandbox;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One program to run in a sandbox: argv, extra environment, stdin, a timeout. Each {@code withX}
 * returns a new command.
 *
 * <pre>{@code
 * Command cmd = Command.of("wc", "-w").withStdin("one two three").withTimeout(Duration.ofSeconds(2));
 * }</pre>
 *
 * <p>By default stdout and stderr are collected into the {@link ExecResult} (up to {@link
 * ResourceLimits#maxOutputBytes()} each). For long jobs, {@link #withStdout(OutputStream)} and
 * {@link #withStderr(OutputStream)} stream them instead; the result then holds no output bytes.
 *
 * <p>What {@code argv[0]} names depends on the tier: a path inside the sandbox for PROCESS and
 * HARDWARE, and for INSTRUCTION a {@code .wasm} file on the host (or a module the backend
 * already knows).
 */
public final class Command {

  private final List<String> argv;
  private final Map<String, String> environment;
  private final byte @Nullable [] stdinBytes;
  private final @Nullable InputStream stdinStream;
  private final @Nullable Duration timeout;
  private final @Nullable String workingDirectory;
  private final @Nullable OutputStream stdoutSink;
  private final @Nullable OutputStream stderrSink;

  private Command(
      List<String> argv,
      Map<String, String> environment,
      byte @Nullable [] stdinBytes,
      @Nullable InputStream stdinStream,
      @Nullable Duration timeout,
      @Nullable String workingDirectory,
      @Nullable OutputStream stdoutSink,
      @Nullable OutputStream stderrSink) {
    this.argv = argv;
    this.environment = environment;
    this.stdinBytes = stdinBytes;
    this.stdinStream = stdinStream;
    this.timeout = timeout;
    this.workingDirectory = workingDirectory;
    this.stdoutSink = stdoutSink;
    this.stderrSink = stderrSink;
  }

  /**
   * A command with this argv.
   *
   * @throws IllegalArgumentException if argv is empty or holds a NUL character
   */
  public static Command of(String... argv) {
    return of(Arrays.asList(argv));
  }

  /** A command with this argv. */
  public static Command of(List<String> argv) {
    List<String> copy = List.copyOf(argv);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("argv must name a program: it is empty");
    }
    for (String arg : copy) {
      if (arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argv must not contain NUL characters");
      }
    }
    return new Command(copy, Map.of(), null, null, null, null, null, null);
  }

  public List<String> argv() {
    return argv;
  }

  /** Variables added to the sandbox's environment for this command only (they win on a clash). */
  public Map<String, String> environment() {
    return environment;
  }

  /** The per-command timeout, if set; otherwise the spec's {@link ResourceLimits#timeout()}. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** The directory to start in, if set; otherwise the spec's. */
  public Optional<String> workingDirectory() {
    return Optional.ofNullable(workingDirectory);
  }

  /** Whether stdin was given. Without it the payload reads end-of-file at once. */
  public boolean hasStdin() {
    return stdinBytes != null || stdinStream != null;
  }

  /**
   * A stream of stdin: a fresh one over the bytes given, or the stream given (readable once), or
   * an empty stream.
   */
  public InputStream openStdin() {
    if (stdinStream != null) {
      return stdinStream;
    }
    return new ByteArrayInputStream(stdinBytes == null ? new byte[0] : stdinBytes);
  }

  /** Where stdout is streamed, if it is streamed rather than collected. */
  public Optional<OutputStream> stdoutSink() {
    return Optional.ofNullable(stdoutSink);
  }

  /** Where stderr is streamed, if it is streamed rather than collected. */
  public Optional<OutputStream> stderrSink() {
    return Optional.ofNullable(stderrSink);
  }

  public Command withStdin(byte[] stdin) {
    return new Command(
        argv, environment, stdin.clone(), null, timeout, workingDirectory, stdoutSink, stderrSink);
  }

  /** Stdin as UTF-8 text. */
  public Command withStdin(String stdin) {
    return withStdin(stdin.getBytes(StandardCharsets.UTF_8));
  }

  /** Stdin read from a stream as the payload consumes it; the command can then run only once. */
  public Command withStdin(InputStream stdin) {
    return new Command(
        argv,
        environment,
        null,
        Objects.requireNonNull(stdin, "stdin"),
        timeout,
        workingDirectory,
        stdoutSink,
        stderrSink);
  }

  public Command withEnv(String name, String value) {
    if (name.isEmpty() || name.indexOf('=') >= 0) {
      throw new IllegalArgumentException(
          "environment variable name (" + name + ") must be non-empty and without '='");
    }
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(name, Objects.requireNonNull(value, "value"));
    return new Command(
        argv,
        Collections.unmodifiableMap(env),
        stdinBytes,
        stdinStream,
        timeout,
        workingDirectory,
        stdoutSink,
        stderrSink);
  }

  public Command withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
    }
    return new Command(
        argv, environment, stdinBytes, stdinStream, timeout, workingDirectory, stdoutSink,
        stderrSink);
  }

  public Command withWorkingDirectory(String workingDirectory) {
    if (!workingDirectory.startsWith("/")) {
      throw new IllegalArgumentException(
          "workingDirectory (" + workingDirectory + ") must be absolute");
    }
    return new Command(
        argv, environment, stdinBytes, stdinStream, timeout, workingDirectory, stdoutSink,
        stderrSink);
  }

  /** Streams stdout to {@code sink} as it is written, instead of collecting it. */
  public Command withStdout(OutputStream sink) {
    return new Command(
        argv, environment, stdinBytes, stdinStream, timeout, workingDirectory,
        Objects.requireNonNull(sink, "sink"), stderrSink);
  }

  /** Streams stderr to {@code sink} as it is written, instead of collecting it. */
  public Command withStderr(OutputStream sink) {
    return new Command(
        argv, environment, stdinBytes, stdinStream, timeout, workingDirectory, stdoutSink,
        Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public String toString() {
    return "Command" + argv;
  }
}
