# strata-init: PID 1 of a sandbox container (x86_64, Linux syscalls, no libc).
# Reaps every orphan; exits (ending the container) when fd 0 reaches EOF, i.e.
# when the owning JVM, which holds the other end of the pipe, is gone.
    .text
    .globl _start
_start:
reap:
    mov $61, %eax          # wait4(-1, NULL, WNOHANG, NULL)
    mov $-1, %rdi
    xor %esi, %esi
    mov $1, %edx
    xor %r10d, %r10d
    syscall
    test %rax, %rax
    jg reap                # reaped one: try again
    mov $7, %eax           # poll(&pfd, 1, 1000)
    lea pfd(%rip), %rdi
    mov $1, %esi
    mov $1000, %edx
    syscall
    test %rax, %rax
    jle reap               # timeout or EINTR: reap and wait again
    xor %eax, %eax         # read(0, buf, 64)
    xor %edi, %edi
    lea buf(%rip), %rsi
    mov $64, %edx
    syscall
    test %rax, %rax
    jg reap                # data: ignore it
    cmp $-4, %rax          # EINTR
    je reap
    mov $231, %eax         # EOF or error: exit_group(0)
    xor %edi, %edi
    syscall
    .data
pfd: .long 0               # fd 0
     .short 1              # POLLIN
     .short 0
buf: .space 64
