/**
 * The PROCESS tier: Linux namespaces, cgroups and seccomp through a real OCI runtime ({@code
 * runc}, or {@code crun} where it works) or, for hosts where no OCI runtime can run, {@code
 * bubblewrap}.
 *
 * <p>{@link dev.strata.sandbox.linux.LinuxSandboxProvider} is the only public type users need;
 * it is found by {@link java.util.ServiceLoader}. Spec options it reads:
 *
 * <ul>
 *   <li>{@code linux.runtime}: {@code runc}, {@code crun} or {@code bwrap} forces one driver
 *   <li>{@code linux.rootfs}: a root file system directory to use instead of read-only binds of
 *       the host's {@code /usr}, {@code /bin}, {@code /lib*}; mounted read-only, but the runtime
 *       creates missing mountpoints ({@code /proc}, {@code /dev}, {@code /tmp}, mount targets) in it
 *   <li>{@code linux.userns}: {@code true} adds a user namespace also when running as root
 *   <li>{@code linux.exec}: {@code agent} (default) runs commands through PID 1, the container's
 *       own small init; {@code runtime} runs each through {@code runc exec} (slower, same
 *       isolation)
 *   <li>{@code linux.tmpSize}: bytes for the {@code /tmp} tmpfs (default 64 MiB)
 *   <li>{@code linux.maxOpenFiles}: {@code RLIMIT_NOFILE} (default 1024)
 * </ul>
 */
@NullMarked
package dev.strata.sandbox.linux;

import org.jspecify.annotations.NullMarked;
