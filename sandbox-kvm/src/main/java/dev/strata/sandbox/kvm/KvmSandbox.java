package dev.strata.sandbox.kvm;

import dev.strata.sandbox.Command;
import dev.strata.sandbox.ExecResult;
import dev.strata.sandbox.ExecStatus;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.ResourceUsage;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxFailedException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxStartException;
import dev.strata.sandbox.kvm.agent.AgentConnection;
import dev.strata.sandbox.kvm.agent.AgentConnection.AgentException;
import dev.strata.sandbox.kvm.agent.ExecOutcome;
import dev.strata.sandbox.kvm.agent.ExecRequest;
import dev.strata.sandbox.kvm.qemu.QemuProcess;
import dev.strata.sandbox.kvm.qemu.VmReaper;
import dev.strata.sandbox.spi.AbstractSandbox;
import dev.strata.sandbox.spi.OutputCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One microVM: a QEMU process and the connection to its agent. */
final class KvmSandbox extends AbstractSandbox {

  private static final Logger LOG = LoggerFactory.getLogger(KvmSandbox.class);

  /** How long past a command's timeout the host waits for the agent's own report. */
  private static final Duration AGENT_GRACE = Duration.ofSeconds(10);

  private final QemuProcess qemu;
  private final AgentConnection agent;
  private final Path runDir;
  private final String guestRelease;
  private final Consumer<? super KvmSandbox> onClose;

  KvmSandbox(
      String id, SandboxSpec spec, QemuProcess qemu, AgentConnection agent, Path runDir, String guestRelease,
      Consumer<? super KvmSandbox> onClose) {
    super(id, KvmSandboxProvider.NAME, IsolationLevel.HARDWARE, spec);
    this.qemu = qemu;
    this.agent = agent;
    this.runDir = runDir;
    this.guestRelease = guestRelease;
    this.onClose = onClose;
  }

  /** The kernel release the guest reported when it booted. */
  String guestRelease() {
    return guestRelease;
  }

  /** QEMU's process id. */
  long qemuPid() {
    return qemu.pid();
  }

  /**
   * Runs one trivial command through the agent before the sandbox is handed out. Under TCG the
   * first exec of a VM costs 60–90 ms while QEMU translates the exec path and the console
   * protocol for the first time; paying it here makes the first real command of a pre-booted
   * (pooled) VM as fast as later ones (about 15 ms) at little cost to boot-to-first-exec. Not
   * counted in the stats.
   */
  void warmUp() {
    try {
      ExecResult r = doExec(Command.of("/bin/busybox", "true").withTimeout(Duration.ofSeconds(30)));
      if (!r.isSuccess()) {
        throw new dev.strata.sandbox.SandboxStartException(
            "microVM " + id() + " booted but its first command failed: " + r);
      }
    } catch (RuntimeException e) {
      close();
      throw e instanceof dev.strata.sandbox.SandboxException se
          ? se
          : new dev.strata.sandbox.SandboxStartException("microVM " + id() + " failed its first command: " + e, e);
    }
  }

  @Override
  protected ExecResult doExec(Command command) {
    SandboxSpec spec = spec();
    Duration timeout = command.timeout().orElse(spec.limits().timeout());
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/bin:/sbin:/usr/bin:/usr/sbin");
    env.put("HOME", "/root");
    env.putAll(spec.environment());
    env.putAll(command.environment());
    String cwd = command.workingDirectory().or(spec::workingDirectory).orElse("/");
    long limit = spec.limits().maxOutputBytes();
    OutputCollector stdout = new OutputCollector(limit, command.stdoutSink().orElse(null), agent::kill);
    OutputCollector stderr = new OutputCollector(limit, command.stderrSink().orElse(null), agent::kill);
    long start = System.nanoTime();
    ExecOutcome outcome;
    try {
      outcome = agent.exec(
          new ExecRequest(command.argv(), env, cwd, timeout, spec.limits().maxProcesses()),
          command.hasStdin() ? command.openStdin() : null,
          stdout,
          stderr,
          timeout.plus(AGENT_GRACE));
    } catch (AgentConnection.OutputSinkException e) {
      throw new SandboxException(e.getMessage(), e);
    } catch (AgentException e) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (isClosed()) {
        return new ExecResult(ExecStatus.KILLED, -1, stdout.bytes(), stderr.bytes(), took,
            "the sandbox was closed while the command ran", ResourceUsage.unknown());
      }
      // the socket closes a moment before QEMU's exit is seen: give it that moment
      boolean exited = qemu.waitFor(Duration.ofMillis(500));
      String why = e.getMessage() + (exited ? " (QEMU exited with code " + qemu.exitCode().orElse(-1) + ")" : "");
      markFailed(why);
      throw new SandboxFailedException("microVM " + id() + " broke while running " + command.argv().get(0)
          + ": " + why + "\nconsole tail:\n" + qemu.consoleDiagnosis(20));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    ExecStatus status;
    int code = -1;
    String message = outcome.message();
    if (stdout.overflowed() || stderr.overflowed()) {
      status = ExecStatus.OUTPUT_LIMIT;
      message = "output passed maxOutputBytes (" + limit + "); the command was killed";
    } else {
      switch (outcome.kind()) {
        case EXITED:
          status = ExecStatus.EXITED;
          code = outcome.code();
          break;
        case TIMED_OUT:
          status = ExecStatus.TIMED_OUT;
          message = "timed out after " + timeout.toMillis() + " ms; the command's process group was killed";
          break;
        case OUT_OF_MEMORY:
          status = ExecStatus.OUT_OF_MEMORY;
          break;
        default:
          status = ExecStatus.KILLED;
          break;
      }
    }
    ResourceUsage usage = new ResourceUsage(
        outcome.maxRssBytes() > 0 ? outcome.maxRssBytes() : null, outcome.cpuTime());
    return new ExecResult(status, code, stdout.bytes(), stderr.bytes(), took, message, usage);
  }

  @Override
  protected @Nullable Long memoryBytes() {
    return qemu.rssBytes().isPresent() ? qemu.rssBytes().getAsLong() : null;
  }

  @Override
  protected void doClose() {
    try {
      if (qemu.isAlive()) {
        try {
          agent.powerOff();
        } catch (AgentException e) {
          LOG.debug("poweroff of {} not sent: {}", id(), e.getMessage());
        }
        if (!qemu.waitFor(Duration.ofSeconds(3))) {
          LOG.info("microVM {} did not power off within 3 s; killing QEMU {}", id(), qemu.pid());
        }
      }
      qemu.kill();
      agent.close();
    } finally {
      VmReaper.deleteTree(runDir);
      onClose.accept(this);
    }
  }

  /** Creates the run directory of a VM, private to its owner. */
  static Path createRunDir(Path root, String id, boolean forNobody) {
    Path dir = root.resolve(id);
    try {
      Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      if (forNobody) {
        Files.setAttribute(dir, "unix:uid", 65534);
        Files.setAttribute(dir, "unix:gid", 65534);
      }
    } catch (IOException e) {
      VmReaper.deleteTree(dir);
      throw new SandboxStartException("cannot create the VM directory " + dir + ": " + e.getMessage(), e);
    }
    return dir;
  }
}
