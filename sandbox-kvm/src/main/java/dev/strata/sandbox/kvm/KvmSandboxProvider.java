package dev.strata.sandbox.kvm;

import dev.strata.sandbox.Availability;
import dev.strata.sandbox.HardwareProfile;
import dev.strata.sandbox.InvalidSpecException;
import dev.strata.sandbox.IsolationLevel;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.NetworkPolicy;
import dev.strata.sandbox.Sandbox;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxStartException;
import dev.strata.sandbox.kvm.agent.AgentConnection;
import dev.strata.sandbox.kvm.initramfs.Initramfs;
import dev.strata.sandbox.kvm.initramfs.KernelModules;
import dev.strata.sandbox.kvm.qemu.KvmProbe;
import dev.strata.sandbox.kvm.qemu.QemuCommand;
import dev.strata.sandbox.kvm.qemu.QemuProcess;
import dev.strata.sandbox.kvm.qemu.VmReaper;
import dev.strata.sandbox.spi.SandboxIds;
import dev.strata.sandbox.spi.SandboxProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HARDWARE tier: every sandbox is a {@code qemu-system-x86_64 -M microvm} with its own guest
 * kernel and a static agent as {@code /init}. With a usable {@code /dev/kvm} it runs accelerated;
 * otherwise under TCG emulation, which is logged and shown in {@link #availability}; the spec
 * option {@code kvm.requireKvm=true} refuses TCG.
 *
 * <p>What it needs: {@code qemu-system-x86_64} ({@code apt-get install qemu-system-x86}), a
 * static busybox ({@code apt-get install busybox-static}) and a guest kernel ({@code
 * ./scripts/provision-guest-kernel.sh}, see {@link GuestKernel}).
 *
 * <p>Limits: {@code -m} is the spec's memory (the guest's own OOM killer reports {@code
 * OUT_OF_MEMORY}), {@code -smp} its CPUs rounded up, and each command gets a wall-clock timeout
 * enforced by the agent. The files of the spec's read-only mounts are copied into the initramfs.
 */
public final class KvmSandboxProvider implements SandboxProvider {

  /** The backend name. */
  public static final String NAME = "kvm";

  /** System property: the busybox to put into guests (default {@code /bin/busybox}). */
  public static final String BUSYBOX_PROPERTY = "strata.kvm.busybox";

  /**
   * System property: {@code false} boots the compressed bzImage instead of the extracted vmlinux
   * (slower under TCG, but QEMU keeps a smaller copy of the kernel).
   */
  public static final String PVH_PROPERTY = "strata.kvm.pvh";

  static final String AGENT_RESOURCE = "/dev/strata/sandbox/kvm/agent/strata-agent-x86_64";
  static final long MIN_MEMORY_BYTES = 48L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(KvmSandboxProvider.class);

  private final Path runRoot;
  private final Map<String, byte[]> baseImages = new ConcurrentHashMap<>();
  private final Map<Path, Path> bootImages = new ConcurrentHashMap<>();
  private final Set<Sandbox> open = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong boots = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong watchdogKills = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean reaped;
  private volatile boolean tcgLogged;

  public KvmSandboxProvider() {
    this(Path.of(System.getProperty("java.io.tmpdir")));
  }

  KvmSandboxProvider(Path runRoot) {
    this.runRoot = runRoot;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public IsolationLevel isolationLevel() {
    return IsolationLevel.HARDWARE;
  }

  /** What a host must have, found or not. */
  record Setup(
      @Nullable String qemu,
      @Nullable Path busybox,
      @Nullable GuestKernel kernel,
      boolean kvm,
      String kvmDetail,
      @Nullable String problem,
      @Nullable String fix) {}

  Setup probe(HardwareProfile host, @Nullable KvmOptions options) {
    if (host.arch() != HardwareProfile.Arch.X86_64) {
      return new Setup(null, null, null, false, "",
          "the kvm backend boots x86_64 guests only so far (qemu-system-aarch64 -M virt is not wired up); this host is " + host.arch(),
          "use the linux or wasm backend on this host");
    }
    String qemu = host.runtime("qemu-system-x86_64").map(Path::toString)
        .or(() -> Optional.ofNullable(HostFacts.findOnPath("qemu-system-x86_64")).map(Path::toString))
        .orElse(null);
    if (qemu == null) {
      return new Setup(null, null, null, false, "", "qemu-system-x86_64 is not installed", "apt-get install qemu-system-x86");
    }
    Path busybox = Path.of(System.getProperty(BUSYBOX_PROPERTY, "/bin/busybox"));
    if (!Files.isReadable(busybox) || !HostFacts.isStaticElf(busybox)) {
      return new Setup(qemu, null, null, false, "",
          "no statically linked busybox at " + busybox + " to put into the guest",
          "apt-get install busybox-static (or -D" + BUSYBOX_PROPERTY + "=/path/to/static/busybox)");
    }
    if (KvmSandboxProvider.class.getResource(AGENT_RESOURCE) == null) {
      return new Setup(qemu, busybox, null, false, "",
          "the guest agent binary " + AGENT_RESOURCE + " is missing from the sandbox-kvm jar",
          "rebuild sandbox-kvm with gcc and static glibc present (apt-get install gcc libc6-dev)");
    }
    GuestKernel kernel;
    if (options != null && options.kernel() != null) {
      kernel = GuestKernel.configured(options.kernel(), options.modules(), "kvm.kernel");
    } else {
      kernel = GuestKernel.discover().orElse(null);
      if (kernel != null && options != null && options.modules() != null) {
        kernel = new GuestKernel(kernel.image(), kernel.release(), options.modules(), kernel.source());
      }
    }
    if (kernel == null) {
      return new Setup(qemu, busybox, null, false, "",
          "no guest kernel: none configured, none provisioned in " + GuestKernel.cacheDirs() + ", none in /boot",
          GuestKernel.PROVISION_FIX);
    }
    if (!Files.isReadable(kernel.image())) {
      return new Setup(qemu, busybox, null, false, "",
          "the guest kernel " + kernel + " is not readable by this user", GuestKernel.PROVISION_FIX);
    }
    boolean kvmDevice = host.kvm().isYes() && Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));
    String kvmDetail = kvmDevice ? "" : "/dev/kvm is not usable by this user";
    boolean kvm = false;
    if (kvmDevice) {
      KvmProbe.Result probe = KvmProbe.probe(qemu, kernel.image());
      kvm = probe.usable();
      kvmDetail = probe.detail();
    }
    return new Setup(qemu, busybox, kernel, kvm, kvmDetail, null, null);
  }

  @Override
  public Availability availability(HardwareProfile host) {
    reapOnce();
    Setup setup = probe(host, null);
    if (setup.problem() != null) {
      return Availability.unavailable(setup.problem(), setup.fix() == null ? "" : setup.fix());
    }
    List<String> notes = new ArrayList<>();
    notes.add(setup.kvm() ? "accelerated (KVM)" : "not accelerated (TCG): " + setup.kvmDetail() + "; boots take seconds");
    notes.add("guest kernel " + setup.kernel());
    if (setup.kernel().modulesDir() == null) {
      notes.add("no modules directory for the guest kernel: virtio_mmio and virtio_console must be built in");
    }
    return Availability.ok(notes);
  }

  @Override
  public Sandbox create(SandboxSpec spec, HardwareProfile host) {
    reapOnce();
    KvmOptions options = KvmOptions.of(spec);
    validate(spec);
    Setup setup = probe(host, options);
    if (setup.problem() != null) {
      throw new SandboxStartException("the kvm backend cannot start a VM: " + setup.problem() + ". Fix: " + setup.fix());
    }
    if (!setup.kvm()) {
      if (options.requireKvm()) {
        throw new InvalidSpecException("kvm.requireKvm=true, but KVM is not usable on this host ("
            + setup.kvmDetail() + "), so only TCG emulation is possible. Fix: run on a host with KVM (load kvm_intel or kvm_amd and give this user"
            + " access to /dev/kvm), or drop kvm.requireKvm");
      }
      if (!tcgLogged) {
        tcgLogged = true;
        LOG.warn("KVM is not usable ({}): microVMs run under TCG emulation (much slower, still a separate kernel)",
            setup.kvmDetail());
      }
    }
    long memoryMiB = Math.max(MIN_MEMORY_BYTES, spec.limits().memoryBytes() + (1L << 20) - 1) >> 20;
    if (host.memoryBytes() > 0 && (memoryMiB << 20) > host.memoryBytes()) {
      throw new InvalidSpecException("memoryBytes (" + spec.limits().memoryBytes() + ") is more than this host has ("
          + host.memoryBytes() + ")");
    }
    int cpus = Math.max(1, Math.min(Math.max(1, host.cpus()), (spec.limits().cpuMillis() + 999) / 1000));
    byte[] base = baseImage(setup);
    return boot(spec, options, setup, base, memoryMiB, cpus, host);
  }

  private void validate(SandboxSpec spec) {
    if (spec.limits().memoryBytes() < MIN_MEMORY_BYTES) {
      throw new InvalidSpecException("memoryBytes (" + spec.limits().memoryBytes() + ") is too small for a microVM:"
          + " the kvm backend needs at least " + MIN_MEMORY_BYTES + " (48 MiB) for the guest kernel and its initramfs");
    }
    for (Mount m : spec.mounts()) {
      if (!m.readOnly()) {
        throw new InvalidSpecException("read-write mount " + m.hostPath() + " -> " + m.sandboxPath()
            + ": the kvm backend copies mounts into the guest, so writes could never reach the host; use a read-only"
            + " mount (or the linux backend)");
      }
      if (!Files.exists(m.hostPath())) {
        throw new InvalidSpecException("mount source " + m.hostPath() + " does not exist");
      }
      if (m.sandboxPath().chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidSpecException("mount path (" + m.sandboxPath() + ") must not contain whitespace for the kvm backend");
      }
    }
    spec.scratch().ifPresent(s -> {
      if (s.sandboxPath().chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidSpecException("scratch path (" + s.sandboxPath() + ") must not contain whitespace for the kvm backend");
      }
    });
  }

  private byte[] baseImage(Setup setup) {
    GuestKernel kernel = setup.kernel();
    String key = kernel.image() + "|" + kernel.modulesDir() + "|" + setup.busybox();
    return baseImages.computeIfAbsent(key, k -> {
      long start = System.nanoTime();
      try {
        KernelModules modules = kernel.modulesDir() == null ? null : KernelModules.scan(kernel.modulesDir());
        byte[] agent;
        try (InputStream in = KvmSandboxProvider.class.getResourceAsStream(AGENT_RESOURCE)) {
          agent = in.readAllBytes();
        }
        byte[] base = Initramfs.base(setup.busybox(), busyboxApplets(setup.busybox()), modules, agent);
        LOG.info("built the base initramfs for {} ({} KiB) in {} ms", kernel, base.length >> 10,
            (System.nanoTime() - start) / 1_000_000);
        return base;
      } catch (IOException e) {
        throw new SandboxStartException("cannot build the guest initramfs: " + e.getMessage(), e);
      }
    });
  }

  private static List<String> busyboxApplets(Path busybox) throws IOException {
    Process p = new ProcessBuilder(busybox.toString(), "--list-full").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException(busybox + " --list-full failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return Arrays.stream(out.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private Sandbox boot(
      SandboxSpec spec, KvmOptions options, Setup setup, byte[] base, long memoryMiB, int cpus, HardwareProfile host) {
    String id = SandboxIds.newId(NAME);
    boolean dropToNobody = (host.root() || HostFacts.isRoot()) && (!setup.kvm() || HostFacts.kvmGroup() != null);
    Path runDir = KvmSandbox.createRunDir(runRoot, id, dropToNobody);
    try {
      GuestKernel kernel = setup.kernel();
      Path image = Boolean.parseBoolean(System.getProperty(PVH_PROPERTY, "true"))
          ? bootImages.computeIfAbsent(kernel.image(), k -> KernelImages.uncompressed(k, kernel.release()).orElse(k))
          : kernel.image();
      if (dropToNobody) {
        image = linkOrCopy(image, runDir.resolve("vmlinuz"));
      }
      Path initrd = runDir.resolve("initramfs.cpio");
      writeInitramfs(spec, base, memoryMiB, initrd);
      QemuProcess.Launcher launcher = QemuProcess.Launcher.detect(dropToNobody, setup.kvm() ? HostFacts.kvmGroup() : null);
      Duration bootTimeout = options.bootTimeout() != null
          ? options.bootTimeout()
          : setup.kvm() ? Duration.ofSeconds(10) : Duration.ofSeconds(20);
      QemuCommand command = new QemuCommand(setup.qemu(), id)
          .withKvm(setup.kvm())
          .withMemoryMiB(memoryMiB)
          .withCpus(cpus)
          .withKernel(image, initrd)
          .withAgentSocket(runDir.resolve("agent.sock"))
          .withConsoleOnStdout()
          .withPidFile(runDir.resolve("qemu.pid"));
      for (String arg : kernelArgs(setup.kvm())) {
        command.withKernelArg(arg);
      }
      for (String arg : options.extraKernelArgs()) {
        command.withKernelArg(arg);
      }
      return bootWithRetries(id, spec, command, launcher, runDir, bootTimeout, options.bootAttempts(), setup.kvm());
    } catch (RuntimeException e) {
      VmReaper.deleteTree(runDir);
      throw e;
    }
  }

  private Sandbox bootWithRetries(
      String id, SandboxSpec spec, QemuCommand command, QemuProcess.Launcher launcher, Path runDir,
      Duration bootTimeout, int attempts, boolean kvm) {
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      BootEvent event = new BootEvent();
      event.begin();
      event.sandboxId = id;
      event.attempt = attempt;
      event.accelerator = kvm ? "kvm" : "tcg";
      for (String f : List.of("agent.sock", "qemu.pid", "qemu.log")) {
        try {
          Files.deleteIfExists(runDir.resolve(f));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      QemuProcess qemu;
      long launched = System.nanoTime();
      try {
        qemu = QemuProcess.start(launcher, command.build(), runDir.resolve("qemu.log"), id);
      } catch (IOException e) {
        throw new SandboxStartException("cannot start " + command.build().get(0) + ": " + e.getMessage(), e);
      }
      AgentConnection agent = null;
      long start = System.nanoTime();
      try {
        agent = AgentConnection.connect(id, runDir.resolve("agent.sock"), bootTimeout, qemu::isAlive);
        long connected = System.nanoTime();
        Duration left = bootTimeout.minusNanos(connected - start);
        String release = agent.awaitReady(left.isNegative() ? Duration.ZERO : left);
        LOG.debug("microVM {}: QEMU started in {} ms, socket connected after {} ms, agent ready after {} ms", id,
            (start - launched) / 1_000_000, (connected - start) / 1_000_000, (System.nanoTime() - start) / 1_000_000);
        boots.incrementAndGet();
        event.outcome = "ready";
        event.commit();
        LOG.debug("microVM {} booted in {} ms (attempt {}, {})", id, (System.nanoTime() - start) / 1_000_000,
            attempt, kvm ? "KVM" : "TCG");
        KvmSandbox sandbox = new KvmSandbox(id, spec, qemu, agent, runDir, release, open::remove);
        open.add(sandbox);
        sandbox.warmUp();
        return sandbox;
      } catch (IOException | AgentConnection.AgentException e) {
        boolean exited = qemu.waitFor(Duration.ofMillis(300));
        qemu.kill();
        if (agent != null) {
          agent.close();
        }
        String tail = qemu.consoleDiagnosis(25);
        event.outcome = exited ? "qemu exited" : "watchdog timeout";
        event.consoleTail = tail;
        event.commit();
        if (exited) {
          // QEMU stopped by itself (a panic with panic=-1, a bad option): retrying would fail the same way.
          String status = qemu.exitCode().isPresent() ? "exit code " + qemu.exitCode().getAsLong() : "an unknown status";
          throw new SandboxStartException("microVM " + id + " did not boot: QEMU exited with " + status
              + " before the agent was ready (" + e.getMessage() + ").\nQEMU said: " + qemu.qemuOutput()
              + "\nconsole tail:\n" + tail);
        }
        watchdogKills.incrementAndGet();
        String lastLine = tail.isEmpty() ? "(empty console)" : tail.substring(tail.lastIndexOf('\n') + 1);
        LOG.warn("microVM {} boot attempt {} of {} hung for {} ms (console ends: {}); QEMU killed by the boot watchdog{}",
            id, attempt, attempts, bootTimeout.toMillis(), lastLine, attempt < attempts ? ", retrying" : "");
        failures.add("attempt " + attempt + ": " + e.getMessage() + "; console ends with: " + lastLine);
        if (attempt == attempts) {
          throw new SandboxStartException("microVM " + id + " did not reach its agent in " + attempts
              + " attempt(s) of " + bootTimeout.toSeconds() + " s: " + failures + "\nconsole tail:\n" + tail);
        }
      } catch (RuntimeException | Error e) {
        // nothing may outlive a failed create
        qemu.kill();
        if (agent != null) {
          agent.close();
        }
        throw e;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** VMs booted so far by this provider. */
  long bootCount() {
    return boots.get();
  }

  /** Boot attempts the watchdog killed because the guest hung. */
  long watchdogKills() {
    return watchdogKills.get();
  }

  /** The guest kernel's command line. */
  static List<String> kernelArgs(boolean kvm) {
    List<String> args = new ArrayList<>(List.of(
        "console=ttyS0", "8250.nr_uarts=1", "panic=-1", "oops=panic", "reboot=t", "pci=off", "quiet",
        "random.trust_cpu=on", "rdinit=/init"));
    if (!kvm) {
      // Without this, 1 boot in 3 to 8 under TCG hangs at "tsc: Unable to calibrate against PIT":
      // the guest TSC is the host's, so its frequency is known.
      args.add("tsc_early_khz=" + HostFacts.hostTscKhz());
      args.add("tsc=reliable");
    }
    return args;
  }

  private void writeInitramfs(SandboxSpec spec, byte[] base, long memoryMiB, Path initrd) {
    List<String> config = new ArrayList<>();
    config.add("hostname strata");
    spec.scratch().ifPresent(s -> config.add("scratch " + s.sandboxPath() + " " + s.maxBytes()));
    if (spec.network() == NetworkPolicy.LOOPBACK) {
      config.add("loopback");
    }
    List<Initramfs.CopiedTree> trees = new ArrayList<>();
    for (Mount m : spec.mounts()) {
      trees.add(new Initramfs.CopiedTree(m.hostPath(), m.sandboxPath(), true));
    }
    try (OutputStream out = Files.newOutputStream(initrd)) {
      Initramfs.writeVm(out, base, config, trees, (memoryMiB << 20) / 4);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(e.getMessage(), e);
    } catch (IOException e) {
      throw new SandboxStartException("cannot write the VM's initramfs " + initrd + ": " + e.getMessage(), e);
    }
  }

  private static Path linkOrCopy(Path source, Path target) {
    try {
      try {
        Files.createLink(target, source);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (IOException e) {
      throw new SandboxStartException("cannot make the kernel readable for QEMU at " + target + ": " + e.getMessage(), e);
    }
  }

  private void reapOnce() {
    if (!reaped) {
      reaped = true;
      VmReaper.reap(runRoot, NAME);
    }
  }

  /** Closes the sandboxes this provider made that are still open. */
  @Override
  public void close() {
    for (Sandbox s : List.copyOf(open)) {
      s.close();
    }
  }
}
