# strata-init: PID 1 of a Strata sandbox container (x86_64 Linux, no libc).
#
# - reaps every orphan as soon as it dies (SIGCHLD through a signalfd), so zombies never
#   pile up against the pids limit;
# - exits, ending the container, when fd 0 reaches end-of-file: fd 0 is the read end of a
#   pipe whose only writer is the owning JVM, so the container dies with that JVM.
#
# Build: as strata-init-x86_64.S -o init.o && ld -static -N -s --build-id=none init.o -o init
    .text
    .globl _start
_start:
    mov $3, %eax           # close(1), close(2): PID 1 never writes; its signalfd takes fd 1,
    mov $1, %edi           # so that fds 0-2 are all that is open in the container
    syscall
    mov $3, %eax
    mov $2, %edi
    syscall
    mov $14, %eax          # rt_sigprocmask(SIG_BLOCK, &mask, NULL, 8)
    xor %edi, %edi
    lea mask(%rip), %rsi
    xor %edx, %edx
    mov $8, %r10d
    syscall
    mov $289, %eax         # signalfd4(-1, &mask, 8, SFD_NONBLOCK | SFD_CLOEXEC)
    mov $-1, %rdi
    lea mask(%rip), %rsi
    mov $8, %edx
    mov $0x80800, %r10d
    syscall
    mov %eax, sfd(%rip)    # on failure -1: poll ignores it and the timeout reaps instead
loop:
    xor %eax, %eax         # drain the signalfd: read(sfd, buf, 128), non-blocking
    mov sfd(%rip), %edi
    lea buf(%rip), %rsi
    mov $128, %edx
    syscall
reap:
    mov $61, %eax          # wait4(-1, NULL, WNOHANG, NULL)
    mov $-1, %rdi
    xor %esi, %esi
    mov $1, %edx
    xor %r10d, %r10d
    syscall
    test %rax, %rax
    jg reap                # reaped one: try again
    movw $0, pfd+6(%rip)   # clear revents of fd 0
    mov $7, %eax           # poll(pfd, 2, 10000)
    lea pfd(%rip), %rdi
    mov $2, %esi
    mov $10000, %edx
    syscall
    test %rax, %rax
    jle loop               # timeout or EINTR
    cmpw $0, pfd+6(%rip)
    je loop                # only SIGCHLD
    xor %eax, %eax         # read(0, buf, 128)
    xor %edi, %edi
    lea buf(%rip), %rsi
    mov $128, %edx
    syscall
    test %rax, %rax
    jg loop                # data: ignore it
    cmp $-4, %rax          # EINTR
    je loop
    mov $231, %eax         # EOF or error: exit_group(0)
    xor %edi, %edi
    syscall
    .data
mask: .quad 1 << 16        # SIGCHLD (17)
pfd:  .long 0              # fd 0
      .short 1             # POLLIN
      .short 0
sfd:  .long -1
      .short 1             # POLLIN
      .short 0
buf:  .space 128
