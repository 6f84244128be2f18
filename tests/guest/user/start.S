// Runtime of the user-mode test programs: the entry point, the two Linux
// syscalls they use, and dump_regs (prints X0..X30 and NZCV as they were at
// the call, so asm tests compare their final register state as text).
    .text
    .global _start
_start:
    mov x29, #0
    mov x30, #0
    bl main
    mov x19, x0
    bl rt_flush
    mov x0, x19
    b exit

// long sys_write(int fd, const void* buf, size_t len)
    .global sys_write
sys_write:
    mov x8, #64
    svc #0
    ret

// void exit(int code)
    .global exit
exit:
    mov x8, #93
    svc #0
1:  b 1b

// void dump_regs(void): every register is preserved.
    .global dump_regs
dump_regs:
    sub sp, sp, #272
    stp x0, x1, [sp, #0]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    str x30, [sp, #240]
    mrs x0, nzcv
    str x0, [sp, #248]
    mov x0, sp
    bl rt_print_regs
    ldr x0, [sp, #248]
    msr nzcv, x0
    ldp x0, x1, [sp, #0]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    add sp, sp, #272
    ret

    .section .note.GNU-stack, "", %progbits
