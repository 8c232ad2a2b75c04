package dev.strata.sandbox.linux;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sandbox.Mount;
import dev.strata.sandbox.SandboxException;
import dev.strata.sandbox.SandboxSpec;
import dev.strata.sandbox.SandboxStartException;
import dev.strata.sandbox.linux.oci.OciConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The second driver, for hosts where no OCI runtime can run: {@code bwrap} starts the same PID 1
 * ({@link InitBinary}, as PID 1 through {@code --as-pid-1}) in new user, PID, mount, IPC, UTS,
 * network and cgroup namespaces, with the same read-only binds, tmpfs, no capabilities and the
 * same seccomp policy (as classic BPF, {@link dev.strata.sandbox.linux.seccomp.SeccompBpf}).
 * bwrap sets no rlimits and no cgroup: each command runs under {@code prlimit} (address space,
 * open files, processes), as in rootless OCI mode.
 */
final class BwrapLauncher {

  /** What every bwrap sandbox of a provider shares. */
  record Host(Path bwrap, Path bundles, Path initBinary, byte[] seccompBpf, ObjectMapper json) {}

  private BwrapLauncher() {}

  static LinuxSandbox start(String id, SandboxSpec spec, LinuxOptions options, Host host) {
    if (options.runtimeExec()) {
      throw new dev.strata.sandbox.InvalidSpecException(
          "linux.exec=runtime needs an OCI runtime; bwrap runs commands through PID 1 only");
    }
    Path bundle = host.bundles().resolve(id);
    int[] requests = null;
    int[] replies = null;
    AgentChannel channel = null;
    Process bwrap = null;
    boolean started = false;
    try {
      Path io = Files.createDirectories(bundle.resolve(LinuxSandbox.IO_DIR));
      Path bpf = bundle.resolve("seccomp.bpf");
      Files.write(bpf, host.seccompBpf());
      List<String> cmd = new ArrayList<>();
      // bwrap reads the filter from an fd: the shell opens it as fd 3 and becomes bwrap
      cmd.addAll(List.of("/bin/sh", "-c", "f=$1; shift; exec \"$@\" 3<\"$f\"", "sh", bpf.toString()));
      cmd.add(host.bwrap().toString());
      cmd.addAll(List.of("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--as-pid-1"));
      cmd.addAll(List.of("--cap-drop", "ALL", "--hostname", "sandbox", "--clearenv", "--seccomp", "3"));
      Path root = options.rootfs();
      if (root != null) {
        cmd.addAll(List.of("--ro-bind", root.toString(), "/"));
      } else {
        for (String name : List.of("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
          Path p = Path.of("/", name);
          if (Files.isSymbolicLink(p)) {
            cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), "/" + name));
          } else if (Files.isDirectory(p)) {
            cmd.addAll(List.of("--ro-bind", p.toString(), "/" + name));
          }
        }
        for (String f : List.of("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
            "/etc/nsswitch.conf", "/etc/alternatives")) {
          if (Files.exists(Path.of(f))) {
            cmd.addAll(List.of("--ro-bind", f, f));
          }
        }
        cmd.addAll(data("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", bundle));
        cmd.addAll(data("/etc/group", "root:x:0:\nnogroup:x:65534:\n", bundle));
        cmd.addAll(data("/etc/hosts", "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost\n", bundle));
      }
      cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
      for (String masked : OciConfig.MASKED_PATHS) {
        Path p = Path.of(masked);
        if (!masked.startsWith("/proc/") || !Files.exists(p)) {
          continue;
        }
        if (Files.isDirectory(p)) {
          cmd.addAll(List.of("--size", "4096", "--perms", "0555", "--tmpfs", masked, "--remount-ro", masked));
        } else {
          cmd.addAll(List.of("--ro-bind", "/dev/null", masked));
        }
      }
      // OciConfig.READONLY_PATHS need no remount here: without capabilities in its user
      // namespace the payload cannot write /proc/sys and the others anyway
      cmd.addAll(List.of("--size", String.valueOf(options.tmpBytes()), "--perms", "1777", "--tmpfs", "/tmp"));
      spec.scratch()
          .ifPresent(s -> cmd.addAll(List.of("--size", String.valueOf(s.maxBytes()), "--perms", "1777", "--tmpfs", s.sandboxPath())));
      for (Mount m : spec.mounts()) {
        cmd.addAll(List.of(m.readOnly() ? "--ro-bind" : "--bind", m.hostPath().toAbsolutePath().toString(), m.sandboxPath()));
      }
      cmd.addAll(List.of("--ro-bind", host.initBinary().toString(), LinuxSandbox.INIT_PATH));
      // read-only inside: FIFOs still open, but no command can add, remove or swap an entry
      cmd.addAll(List.of("--ro-bind", io.toString(), LinuxSandbox.IO_PATH));
      if (root == null) {
        cmd.addAll(List.of("--remount-ro", "/"));
      }
      cmd.add(LinuxSandbox.INIT_PATH);

      requests = Posix.pipe();
      replies = Posix.pipe();
      Path log = bundle.resolve("bwrap.log");
      bwrap =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/proc/self/fd/" + requests[0])))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("/proc/self/fd/" + replies[1])))
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      Posix.close(requests[0]);
      Posix.close(replies[1]);
      requests[0] = -1;
      replies[1] = -1;
      channel = new AgentChannel(id, requests[1], replies[0]);
      requests[1] = -1;
      replies[0] = -1;
      long initPid = findInit(bwrap, log);
      String ns =
          ProcFs.pidNamespace(initPid)
              .orElseThrow(() -> new SandboxStartException("sandbox " + id + ": PID 1 exited right after start"));
      List<String> rlimits =
          List.of(
              "--nofile=" + options.maxOpenFiles(),
              "--nproc=" + spec.limits().maxProcesses(),
              "--core=0");
      LinuxSandbox sb =
          new LinuxSandbox(
              id, spec, null, bwrap, rlimits, bundle, null, new OciConfig(host.json()), host.json(), channel, true,
              initPid, ns, root != null ? root : Path.of("/"));
      started = true;
      return sb;
    } catch (IOException | RuntimeException e) {
      if (e instanceof SandboxException se) {
        throw se;
      }
      throw new SandboxStartException("sandbox " + id + " could not start under bwrap: " + e, e);
    } finally {
      if (!started) {
        if (channel != null) {
          channel.close();
        }
        for (int[] pipe : new int[][] {requests, replies}) {
          if (pipe != null) {
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
          }
        }
        if (bwrap != null) {
          bwrap.destroyForcibly();
        }
        LinuxSandbox.deleteTree(bundle);
      }
    }
  }

  /** A file of the bundle bound read-only at {@code target}. */
  private static List<String> data(String target, String text, Path bundle) throws IOException {
    Path f = bundle.resolve("etc-" + Path.of(target).getFileName());
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return List.of("--ro-bind", f.toString(), target);
  }

  /** PID 1 is bwrap's child once it has exec'd the init; bwrap's errors go to {@code log}. */
  private static long findInit(Process bwrap, Path log) throws IOException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (long pid : ProcFs.tree(bwrap.pid())) {
        if (pid != bwrap.pid() && comm(pid).equals(".strata-init")) {
          return pid;
        }
      }
      if (!bwrap.isAlive()) {
        String why = Files.exists(log) ? Files.readString(log).strip() : "";
        throw new SandboxStartException(
            "bwrap could not start the sandbox (exit " + bwrap.exitValue() + "): " + (why.isEmpty() ? "no output" : why));
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new SandboxStartException("bwrap did not start PID 1 within 10 s");
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  static Optional<Path> binary() {
    return LinuxSandboxProvider.onPath("bwrap");
  }
}
