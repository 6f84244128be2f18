// Entry at 0x0010_0000: EL1, MMU off, DAIF masked (spec 3.1). Sets up the
// stack and the exception vectors, clears .bss and calls main().
    .section .text.start, "ax"
    .global _start
_start:
    ldr x0, =__stack_top
    mov sp, x0
    ldr x0, =vectors
    msr vbar_el1, x0
    isb
    ldr x0, =__bss_start
    ldr x1, =__bss_end
1:  cmp x0, x1
    b.hs 2f
    str xzr, [x0], #8
    b 1b
2:  bl main
    // main returned: power off through PSCI.
    ldr x0, =0x84000008
    hvc #0
3:  wfi
    b 3b

// PSCI CPU_ON entry of secondary CPUs: x0 (the context id) is the top of
// the CPU's stack; the CPU runs secondary_main() and then CPU_OFF.
    .global secondary_entry
secondary_entry:
    mov sp, x0
    ldr x1, =vectors
    msr vbar_el1, x1
    isb
    mrs x0, mpidr_el1
    and x0, x0, #0xff
    bl secondary_main
    ldr x0, =0x84000002
    hvc #0
4:  wfi
    b 4b

// Save the caller-saved registers, call the C handler, return with ERET.
.macro handler kind
    .balign 0x80
    sub sp, sp, #192
    stp x0, x1, [sp, #0]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x30, [sp, #144]
    mov x0, #\kind
    bl exception_handler
    ldp x0, x1, [sp, #0]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x30, [sp, #144]
    add sp, sp, #192
    eret
.endm

    .text
    .balign 0x800
vectors:
    // Current EL with SP0, then SPx, lower EL AArch64, lower EL AArch32:
    // kind = 4 * group + (0 sync, 1 IRQ, 2 FIQ, 3 SError).
    handler 0
    handler 1
    handler 2
    handler 3
    handler 4
    handler 5
    handler 6
    handler 7
    handler 8
    handler 9
    handler 10
    handler 11
    handler 12
    handler 13
    handler 14
    handler 15
