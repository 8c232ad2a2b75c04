/*
 * strata-agent: PID 1 of a Strata microVM, and the guest half of the agent protocol.
 *
 * It mounts /proc, /sys, /dev and /tmp, loads the kernel modules listed in /etc/strata/modules
 * (in that order, with finit_module), opens the virtio-serial port and then serves the host one
 * command at a time.
 *
 * Frames, both ways: u8 type, u32 big-endian payload length, payload.
 *   host -> guest: EXEC (argv, env, cwd, timeout), STDIN chunk (empty = end of input), KILL, POWEROFF
 *   guest -> host: READY (kernel release), STDOUT chunk, STDERR chunk, EXIT (status), LOG (text)
 *
 * The payload runs in its own process group with its own stdio pipes; on exit, timeout or KILL the
 * whole group is killed, so one command leaves nothing behind for the next. When the host end of
 * the port closes (the JVM died), the agent powers the VM off, so QEMU does not outlive its owner.
 *
 * Built static (gcc -static) by build-agent.sh during the Maven build; it depends on nothing in
 * the guest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
  T_EXEC = 1,
  T_STDIN = 2,
  T_KILL = 3,
  T_POWEROFF = 4,
  T_READY = 10,
  T_STDOUT = 11,
  T_STDERR = 12,
  T_EXIT = 13,
  T_LOG = 14,
};

enum { ST_EXITED = 0, ST_SIGNALED = 1, ST_TIMED_OUT = 2, ST_OOM = 3, ST_KILLED = 4, ST_START_FAILED = 5 };

static int port = -1;

static void logf_console(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "strata-agent: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

static void power_off(void) {
  sync();
  reboot(RB_POWER_OFF);
  /* Not every machine can power off; with -no-reboot QEMU exits on a reboot instead. */
  reboot(RB_AUTOBOOT);
  for (;;) pause();
}

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pfd = {fd, POLLOUT, 0};
        poll(&pfd, 1, 100);
        continue;
      }
      logf_console("write to host failed: %s; powering off", strerror(errno));
      power_off();
    }
    p += n;
    len -= (size_t)n;
  }
}

static void send_frame(int type, const void *payload, uint32_t len) {
  unsigned char hdr[5] = {(unsigned char)type, len >> 24, len >> 16, len >> 8, len};
  write_all(port, hdr, 5);
  if (len) write_all(port, payload, len);
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static void put_u64(unsigned char *p, uint64_t v) {
  put_u32(p, (uint32_t)(v >> 32));
  put_u32(p + 4, (uint32_t)v);
}
static uint32_t get_u32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned long oom_kills(void) {
  FILE *f = fopen("/proc/vmstat", "r");
  if (!f) return 0;
  char name[64];
  unsigned long value, result = 0;
  while (fscanf(f, "%63s %lu", name, &value) == 2) {
    if (strcmp(name, "oom_kill") == 0) result = value;
  }
  fclose(f);
  return result;
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, text, strlen(text)) < 0) { /* best effort */ }
    close(fd);
  }
}

/* ---- boot ---------------------------------------------------------------------------------- */

static void mount_basics(void) {
  mkdir("/proc", 0555);
  mkdir("/sys", 0555);
  mkdir("/dev", 0755);
  mkdir("/tmp", 01777);
  mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  mkdir("/dev/pts", 0755);
  mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, NULL);
  mkdir("/dev/shm", 01777);
  mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, NULL);
  mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

/* A cgroup for the payload: pids.max per command, and cgroup.kill for what escaped the process group. */
static int payload_cgroup;

static void setup_cgroup(void) {
  mkdir("/sys/fs/cgroup", 0755);
  if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
    logf_console("cgroup2: %s", strerror(errno));
    return;
  }
  write_file("/sys/fs/cgroup/cgroup.subtree_control", "+pids");
  if (mkdir("/sys/fs/cgroup/payload", 0755) == 0 || errno == EEXIST) payload_cgroup = 1;
}

static void load_modules(void) {
  FILE *f = fopen("/etc/strata/modules", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    int fd = open(line, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      logf_console("module %s: %s", line, strerror(errno));
      continue;
    }
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
      logf_console("loading %s failed: %s", line, strerror(errno));
    }
    close(fd);
  }
  fclose(f);
}

/* /etc/strata/config: lines "scratch <path> <bytes>", "readonly <path>", "loopback", "hostname <name>". */
static void apply_config(void) {
  FILE *f = fopen("/etc/strata/config", "r");
  if (!f) return;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char path[4000];
    unsigned long long bytes;
    if (sscanf(line, "scratch %3999s %llu", path, &bytes) == 2) {
      char opts[64];
      snprintf(opts, sizeof opts, "size=%llu,mode=1777", bytes);
      char cmd[4100];
      snprintf(cmd, sizeof cmd, "%s", path);
      /* mkdir -p */
      for (char *p = cmd + 1; *p; p++) {
        if (*p == '/') { *p = 0; mkdir(cmd, 0755); *p = '/'; }
      }
      mkdir(cmd, 0755);
      if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
        logf_console("scratch %s: %s", path, strerror(errno));
      }
    } else if (strncmp(line, "readonly ", 9) == 0) {
      const char *ro = line + 9;
      if (mount(ro, ro, NULL, MS_BIND | MS_REC, NULL) != 0 ||
          mount(NULL, ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
        logf_console("read-only %s: %s", ro, strerror(errno));
      }
    } else if (strcmp(line, "loopback") == 0) {
      int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      struct ifreq ifr;
      memset(&ifr, 0, sizeof ifr);
      strcpy(ifr.ifr_name, "lo");
      if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr)) != 0) {
        logf_console("loopback: %s", strerror(errno));
      }
      if (s >= 0) close(s);
    } else if (strncmp(line, "hostname ", 9) == 0) {
      sethostname(line + 9, strlen(line + 9));
    }
  }
  fclose(f);
}

static int open_port(void) {
  /* The port is the first virtio-serial port; devtmpfs makes the node once the driver binds. */
  long long deadline = now_ms() + 30000;
  for (;;) {
    DIR *d = opendir("/sys/class/virtio-ports");
    if (d) {
      struct dirent *e;
      while ((e = readdir(d))) {
        if (strncmp(e->d_name, "vport", 5) != 0) continue;
        char path[300];
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
        char name[64] = "";
        FILE *nf = fopen(path, "r");
        if (nf) {
          if (!fgets(name, sizeof name, nf)) name[0] = 0;
          fclose(nf);
        }
        if (strncmp(name, "strata.agent", 12) != 0) continue;
        snprintf(path, sizeof path, "/dev/%s", e->d_name);
        int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
          closedir(d);
          return fd;
        }
      }
      closedir(d);
    }
    if (now_ms() > deadline) {
      logf_console("no virtio-serial port named strata.agent after 30 s; powering off");
      power_off();
    }
    usleep(2000);
  }
}

/* ---- one command --------------------------------------------------------------------------- */

struct exec_state {
  pid_t pid;           /* 0 when nothing runs */
  int out, err, in;    /* our ends of the pipes, -1 when closed */
  int exited;          /* the main process has been reaped */
  long long exited_at;
  int wstatus;
  int killed_why;      /* 0, ST_TIMED_OUT or ST_KILLED */
  long long deadline;  /* ms, 0 for none */
  long long started;
  unsigned long oom_before;
  struct rusage usage;
  unsigned char *stdin_buf;
  size_t stdin_len, stdin_off;
  int stdin_eof;
};

static struct exec_state cur = {.pid = 0, .out = -1, .err = -1, .in = -1};

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void kill_group(void) {
  if (cur.pid > 0) kill(-cur.pid, SIGKILL);
  if (payload_cgroup) write_file("/sys/fs/cgroup/payload/cgroup.kill", "1");
}

static void send_exit(int status, int code, const char *message) {
  unsigned char buf[1 + 4 + 8 + 8 + 8 + 1024];
  size_t mlen = message ? strlen(message) : 0;
  if (mlen > 1024) mlen = 1024;
  buf[0] = (unsigned char)status;
  put_u32(buf + 1, (uint32_t)code);
  put_u64(buf + 5, (uint64_t)cur.usage.ru_maxrss * 1024);
  uint64_t cpu_us = (uint64_t)cur.usage.ru_utime.tv_sec * 1000000 + cur.usage.ru_utime.tv_usec +
                    (uint64_t)cur.usage.ru_stime.tv_sec * 1000000 + cur.usage.ru_stime.tv_usec;
  put_u64(buf + 13, cpu_us);
  put_u64(buf + 21, (uint64_t)(now_ms() - cur.started));
  memcpy(buf + 29, message, mlen);
  send_frame(T_EXIT, buf, (uint32_t)(29 + mlen));
}

static void finish_if_done(void) {
  if (cur.pid <= 0 || !cur.exited || cur.out >= 0 || cur.err >= 0) return;
  close_fd(&cur.in);
  free(cur.stdin_buf);
  cur.stdin_buf = NULL;
  unsigned long oom_after = oom_kills();
  int st = cur.wstatus;
  if (cur.killed_why == ST_TIMED_OUT) {
    send_exit(ST_TIMED_OUT, -1, "timed out; process group killed");
  } else if (oom_after > cur.oom_before &&
             ((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) ||
              (WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL))) {
    char msg[128];
    snprintf(msg, sizeof msg, "killed by the guest's OOM killer (%lu oom kill(s))",
             oom_after - cur.oom_before);
    send_exit(ST_OOM, -1, msg);
  } else if (cur.killed_why == ST_KILLED) {
    send_exit(ST_KILLED, -1, "killed at the host's request");
  } else if (WIFSIGNALED(st)) {
    char msg[128];
    snprintf(msg, sizeof msg, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    send_exit(ST_SIGNALED, WTERMSIG(st), msg);
  } else {
    send_exit(ST_EXITED, WEXITSTATUS(st), NULL);
  }
  cur.pid = 0;
}

/* Payload: u32 timeout ms, u32 max processes (0: no limit), then strings (u32 len + bytes):
 * argc, argv..., envc, env..., cwd. */
static void start_exec(const unsigned char *p, uint32_t len) {
  if (cur.pid > 0) {
    send_frame(T_LOG, "EXEC while a command runs: ignored", 34);
    return;
  }
  const unsigned char *end = p + len;
#define NEED(n) do { if ((size_t)(end - p) < (size_t)(n)) goto bad; } while (0)
  NEED(12);
  uint32_t timeout_ms = get_u32(p); p += 4;
  uint32_t max_procs = get_u32(p); p += 4;
  uint32_t argc = get_u32(p); p += 4;
  if (argc == 0 || argc > 100000) goto bad;
  char **argv = calloc(argc + 1, sizeof(char *));
  for (uint32_t i = 0; i < argc; i++) {
    NEED(4);
    uint32_t l = get_u32(p); p += 4;
    NEED(l);
    argv[i] = strndup((const char *)p, l); p += l;
  }
  NEED(4);
  uint32_t envc = get_u32(p); p += 4;
  if (envc > 100000) goto bad;
  char **envp = calloc(envc + 1, sizeof(char *));
  for (uint32_t i = 0; i < envc; i++) {
    NEED(4);
    uint32_t l = get_u32(p); p += 4;
    NEED(l);
    envp[i] = strndup((const char *)p, l); p += l;
  }
  NEED(4);
  uint32_t cl = get_u32(p); p += 4;
  NEED(cl);
  char *cwd = strndup((const char *)p, cl);
#undef NEED

  int o[2], e[2], i[2];
  if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC) || pipe2(i, O_CLOEXEC)) {
    send_frame(T_LOG, "pipe failed", 11);
    return;
  }
  if (payload_cgroup) {
    char limit[32];
    if (max_procs) snprintf(limit, sizeof limit, "%u", max_procs);
    else snprintf(limit, sizeof limit, "max");
    write_file("/sys/fs/cgroup/payload/pids.max", limit);
  }
  memset(&cur.usage, 0, sizeof cur.usage);
  cur.oom_before = oom_kills();
  cur.started = now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    write_file("/proc/self/oom_score_adj", "0");
    if (payload_cgroup) write_file("/sys/fs/cgroup/payload/cgroup.procs", "0");
    dup2(i[0], 0);
    dup2(o[1], 1);
    dup2(e[1], 2);
    if (cwd[0] && chdir(cwd) != 0) {
      dprintf(2, "strata-agent: cannot enter working directory %s: %s\n", cwd, strerror(errno));
      _exit(126);
    }
    environ = envp; /* execvpe searches the PATH of the command's environment, not the agent's */
    execvpe(argv[0], argv, envp);
    int err = errno;
    dprintf(2, "strata-agent: cannot run %s: %s\n", argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  close(o[1]);
  close(e[1]);
  close(i[0]);
  for (uint32_t k = 0; k < argc; k++) free(argv[k]);
  for (uint32_t k = 0; k < envc; k++) free(envp[k]);
  free(argv);
  free(envp);
  free(cwd);
  if (pid < 0) {
    close(o[0]); close(e[0]); close(i[1]);
    cur.exited = 1;
    send_exit(ST_START_FAILED, -1, "fork failed");
    return;
  }
  setpgid(pid, pid);
  cur.pid = pid;
  cur.out = o[0];
  cur.err = e[0];
  cur.in = i[1];
  fcntl(cur.in, F_SETFL, O_NONBLOCK);
  cur.exited = 0;
  cur.killed_why = 0;
  cur.deadline = timeout_ms ? cur.started + timeout_ms : 0;
  cur.stdin_buf = NULL;
  cur.stdin_len = cur.stdin_off = 0;
  cur.stdin_eof = 0;
  return;
bad:
  send_frame(T_LOG, "malformed EXEC frame", 20);
}

static void on_stdin(const unsigned char *p, uint32_t len) {
  if (cur.pid <= 0 || cur.in < 0) return;
  if (len == 0) {
    cur.stdin_eof = 1;
  } else {
    cur.stdin_buf = realloc(cur.stdin_buf, cur.stdin_len + len);
    memcpy(cur.stdin_buf + cur.stdin_len, p, len);
    cur.stdin_len += len;
  }
}

static void pump_stdin(void) {
  if (cur.in < 0) return;
  while (cur.stdin_off < cur.stdin_len) {
    ssize_t n = write(cur.in, cur.stdin_buf + cur.stdin_off, cur.stdin_len - cur.stdin_off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      close_fd(&cur.in); /* EPIPE: the payload stopped reading */
      return;
    }
    cur.stdin_off += (size_t)n;
  }
  if (cur.stdin_off == cur.stdin_len && cur.stdin_len > 0) {
    free(cur.stdin_buf);
    cur.stdin_buf = NULL;
    cur.stdin_len = cur.stdin_off = 0;
  }
  if (cur.stdin_eof) close_fd(&cur.in);
}

static void reap(void) {
  for (;;) {
    int st;
    struct rusage ru;
    pid_t p = wait4(-1, &st, WNOHANG, &ru);
    if (p <= 0) return;
    if (p == cur.pid && !cur.exited) {
      cur.exited = 1;
      cur.exited_at = now_ms();
      cur.wstatus = st;
      cur.usage = ru;
      /* Whatever the payload left running goes with it, in its group or its cgroup. */
      kill(-cur.pid, SIGKILL);
      if (payload_cgroup) write_file("/sys/fs/cgroup/payload/cgroup.kill", "1");
    }
  }
}

static void drain(int *fd, int type) {
  unsigned char buf[65536];
  for (;;) {
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
      send_frame(type, buf, (uint32_t)n);
      if (n < (ssize_t)sizeof buf) return;
      continue;
    }
    if (n < 0 && (errno == EINTR)) continue;
    if (n < 0 && errno == EAGAIN) return;
    close_fd(fd);
    return;
  }
}

/*
 * Runs one trivial command before announcing READY. Under emulation (TCG) the first fork and exec
 * of a VM costs over 100 ms while QEMU translates those kernel and busybox paths for the first
 * time; paying it during boot makes the first real command (and every command of a pre-booted,
 * pooled VM) as fast as the later ones.
 */
static void warm_up(void) {
  pid_t pid = fork();
  if (pid == 0) {
    char *argv[] = {"/bin/busybox", "true", NULL};
    char *envp[] = {"PATH=/bin", NULL};
    execve(argv[0], argv, envp);
    _exit(127);
  }
  if (pid > 0) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  }
}

/* ---- main loop ----------------------------------------------------------------------------- */

int main(void) {
  if (getpid() == 1) {
    mount_basics();
    int con = open("/dev/console", O_RDWR | O_CLOEXEC);
    if (con >= 0) {
      dup2(con, 1);
      dup2(con, 2);
      close(con);
    }
    load_modules();
    setup_cgroup();
    apply_config();
  }
  write_file("/proc/self/oom_score_adj", "-1000");
  setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
  warm_up();

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);

  port = open_port();
  struct utsname u;
  uname(&u);
  /* Blocks until the host connects: the port is not writable before. */
  send_frame(T_READY, u.release, (uint32_t)strlen(u.release));

  unsigned char *in = malloc(1 << 20);
  size_t in_cap = 1 << 20, in_len = 0;

  for (;;) {
    struct pollfd pf[5];
    int n = 0;
    pf[n++] = (struct pollfd){port, POLLIN, 0};
    pf[n++] = (struct pollfd){sfd, POLLIN, 0};
    int io = n, ie = -1, ii = -1;
    if (cur.out >= 0) pf[n++] = (struct pollfd){cur.out, POLLIN, 0};
    else io = -1;
    if (cur.err >= 0) { ie = n; pf[n++] = (struct pollfd){cur.err, POLLIN, 0}; }
    if (cur.in >= 0 && cur.stdin_off < cur.stdin_len) { ii = n; pf[n++] = (struct pollfd){cur.in, POLLOUT, 0}; }

    int timeout = -1;
    long long now = now_ms();
    if (cur.pid > 0 && cur.exited) timeout = 50; /* orphans holding the pipes get a grace */
    if (cur.pid > 0 && cur.deadline && !cur.killed_why) {
      long long left = cur.deadline - now;
      if (left < 0) left = 0;
      if (timeout < 0 || left < timeout) timeout = (int)left;
    }
    int r = poll(pf, n, timeout);
    if (r < 0 && errno != EINTR) {
      logf_console("poll: %s", strerror(errno));
      power_off();
    }
    now = now_ms();

    if (pf[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      reap();
    }
    if (io >= 0 && pf[io].revents) drain(&cur.out, T_STDOUT);
    if (ie >= 0 && pf[ie].revents) drain(&cur.err, T_STDERR);
    if (ii >= 0 && pf[ii].revents) pump_stdin();

    if (pf[0].revents & (POLLIN | POLLHUP)) {
      if (in_len == in_cap) {
        in_cap *= 2;
        in = realloc(in, in_cap);
      }
      ssize_t got = read(port, in + in_len, in_cap - in_len);
      if (got > 0) {
        in_len += (size_t)got;
      } else if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
        logf_console("host closed the agent port; powering off");
        kill_group();
        power_off();
      }
      size_t off = 0;
      while (in_len - off >= 5) {
        uint32_t len = get_u32(in + off + 1);
        if (in_len - off - 5 < len) {
          if (len + 5 > in_cap) {
            in_cap = len + 5;
            memmove(in, in + off, in_len - off);
            in_len -= off;
            off = 0;
            in = realloc(in, in_cap);
          }
          break;
        }
        int type = in[off];
        const unsigned char *payload = in + off + 5;
        off += 5 + len;
        switch (type) {
          case T_EXEC: start_exec(payload, len); break;
          case T_STDIN: on_stdin(payload, len); pump_stdin(); break;
          case T_KILL:
            if (cur.pid > 0 && !cur.killed_why) {
              cur.killed_why = ST_KILLED;
              kill_group();
            }
            break;
          case T_POWEROFF:
            kill_group();
            power_off();
            break;
          default:
            send_frame(T_LOG, "unknown frame type", 18);
        }
      }
      if (off > 0) {
        memmove(in, in + off, in_len - off);
        in_len -= off;
      }
    }

    if (cur.pid > 0 && cur.deadline && !cur.killed_why && now_ms() >= cur.deadline) {
      cur.killed_why = ST_TIMED_OUT;
      kill_group();
    }
    reap();
    if (cur.pid > 0 && cur.exited && now_ms() - cur.exited_at > 500) {
      /* A process that left the group still holds stdout or stderr: stop waiting for it. */
      close_fd(&cur.out);
      close_fd(&cur.err);
    }
    finish_if_done();
  }
}
