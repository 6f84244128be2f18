// NZCV edge cases: every flag-setting integer instruction (32 and 64 bit,
// shifted/extended operands, carry chains, conditional compares) over all
// pairs of an operand table; each result and the NZCV after it are folded
// into two accumulators, with the conditional selects on the way. The final
// registers are printed by dump_regs.
    .text
    .global main

.macro fold res
    mrs x9, nzcv
    eor x21, x9, x21, ror #5
    eor x22, \res, x22, ror #7
.endm

main:
    stp x29, x30, [sp, #-16]!
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28
    mov x\r, #0
    .endr
    adr x19, operands
    mov x20, #0
1:  mov x23, #0
2:  ldr x0, [x19, x20, lsl #3]
    ldr x1, [x19, x23, lsl #3]
    adds x2, x0, x1
    fold x2
    adds w2, w0, w1
    fold x2
    subs x2, x0, x1
    fold x2
    subs w2, w0, w1
    fold x2
    cmp x0, x1
    adcs x2, x0, x1
    fold x2
    cmp w1, w0
    adcs w2, w0, w1
    fold x2
    cmp x1, x0
    sbcs x2, x0, x1
    fold x2
    cmp w0, w1
    sbcs w2, w0, w1
    fold x2
    adc x2, x0, x1
    sbc w3, w0, w1
    eor x2, x2, x3
    fold x2
    ands x2, x0, x1
    fold x2
    bics w2, w0, w1
    fold x2
    ands w2, w0, w1, ror #13
    fold x2
    ccmp x0, x1, #5, ne
    fold xzr
    ccmn w0, w1, #10, ge
    fold xzr
    ccmp x0, #17, #3, hi
    fold xzr
    ccmn w1, #31, #0, vs
    fold xzr
    negs x2, x1
    fold x2
    ngcs w2, w0
    fold x2
    cmn w0, #0xfff
    fold xzr
    cmp x1, #1, lsl #12
    fold xzr
    adds x2, x0, x1, asr #7
    fold x2
    subs w2, w0, w1, lsr #31
    fold x2
    adds x2, x0, w1, sxtw #2
    fold x2
    subs x2, x0, w1, uxth #4
    fold x2
    cmp x0, w1, uxtb
    fold xzr
    cmn w0, w1, sxtb #1
    fold xzr
    subs x2, x0, x1
    csel x3, x0, x1, lt
    csinc x4, x0, x1, vs
    csinv w5, w0, w1, hi
    csneg x6, x0, x1, le
    cset x7, mi
    csetm w8, cc
    cinc x10, x0, ge
    cneg w11, w1, eq
    eor x22, x22, x3
    add x22, x22, x4
    eor x22, x22, x5, lsl #3
    sub x22, x22, x6
    add x22, x22, x7, lsl #11
    eor x22, x22, x8
    eor x22, x22, x10, ror #9
    eor x22, x22, x11
    add x23, x23, #1
    cmp x23, #(operands_end - operands) / 8
    b.lo 2b
    add x20, x20, #1
    cmp x20, #(operands_end - operands) / 8
    b.lo 1b
    bl dump_regs
    mov x0, #0
    ldp x29, x30, [sp], #16
    ret

    .balign 8
operands:
    .quad 0, 1, 2, 0x7f, 0x80, 0xffff
    .quad 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x17fffffff
    .quad 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
    .quad 0xfffffffffffffffe, 0x8000000080000000, 0x0123456789abcdef
operands_end:

    .section .note.GNU-stack, "", %progbits
