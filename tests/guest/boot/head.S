// The 64-byte arm64 Image header (booting.rst), then the entry: save the
// registers the loader set (x0..x3) and the boot state before anything
// changes them, and call image_main(regs).
    .section .text.head, "ax"
    .global _start
_start:
    b entry                 // code0
    .long 0                 // code1
    .quad 0                 // text_offset
    .quad 0x200000          // image_size: 2 MiB (the stack lives in it)
    .quad 0xa               // flags: little-endian, 4K pages, anywhere
    .quad 0, 0, 0           // res2..res4
    .ascii "ARM\x64"        // magic
    .long 0                 // res5
entry:
    ldr x9, =boot_regs
    stp x0, x1, [x9, #0]
    stp x2, x3, [x9, #16]
    mrs x10, CurrentEL
    mrs x11, DAIF
    stp x10, x11, [x9, #32]
    mrs x10, SCTLR_EL1
    mrs x11, SPSel
    stp x10, x11, [x9, #48]
    ldr x10, =__stack_top
    mov sp, x10
    mov x0, x9
    bl image_main
1:  wfi
    b 1b
