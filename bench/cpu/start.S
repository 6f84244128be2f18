// Entry of the CPU workload: EL1, MMU off, on either machine. Everything is
// PC-relative so the same code runs at any load address.
    .text
    .global _start
_start:
    // FP/SIMD on (CPACR_EL1.FPEN = 0b11) for the SIMD workload.
    mov x0, #(3 << 20)
    msr cpacr_el1, x0
    isb
    adr x0, stack_top
    mov sp, x0
    bl workload
    // PSCI SYSTEM_OFF through HVC (both machines use the HVC conduit).
    ldr x0, =0x84000008
    hvc #0
1:  wfi
    b 1b

    .bss
    .balign 16
    .space 65536
stack_top:
