package dev.strata.sandbox.kvm.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code qemu-system-x86_64 -M microvm} command line of one VM: no default devices, no
 * network, no display, no monitor; a serial console for diagnostics, and one
 * virtio-serial port named {@code strata.agent} on a Unix socket for the agent.
 */
public final class QemuCommand {

  /** The port name the agent looks for in {@code /sys/class/virtio-ports/*}{@code /name}. */
  public static final String AGENT_PORT = "strata.agent";

  private final String binary;
  private final String name;
  private boolean kvm;
  private long memoryMiB = 256;
  private int cpus = 1;
  private @Nullable Path kernel;
  private @Nullable Path initrd;
  private final List<String> kernelArgs = new ArrayList<>();
  private @Nullable Path agentSocket;
  private @Nullable Path consoleLog;
  private boolean consoleOnStdout;
  private @Nullable Path pidFile;
  private boolean seccomp = true;
  private long tcgCacheMiB = 16;
  private boolean balloon = true;

  public QemuCommand(String binary, String name) {
    this.binary = Objects.requireNonNull(binary);
    this.name = Objects.requireNonNull(name);
  }

  public QemuCommand withKvm(boolean kvm) {
    this.kvm = kvm;
    return this;
  }

  public QemuCommand withMemoryMiB(long memoryMiB) {
    this.memoryMiB = memoryMiB;
    return this;
  }

  public QemuCommand withCpus(int cpus) {
    this.cpus = cpus;
    return this;
  }

  public QemuCommand withKernel(Path kernel, Path initrd) {
    this.kernel = kernel;
    this.initrd = initrd;
    return this;
  }

  public QemuCommand withKernelArg(String arg) {
    kernelArgs.add(arg);
    return this;
  }

  public QemuCommand withAgentSocket(Path socket) {
    this.agentSocket = socket;
    return this;
  }

  public QemuCommand withConsoleLog(Path log) {
    this.consoleLog = log;
    this.consoleOnStdout = false;
    return this;
  }

  /**
   * The guest's serial console on QEMU's stdout, for the host to keep a bounded tail of: a file
   * would let a guest that writes to its console without end fill the host's disk.
   */
  public QemuCommand withConsoleOnStdout() {
    this.consoleOnStdout = true;
    this.consoleLog = null;
    return this;
  }

  public QemuCommand withPidFile(Path pidFile) {
    this.pidFile = pidFile;
    return this;
  }

  /** QEMU's own seccomp filter ({@code -sandbox on}); on by default. */
  public QemuCommand withSeccomp(boolean seccomp) {
    this.seccomp = seccomp;
    return this;
  }

  /** The TCG translation cache; QEMU's default of 1 GiB would dominate an idle VM's footprint. */
  public QemuCommand withTcgCacheMiB(long tcgCacheMiB) {
    this.tcgCacheMiB = tcgCacheMiB;
    return this;
  }

  /**
   * A virtio balloon with free page reporting: pages the guest frees (boot-time buffers, memory of
   * finished commands) are given back to the host, so an idle VM costs less than its size.
   */
  public QemuCommand withBalloon(boolean balloon) {
    this.balloon = balloon;
    return this;
  }

  /** The kernel command line alone. */
  public String kernelCommandLine() {
    return String.join(" ", kernelArgs);
  }

  public List<String> build() {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(agentSocket, "agentSocket");
    List<String> cmd = new ArrayList<>();
    cmd.add(binary);
    cmd.addAll(List.of("-name", name + ",process=" + name.substring(0, Math.min(15, name.length()))));
    // microvm: no PCI, no firmware tables beyond ACPI's device list; PIT and PIC stay for
    // calibration and the legacy serial line.
    cmd.addAll(List.of("-M", "microvm,isa-serial=on,pit=on,pic=on,rtc=on"));
    if (kvm) {
      cmd.addAll(List.of("-accel", "kvm", "-cpu", "host"));
    } else {
      cmd.addAll(List.of("-accel", "tcg,tb-size=" + tcgCacheMiB, "-cpu", "max"));
    }
    cmd.addAll(List.of("-m", memoryMiB + "M", "-smp", Integer.toString(cpus)));
    cmd.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"));
    if (seccomp) {
      cmd.addAll(List.of("-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"));
    }
    cmd.addAll(List.of("-kernel", kernel.toString()));
    if (initrd != null) {
      cmd.addAll(List.of("-initrd", initrd.toString()));
    }
    cmd.addAll(List.of("-append", kernelCommandLine()));
    if (consoleOnStdout) {
      cmd.addAll(List.of("-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console"));
    } else if (consoleLog != null) {
      cmd.addAll(List.of("-chardev", "file,id=console,path=" + escape(consoleLog.toString()), "-serial", "chardev:console"));
    } else {
      cmd.addAll(List.of("-serial", "none"));
    }
    cmd.addAll(List.of(
        "-device", "virtio-serial-device,max_ports=2",
        "-chardev", "socket,id=agent,path=" + escape(agentSocket.toString()) + ",server=on,wait=off",
        "-device", "virtserialport,chardev=agent,name=" + AGENT_PORT));
    if (balloon) {
      cmd.addAll(List.of("-device", "virtio-balloon-device,free-page-reporting=on,deflate-on-oom=on"));
    }
    if (pidFile != null) {
      cmd.addAll(List.of("-pidfile", pidFile.toString()));
    }
    return cmd;
  }

  /** QEMU option values are comma-separated; a literal comma is written twice. */
  private static String escape(String value) {
    return value.replace(",", ",,");
  }
}
