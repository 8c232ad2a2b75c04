/*
 * strata-init: PID 1 of a Strata PROCESS-tier container, and its exec agent. x86_64 Linux, no
 * libc, static. Built by src/main/c/build-init.sh; the binary is embedded in InitBinary.java.
 *
 * fd 0: requests from the owning JVM (the read end of a pipe only that JVM writes). End-of-file
 *       means the JVM is gone: PID 1 exits and the kernel kills everything in the namespace.
 * fd 1: responses to the JVM, fixed 12-byte records {u32 type, u32 id, i32 value}:
 *       1 STARTED (value = pid inside), 2 EXITED (value = wait status), 3 FAILED (value = errno).
 * fd 2: a signalfd for SIGCHLD, so orphans are reaped as soon as they die.
 *
 * A request: u32 length, then length bytes: u32 id, u32 argc, u32 envc, and NUL-terminated
 * strings: cwd, stdin FIFO, stdout FIFO, stderr FIFO, argv[argc], env[envc]. The child opens the
 * FIFOs (made by the JVM in a directory bind-mounted read-only into the container, so that no
 * command can swap one for a symlink) as fds 0-2, so a command
 * holds exactly fds 0-2; it inherits PID 1's namespaces, cgroup, seccomp filter, empty capability
 * sets, no_new_privs and rlimits, all set by the OCI runtime when it started PID 1.
 */
typedef unsigned long u64;
typedef unsigned int u32;
typedef long i64;

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_poll 7
#define SYS_rt_sigprocmask 14
#define SYS_dup2 33
#define SYS_fork 57
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_chdir 80
#define SYS_setsid 112
#define SYS_prctl 157
#define SYS_exit_group 231
#define SYS_signalfd4 289

#define O_RDONLY 0
#define O_WRONLY 1
#define EINTR 4
#define EAGAIN 11
#define MAX_REQUEST (1 << 20)
#define MAX_STRINGS 65536
#define MAX_CHILDREN 1024

static i64 sys(i64 n, i64 a, i64 b, i64 c, i64 d) {
  i64 ret;
  register i64 r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}

static char request[MAX_REQUEST];
static char *strings[MAX_STRINGS + 2];
static int child_pid[MAX_CHILDREN];
static u32 child_id[MAX_CHILDREN];
static u64 sigchld_mask = 1UL << (17 - 1);

static void die(void) { sys(SYS_exit_group, 0, 0, 0, 0); }

/* Reads exactly n bytes from fd 0; dies on end-of-file (the JVM is gone). */
static void read_fully(char *to, u64 n) {
  while (n > 0) {
    i64 r = sys(SYS_read, 0, (i64)to, n, 0);
    if (r == -EINTR || r == -EAGAIN) continue;
    if (r <= 0) die();
    to += r;
    n -= r;
  }
}

static void respond(u32 type, u32 id, int value) {
  u32 rec[3] = {type, id, (u32)value};
  /* one write of 12 bytes to a pipe is atomic; if the JVM is gone, so are we soon */
  sys(SYS_write, 1, (i64)rec, sizeof rec, 0);
}

static u64 len(const char *s) {
  u64 n = 0;
  while (s[n]) n++;
  return n;
}

static const char *strerror_of(i64 err) {
  switch (-err) {
    case 2: return "No such file or directory";
    case 8: return "Exec format error";
    case 13: return "Permission denied";
    case 20: return "Not a directory";
    case 21: return "Is a directory";
    case 36: return "File name too long";
    case 40: return "Too many levels of symbolic links";
    default: return 0;
  }
}

static void child_fail(const char *what, const char *arg, i64 err) {
  static const char digits[] = "0123456789";
  char num[24];
  int i = 23;
  u64 e = (u64)(-err);
  num[i] = 0;
  do {
    num[--i] = digits[e % 10];
    e /= 10;
  } while (e && i > 0);
  sys(SYS_write, 2, (i64) "strata-init: ", 13, 0);
  sys(SYS_write, 2, (i64)what, len(what), 0);
  sys(SYS_write, 2, (i64)arg, len(arg), 0);
  const char *text = strerror_of(err);
  if (text) {
    sys(SYS_write, 2, (i64) ": ", 2, 0);
    sys(SYS_write, 2, (i64)text, len(text), 0);
  } else {
    sys(SYS_write, 2, (i64) ": errno ", 8, 0);
    sys(SYS_write, 2, (i64)(num + i), len(num + i), 0);
  }
  sys(SYS_write, 2, (i64) "\n", 1, 0);
  /* 127 for a missing program (ENOENT), 126 for one that cannot run, as shells do */
  sys(SYS_exit, err == -2 ? 127 : 126, 0, 0, 0);
}

static void run_child(char *cwd, char *in, char *out, char *err, char **argv, char **envp) {
  u64 empty = 0;
  sys(SYS_setsid, 0, 0, 0, 0);
  /* the order matters: the JVM opens its ends in the same order */
  i64 fd0 = sys(SYS_open, (i64)in, O_RDONLY, 0, 0);
  i64 fd1 = sys(SYS_open, (i64)out, O_WRONLY, 0, 0);
  i64 fd2 = sys(SYS_open, (i64)err, O_WRONLY, 0, 0);
  if (fd0 < 0 || fd1 < 0 || fd2 < 0) sys(SYS_exit, 125, 0, 0, 0);
  /* fds 0-2 of PID 1 (request pipe, response pipe, signalfd) are replaced here */
  sys(SYS_dup2, fd0, 100, 0, 0);
  sys(SYS_dup2, fd1, 101, 0, 0);
  sys(SYS_dup2, fd2, 102, 0, 0);
  sys(SYS_close, fd0, 0, 0, 0);
  sys(SYS_close, fd1, 0, 0, 0);
  sys(SYS_close, fd2, 0, 0, 0);
  sys(SYS_dup2, 100, 0, 0, 0);
  sys(SYS_dup2, 101, 1, 0, 0);
  sys(SYS_dup2, 102, 2, 0, 0);
  sys(SYS_close, 100, 0, 0, 0);
  sys(SYS_close, 101, 0, 0, 0);
  sys(SYS_close, 102, 0, 0, 0);
  sys(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, (i64)&empty, 0, 8);
  i64 r = sys(SYS_chdir, (i64)cwd, 0, 0, 0);
  if (r < 0) child_fail("cannot change to directory ", cwd, r);
  r = sys(SYS_execve, (i64)argv[0], (i64)argv, (i64)envp, 0);
  child_fail("cannot execute ", argv[0], r);
}

static void handle_request(void) {
  u32 n;
  read_fully((char *)&n, 4);
  if (n < 12 || n > MAX_REQUEST - 1) die(); /* the JVM never sends that: a broken channel */
  read_fully(request, n);
  request[n] = 0;
  u32 *head = (u32 *)request;
  u32 id = head[0], argc = head[1], envc = head[2];
  u64 want = 4 + (u64)argc + envc;
  if (argc < 1 || want > MAX_STRINGS) {
    respond(3, id, 22 /* EINVAL */);
    return;
  }
  char *p = request + 12, *end = request + n;
  u64 i;
  for (i = 0; i < want; i++) {
    if (p >= end) {
      respond(3, id, 22);
      return;
    }
    strings[i] = p;
    p += len(p) + 1;
  }
  /* argv and envp need a NULL after them: shift env one slot up to make room */
  for (i = want; i > 4 + argc; i--) strings[i] = strings[i - 1];
  strings[4 + argc] = 0;
  strings[want + 1] = 0;
  char **argv = strings + 4, **envp = strings + 5 + argc;

  int slot = -1;
  for (i = 0; i < MAX_CHILDREN; i++) {
    if (child_pid[i] == 0) {
      slot = (int)i;
      break;
    }
  }
  if (slot < 0) {
    respond(3, id, EAGAIN);
    return;
  }
  i64 pid = sys(SYS_fork, 0, 0, 0, 0);
  if (pid == 0) run_child(strings[0], strings[1], strings[2], strings[3], argv, envp);
  if (pid < 0) {
    respond(3, id, (int)-pid);
    return;
  }
  child_pid[slot] = (int)pid;
  child_id[slot] = id;
  respond(1, id, (int)pid);
}

static void reap(void) {
  for (;;) {
    int status = 0;
    i64 pid = sys(SYS_wait4, -1, (i64)&status, 1 /* WNOHANG */, 0);
    if (pid <= 0) return;
    for (int i = 0; i < MAX_CHILDREN; i++) {
      if (child_pid[i] == pid) {
        child_pid[i] = 0;
        respond(2, child_id[i], status);
        break;
      }
    }
  }
}

struct pollfd {
  int fd;
  short events, revents;
};

void run(void) {
  static char drain[128];
  /* Not dumpable: /proc/1/fd, /proc/1/mem and the like need CAP_SYS_PTRACE, which no command
   * has, so no command can reach the JVM's pipes (inject requests, or hold the lifeline open).
   * Commands are dumpable again after their execve. */
  sys(SYS_prctl, 4 /* PR_SET_DUMPABLE */, 0, 0, 0);
  sys(SYS_close, 2, 0, 0, 0);
  sys(SYS_rt_sigprocmask, 0 /* SIG_BLOCK */, (i64)&sigchld_mask, 0, 8);
  i64 sfd = sys(SYS_signalfd4, -1, (i64)&sigchld_mask, 8, 0x80800 /* NONBLOCK|CLOEXEC */);
  struct pollfd fds[2] = {{0, 1 /* POLLIN */, 0}, {(int)sfd, 1, 0}};
  for (;;) {
    while (sfd >= 0 && sys(SYS_read, sfd, (i64)drain, sizeof drain, 0) > 0) {
    }
    reap();
    fds[0].revents = 0;
    fds[1].revents = 0;
    i64 r = sys(SYS_poll, (i64)fds, 2, sfd >= 0 ? -1 : 1000, 0);
    if (r > 0 && fds[0].revents) handle_request(); /* dies on end-of-file */
  }
}

__attribute__((naked, noreturn)) void _start(void) {
  __asm__ volatile("xor %ebp, %ebp\n\tand $-16, %rsp\n\tcall run\n\tud2");
}
