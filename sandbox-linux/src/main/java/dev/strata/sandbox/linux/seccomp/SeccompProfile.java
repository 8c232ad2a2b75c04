package dev.strata.sandbox.linux.seccomp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The default seccomp profile, in the OCI runtime-spec's {@code linux.seccomp} form.
 *
 * <p>It allows by default and denies (with {@code EPERM}) what Docker's default profile keeps
 * from containers: mounting, tracing other processes, loading kernel code (modules, kexec, bpf),
 * the kernel keyring, new namespaces ({@code unshare}, {@code setns}, {@code clone} with a
 * {@code CLONE_NEW*} flag), rebooting, swap, clocks, perf and userfaultfd. {@code clone3} answers
 * {@code ENOSYS}, as in Docker, because its flags sit behind a pointer that seccomp cannot read:
 * libc then falls back to {@code clone}, whose flags are checked.
 *
 * <p>A deny list rather than Docker's allow list: payloads are arbitrary native programs, and a
 * missing entry in an allow list breaks them in ways that are hard to diagnose.
 */
public final class SeccompProfile {

  /** Syscalls every sandbox is denied with EPERM. */
  public static final List<String> DENIED =
      List.of(
          "acct",
          "add_key",
          "bpf",
          "clock_adjtime",
          "clock_settime",
          "clock_settime64",
          "create_module",
          "delete_module",
          "finit_module",
          "fsconfig",
          "fsmount",
          "fsopen",
          "fspick",
          "get_kernel_syms",
          "init_module",
          "ioperm",
          "iopl",
          "kcmp",
          "kexec_file_load",
          "kexec_load",
          "keyctl",
          "lookup_dcookie",
          "mount",
          "mount_setattr",
          "move_mount",
          "name_to_handle_at",
          "nfsservctl",
          "open_by_handle_at",
          "open_tree",
          "perf_event_open",
          "pivot_root",
          "process_vm_readv",
          "process_vm_writev",
          "ptrace",
          "query_module",
          "quotactl",
          "quotactl_fd",
          "reboot",
          "request_key",
          "setns",
          "settimeofday",
          "stime",
          "swapoff",
          "swapon",
          "_sysctl",
          "syslog",
          "umount",
          "umount2",
          "unshare",
          "uselib",
          "userfaultfd",
          "ustat",
          "vm86",
          "vm86old");

  /** The {@code CLONE_NEW*} flags; {@code clone} with any of them is denied. */
  static final long[] CLONE_NAMESPACE_FLAGS = {
    0x00020000L, // CLONE_NEWNS
    0x02000000L, // CLONE_NEWCGROUP
    0x04000000L, // CLONE_NEWUTS
    0x08000000L, // CLONE_NEWIPC
    0x10000000L, // CLONE_NEWUSER
    0x20000000L, // CLONE_NEWPID
    0x40000000L, // CLONE_NEWNET
  };

  private static final int EPERM = 1;
  private static final int ENOSYS = 38;

  private SeccompProfile() {}

  /**
   * The profile as {@code linux.seccomp} JSON.
   *
   * @param architectures the libseccomp names to cover, such as {@code SCMP_ARCH_X86_64}; the
   *     native one first, then its compat ABIs so that 32-bit syscalls are filtered too
   */
  public static ObjectNode defaultProfile(ObjectMapper json, List<String> architectures) {
    ObjectNode profile = json.createObjectNode();
    profile.put("defaultAction", "SCMP_ACT_ALLOW");
    ArrayNode archs = profile.putArray("architectures");
    architectures.forEach(archs::add);
    ArrayNode rules = profile.putArray("syscalls");

    ObjectNode deny = rules.addObject();
    ArrayNode names = deny.putArray("names");
    DENIED.forEach(names::add);
    deny.put("action", "SCMP_ACT_ERRNO");
    deny.put("errnoRet", EPERM);

    ObjectNode clone3 = rules.addObject();
    clone3.putArray("names").add("clone3");
    clone3.put("action", "SCMP_ACT_ERRNO");
    clone3.put("errnoRet", ENOSYS);

    // One rule per flag: (flags & f) == f. Rules for the same syscall are OR-ed by libseccomp.
    for (long flag : CLONE_NAMESPACE_FLAGS) {
      ObjectNode rule = rules.addObject();
      rule.putArray("names").add("clone");
      rule.put("action", "SCMP_ACT_ERRNO");
      rule.put("errnoRet", EPERM);
      ObjectNode arg = rule.putArray("args").addObject();
      // clone's flags are argument 0 on x86_64 and aarch64 alike
      arg.put("index", 0);
      arg.put("value", flag);
      arg.put("valueTwo", flag);
      arg.put("op", "SCMP_CMP_MASKED_EQ");
    }
    return profile;
  }

  /** The libseccomp architectures for a JVM {@code os.arch}: native first, then compat ABIs. */
  public static List<String> architecturesFor(String osArch) {
    switch (osArch) {
      case "amd64":
      case "x86_64":
        return List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
      case "aarch64":
        return List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
      case "riscv64":
        return List.of("SCMP_ARCH_RISCV64");
      default:
        return List.of();
    }
  }
}
