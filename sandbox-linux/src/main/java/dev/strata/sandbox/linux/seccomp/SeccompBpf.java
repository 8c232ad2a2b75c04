package dev.strata.sandbox.linux.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link SeccompProfile}'s policy compiled to a classic BPF program, for {@code bwrap --seccomp}
 * (the OCI runtimes compile the JSON form themselves through libseccomp). x86_64 only: other
 * architectures get no program, and the caller reports that.
 *
 * <p>The program: a syscall of another ABI (i386 through {@code int 0x80}, x32) is refused; a
 * denied syscall returns EPERM; {@code clone} with any {@code CLONE_NEW*} flag returns EPERM;
 * {@code clone3} returns ENOSYS (libc falls back to {@code clone}); everything else is allowed.
 */
public final class SeccompBpf {

  private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
  private static final int X32_SYSCALL_BIT = 0x40000000;
  private static final int RET_ALLOW = 0x7fff0000;
  private static final int RET_ERRNO = 0x00050000;
  private static final int EPERM = 1;
  private static final int ENOSYS = 38;
  private static final int NR_CLONE = 56;
  private static final int NR_CLONE3 = 435;

  private static final short LD_W_ABS = 0x20;
  private static final short JEQ_K = 0x15;
  private static final short JGE_K = 0x35;
  private static final short JSET_K = 0x45;
  private static final short RET_K = 0x06;

  /** x86_64 numbers of {@link SeccompProfile#DENIED} (those this ABI has). */
  static final Map<String, Integer> X86_64 =
      Map.ofEntries(
          Map.entry("acct", 163), Map.entry("add_key", 248), Map.entry("bpf", 321),
          Map.entry("clock_adjtime", 305), Map.entry("clock_settime", 227),
          Map.entry("create_module", 174), Map.entry("delete_module", 176),
          Map.entry("finit_module", 313), Map.entry("fsconfig", 431), Map.entry("fsmount", 432),
          Map.entry("fsopen", 430), Map.entry("fspick", 433), Map.entry("get_kernel_syms", 177),
          Map.entry("init_module", 175), Map.entry("ioperm", 173), Map.entry("iopl", 172),
          Map.entry("kcmp", 312), Map.entry("kexec_file_load", 320), Map.entry("kexec_load", 246),
          Map.entry("keyctl", 250), Map.entry("lookup_dcookie", 212), Map.entry("mount", 165),
          Map.entry("mount_setattr", 442), Map.entry("move_mount", 429),
          Map.entry("name_to_handle_at", 303), Map.entry("nfsservctl", 180),
          Map.entry("open_by_handle_at", 304), Map.entry("open_tree", 428),
          Map.entry("perf_event_open", 298), Map.entry("pivot_root", 155),
          Map.entry("process_vm_readv", 310), Map.entry("process_vm_writev", 311),
          Map.entry("ptrace", 101), Map.entry("query_module", 178), Map.entry("quotactl", 179),
          Map.entry("quotactl_fd", 443), Map.entry("reboot", 169), Map.entry("request_key", 249),
          Map.entry("setns", 308), Map.entry("settimeofday", 164), Map.entry("swapoff", 168),
          Map.entry("swapon", 167), Map.entry("_sysctl", 156), Map.entry("syslog", 103),
          Map.entry("umount2", 166), Map.entry("unshare", 272), Map.entry("uselib", 134),
          Map.entry("userfaultfd", 323), Map.entry("ustat", 136));

  private SeccompBpf() {}

  /** The program as {@code struct sock_filter[]} bytes, or empty where no table exists. */
  public static Optional<byte[]> forArch(String osArch) {
    if (!osArch.equals("amd64") && !osArch.equals("x86_64")) {
      return Optional.empty();
    }
    int namespaceFlags = 0;
    for (long f : SeccompProfile.CLONE_NAMESPACE_FLAGS) {
      namespaceFlags |= (int) f;
    }
    List<int[]> prog = new ArrayList<>(); // {code, jt, jf, k}; jt/jf < 0 name a label
    final int allow = -1;
    final int deny = -2;
    final int nosys = -3;
    prog.add(new int[] {LD_W_ABS, 0, 0, 4}); // arch
    prog.add(new int[] {JEQ_K, 1, 0, AUDIT_ARCH_X86_64});
    prog.add(new int[] {RET_K, 0, 0, RET_ERRNO | EPERM});
    prog.add(new int[] {LD_W_ABS, 0, 0, 0}); // nr
    prog.add(new int[] {JGE_K, deny, 0, X32_SYSCALL_BIT});
    for (String name : SeccompProfile.DENIED) {
      Integer nr = X86_64.get(name);
      if (nr != null) {
        prog.add(new int[] {JEQ_K, deny, 0, nr});
      }
    }
    prog.add(new int[] {JEQ_K, nosys, 0, NR_CLONE3});
    prog.add(new int[] {JEQ_K, 0, allow, NR_CLONE});
    prog.add(new int[] {LD_W_ABS, 0, 0, 16}); // low half of args[0]: the clone flags
    prog.add(new int[] {JSET_K, deny, allow, namespaceFlags});
    int allowAt = prog.size();
    prog.add(new int[] {RET_K, 0, 0, RET_ALLOW});
    int denyAt = prog.size();
    prog.add(new int[] {RET_K, 0, 0, RET_ERRNO | EPERM});
    int nosysAt = prog.size();
    prog.add(new int[] {RET_K, 0, 0, RET_ERRNO | ENOSYS});

    ByteBuffer out = ByteBuffer.allocate(prog.size() * 8).order(ByteOrder.nativeOrder());
    for (int i = 0; i < prog.size(); i++) {
      int[] ins = prog.get(i);
      out.putShort((short) ins[0]);
      out.put((byte) target(ins[1], i, allowAt, denyAt, nosysAt));
      out.put((byte) target(ins[2], i, allowAt, denyAt, nosysAt));
      out.putInt(ins[3]);
    }
    return Optional.of(out.array());
  }

  private static int target(int jump, int at, int allowAt, int denyAt, int nosysAt) {
    int dest;
    switch (jump) {
      case -1 -> dest = allowAt;
      case -2 -> dest = denyAt;
      case -3 -> dest = nosysAt;
      default -> {
        return jump;
      }
    }
    int offset = dest - at - 1;
    if (offset < 0 || offset > 255) {
      throw new IllegalStateException("BPF jump out of range: " + offset);
    }
    return offset;
  }
}
