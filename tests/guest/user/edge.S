// Edge cases of the integer and branch instructions, in three sections
// whose results are printed by dump_regs: bitfield/logical/move-wide,
// division/shift/multiply extremes, and branches (which record the paths
// taken as bits of x0).
    .text
    .global main
main:
    stp x29, x30, [sp, #-16]!

    // --- bitfield, extract, logical immediate, move wide, 1-source ---
    movz x0, #0x1234, lsl #48
    movk x0, #0x5678, lsl #32
    movk x0, #0x9abc, lsl #16
    movk x0, #0xdef0
    mov x1, #-1
    movn w2, #0x1234, lsl #16
    mov w3, #0x80000000
    sbfx x4, x0, #60, #4
    ubfx x5, x0, #1, #63
    sbfx w6, w0, #31, #1
    mov x7, x1
    bfi x7, x0, #5, #59
    mov w8, #0
    bfxil w8, w0, #0, #32
    sbfiz x9, x0, #63, #1
    ubfiz w10, w0, #31, #1
    asr x11, x0, #63
    lsr w12, w1, #31
    extr x13, x0, x1, #1
    extr w14, w0, w1, #31
    ror x15, x0, #63
    extr x16, x0, x3, #0
    and x17, x0, #0x5555555555555555
    orr w18, w0, #0xff00ff00
    eor x19, x0, #0x8000000000000001
    ands x20, x0, #0xf0f0f0f0f0f0f0f0
    sxtb x21, w0
    sxth x22, w1
    sxtw x23, w3
    uxtb w24, w1
    uxth w25, w0
    rbit x26, x0
    rev w27, w0
    rev16 x28, x0
    bl dump_regs
    rev32 x26, x0
    rev x27, x0
    rbit w28, w0
    mov x25, #0x3ffff
    bfi x25, xzr, #4, #8
    bl dump_regs

    // --- division, variable shifts, multiply ---
    mov x0, #0x8000000000000000
    mov x1, #-1
    sdiv x2, x0, x1
    sdiv x3, x0, xzr
    udiv x4, x1, xzr
    udiv x5, x1, x0
    mov w6, #0x80000000
    mov w7, #-1
    sdiv w8, w6, w7
    sdiv w9, w7, w6
    cls x10, x1
    cls w11, wzr
    clz x12, xzr
    clz w13, w6
    cls x14, x0
    mov x15, #200
    lsl x16, x1, x15
    lsr w17, w7, w15
    asr x18, x0, x15
    ror w19, w6, w15
    umulh x20, x1, x1
    smulh x21, x0, x0
    smulh x22, x0, x1
    mul x23, x0, x1
    smaddl x24, w7, w6, x1
    umaddl x25, w7, w7, x0
    smsubl x26, w6, w6, xzr
    umsubl x27, w7, w6, x1
    msub w28, w7, w6, w15
    bl dump_regs

    // --- branches: x0 collects one bit per path taken ---
    mov x0, #0
    mov x1, #0x100000000
    cbz w1, 1f
    orr x0, x0, #1
1:  cbnz x1, 2f
    orr x0, x0, #2
2:  mov x2, #0x8000000000000000
    tbnz x2, #63, 3f
    orr x0, x0, #4
3:  tbz w2, #0, 4f
    orr x0, x0, #8
4:  adr x3, 5f
    br x3
    orr x0, x0, #16
5:  adr x30, 6f
    ret
    orr x0, x0, #32
6:  adr x4, func
    blr x4
    adr x30, func2
    blr x30
    mov x7, x30
    b.nv 7f
    orr x0, x0, #64
7:  cmp x0, x0
    b.ne 8f
    orr x0, x0, #128
8:  mov x8, #0
    mov x9, #40
9:  add x8, x8, x9
    subs x9, x9, #1
    b.gt 9b
    tbnz x8, #5, 10f
    orr x0, x0, #256
10: bl dump_regs
    mov x0, #0
    ldp x29, x30, [sp], #16
    ret

func:
    mov x5, x30
    mov x6, #77
    ret
func2:
    mov x10, x30
    ret

    .section .note.GNU-stack, "", %progbits
