package dev.strata.sandbox.cli;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.ResourceLimits;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFactory;
import dev.strata.sandbox.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata run}: one program in one sandbox, streams passed through, the payload's exit code. */
@picocli.CommandLine.Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run PROGRAM in a sandbox. stdin, stdout and stderr pass through; the exit code is the"
          + " program's.",
      "With --isolation instruction, PROGRAM is a .wasm file on the host (argv[0] inside is its file"
          + " name). Otherwise PROGRAM is a path inside the sandbox, such as /bin/sh.",
      "Without --isolation: instruction for a .wasm PROGRAM, else the cheapest of process or"
          + " stronger.",
      "",
      "Exit codes: the program's own; 124 timeout or fuel exhausted; 125 the sandbox could not be"
          + " made (reason on stderr); 134 WebAssembly trap; 137 out of memory, output limit or"
          + " killed."
    },
    sortOptions = false)
final class RunCommand implements Callable<Integer> {

  private final StrataCli cli;

  @Option(
      names = "--isolation",
      paramLabel = "LEVEL",
      description = "instruction, process or hardware (exactly that tier; see --at-least)")
  @Nullable String isolation;

  @Option(names = "--at-least", description = "accept a stronger tier than --isolation when that one is unavailable")
  boolean atLeast;

  @Option(names = "--env", paramLabel = "K=V", description = "set a variable (nothing else is passed from the host)")
  List<String> env = new ArrayList<>();

  @Option(
      names = "--dir",
      paramLabel = "HOST::GUEST[:ro|:rw]",
      description = "share a host directory at GUEST (writable unless :ro, as wasmtime's --dir; HOST alone shares it at the same path)")
  List<String> dirs = new ArrayList<>();

  @Option(names = "--memory", paramLabel = "SIZE", description = "memory limit, such as 64m (default 256m)")
  @Nullable String memory;

  @Option(names = "--cpus", paramLabel = "N", description = "CPU limit, such as 0.5 or 2 (default 1)")
  @Nullable Double cpus;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "wall-clock limit, such as 10s or 500ms (default 60s)")
  @Nullable String timeout;

  @Option(names = "--fuel", paramLabel = "N", description = "WebAssembly instruction budget (instruction tier, interpreter)")
  @Nullable Long fuel;

  @Option(names = "--network", paramLabel = "POLICY", description = "none (default) or loopback")
  String network = "none";

  @Option(names = "--backend", paramLabel = "NAME", description = "force a backend: wasm, linux or kvm")
  @Nullable String backend;

  @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "a backend option, such as kvm.kernel=/path/vmlinuz")
  List<String> options = new ArrayList<>();

  @Parameters(arity = "1..*", paramLabel = "PROGRAM [ARGS...]", description = "the program and its arguments")
  List<String> command = new ArrayList<>();

  RunCommand(StrataCli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    SandboxSpec spec;
    try {
      spec = spec();
    } catch (IllegalArgumentException e) {
      cli.err.println("strata: " + e.getMessage());
      return ExitCodes.SANDBOX_ERROR;
    }
    SandboxFactory.Builder fb = cli.factories.get();
    if (backend != null) {
      fb.withBackend(backend);
    }
    try (SandboxFactory factory = fb.build();
        Sandbox sandbox = factory.create(spec)) {
      Command cmd =
          Command.of(command).withStdin(cli.in).withStdout(cli.out).withStderr(cli.err);
      ExecResult result = sandbox.exec(cmd);
      cli.out.flush();
      if (result.status() != ExecStatus.EXITED) {
        cli.err.println("strata: " + describe(result));
      }
      return ExitCodes.of(result);
    } catch (SandboxException e) {
      cli.out.flush();
      cli.err.println("strata: " + e.getMessage());
      return ExitCodes.SANDBOX_ERROR;
    }
  }

  private static String describe(ExecResult r) {
    String what = r.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    return what + (r.message() == null ? "" : ": " + r.message());
  }

  SandboxSpec spec() {
    String program = command.get(0);
    SandboxSpec.Builder b;
    if (isolation != null) {
      IsolationLevel level = IsolationLevel.parse(isolation);
      b = atLeast ? SandboxSpec.atLeast(level) : SandboxSpec.exactly(level);
    } else if (program.endsWith(".wasm")) {
      b = SandboxSpec.exactly(IsolationLevel.INSTRUCTION);
    } else {
      b = SandboxSpec.atLeast(IsolationLevel.PROCESS);
    }
    ResourceLimits.Builder limits = ResourceLimits.defaults().toBuilder();
    if (memory != null) {
      limits.withMemoryBytes(Units.parseBytes(memory));
    }
    if (cpus != null) {
      if (cpus <= 0) {
        throw new IllegalArgumentException("--cpus (" + cpus + ") must be positive");
      }
      limits.withCpuMillis((int) Math.ceil(cpus * 1000));
    }
    if (timeout != null) {
      limits.withTimeout(Units.parseDuration(timeout));
    }
    if (fuel != null) {
      limits.withFuel(fuel);
    }
    b.withLimits(limits.build());
    for (String kv : env) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--env " + kv + ": use NAME=VALUE");
      }
      b.withEnv(kv.substring(0, eq), kv.substring(eq + 1));
    }
    for (String dir : dirs) {
      b.withMount(parseDir(dir));
    }
    for (String kv : options) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--option " + kv + ": use KEY=VALUE, such as kvm.kernel=/boot/vmlinuz");
      }
      b.withOption(kv.substring(0, eq), kv.substring(eq + 1));
    }
    switch (network.toLowerCase(Locale.ROOT)) {
      case "none":
        b.withNetwork(NetworkPolicy.NONE);
        break;
      case "loopback":
        b.withNetwork(NetworkPolicy.LOOPBACK);
        break;
      default:
        throw new IllegalArgumentException("--network " + network + ": use none or loopback");
    }
    return b.build();
  }

  /** {@code HOST::GUEST[:ro|:rw]} or {@code HOST}. */
  static Mount parseDir(String text) {
    String host;
    String guest;
    boolean readOnly = false;
    String rest = text;
    if (rest.endsWith(":ro") || rest.endsWith(":rw")) {
      readOnly = rest.endsWith(":ro");
      rest = rest.substring(0, rest.length() - 3);
    }
    int sep = rest.indexOf("::");
    if (sep >= 0) {
      host = rest.substring(0, sep);
      guest = rest.substring(sep + 2);
    } else {
      host = rest;
      guest = Path.of(rest).toAbsolutePath().normalize().toString();
    }
    if (host.isEmpty() || guest.isEmpty()) {
      throw new IllegalArgumentException("--dir " + text + ": use HOST::GUEST[:ro|:rw], such as ./data::/data:ro");
    }
    if (!guest.startsWith("/")) {
      guest = "/" + guest;
    }
    Path hostPath = Path.of(host).toAbsolutePath().normalize();
    return readOnly ? Mount.readOnly(hostPath, guest) : Mount.readWrite(hostPath, guest);
  }
}
