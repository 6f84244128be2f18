// Hand-picked A64 instructions and the Op the decoder must name for each
// (after "//"). decoder_test assembles this file with aarch64-linux-gnu-as;
// one instruction per line, no pseudo-instructions that expand.
// Tier 0: integer data processing
add x0, x1, #4 // ADD_imm
adds w2, w3, #1, lsl #12 // ADDS_imm
sub sp, sp, #16 // SUB_imm
cmp x0, #5 // SUBS_imm
mov x29, sp // ADD_imm
add x0, x1, x2, lsl #3 // ADD_shift
adds x0, x1, x2, asr #63 // ADDS_shift
sub w0, w1, w2, lsr #31 // SUB_shift
neg x0, x1 // SUB_shift
cmp w0, w1 // SUBS_shift
add x0, sp, w1, uxtw #2 // ADD_ext
adds x0, x1, w2, sxtb // ADDS_ext
sub sp, sp, x1, uxtx #4 // SUB_ext
cmp x2, w1, sxtw // SUBS_ext
and x0, x1, #0xff // AND_imm
orr w0, w1, #0x0f0f0f0f // ORR_imm
eor x0, x1, #0x5555555555555555 // EOR_imm
tst w0, #0x3f0 // ANDS_imm
and x0, x1, x2, ror #7 // AND_shift
bic w0, w1, w2 // BIC_shift
orr x0, x1, x2, lsl #1 // ORR_shift
mov x2, x21 // ORR_shift
orn w0, w1, w2 // ORN_shift
mvn x0, x1 // ORN_shift
eor x0, x1, x2 // EOR_shift
eon x0, x1, x2 // EON_shift
ands w0, w1, w2 // ANDS_shift
bics x0, x1, x2 // BICS_shift
movz x1, #5, lsl #16 // MOVZ
movn w1, #0 // MOVN
movk x1, #7, lsl #48 // MOVK
adr x0, . // ADR
adrp x0, . // ADRP
sbfm x0, x1, #1, #2 // SBFM
sxtw x0, w0 // SBFM
asr w0, w1, #3 // SBFM
bfm w0, w1, #8, #15 // BFM
bfi x0, x1, #8, #8 // BFM
ubfm x0, x1, #3, #7 // UBFM
lsl w0, w0, #2 // UBFM
ubfx x0, x0, #4, #12 // UBFM
extr x0, x1, x2, #7 // EXTR
ror w0, w1, #5 // EXTR
adc x0, x1, x2 // ADC
adcs w0, w1, w2 // ADCS
sbc x0, x1, x2 // SBC
sbcs x0, x1, x2 // SBCS
ccmn x0, x1, #4, eq // CCMN_reg
ccmp w0, w1, #0, ne // CCMP_reg
ccmn x0, #3, #2, hi // CCMN_imm
ccmp x0, #31, #15, lt // CCMP_imm
csel x0, x1, x2, eq // CSEL
csinc w0, w1, w2, ne // CSINC
cset w0, eq // CSINC
csinv x0, x1, x2, ge // CSINV
csneg x0, x1, x2, lt // CSNEG
rbit x0, x1 // RBIT
rev16 w0, w1 // REV16
rev32 x0, x1 // REV32
rev w0, w1 // REV
rev x0, x1 // REV
clz x0, x1 // CLZ
cls w0, w1 // CLS
udiv x0, x1, x2 // UDIV
sdiv w0, w1, w2 // SDIV
lslv x0, x1, x2 // LSLV
lsrv w0, w1, w2 // LSRV
asrv x0, x1, x2 // ASRV
rorv x0, x1, x2 // RORV
madd x0, x1, x2, x3 // MADD
mul w0, w1, w2 // MADD
msub x0, x1, x2, x3 // MSUB
smaddl x0, w1, w2, x3 // SMADDL
smsubl x0, w1, w2, x3 // SMSUBL
smulh x0, x1, x2 // SMULH
umaddl x0, w1, w2, x3 // UMADDL
umsubl x0, w1, w2, x3 // UMSUBL
umulh x0, x1, x2 // UMULH
// Tier 0: branches, exceptions, system
b . // B
bl . // BL
b.ne . // B_cond
cbz x0, . // CBZ
cbnz w0, . // CBNZ
tbz x0, #63, . // TBZ
tbnz w0, #3, . // TBNZ
br x1 // BR
blr x2 // BLR
ret // RET
ret x3 // RET
eret // ERET
svc #0 // SVC
hvc #0 // HVC
smc #1 // SMC
brk #0x800 // BRK
hlt #0 // HLT
udf #0 // UDF
nop // NOP
yield // YIELD
wfe // WFE
wfi // WFI
sev // SEV
sevl // SEVL
hint #100 // HINT
bti c // HINT
paciasp // HINT
autiasp // HINT
csdb // HINT
clrex // CLREX
dsb sy // DSB
dsb ish // DSB
dmb ishld // DMB
isb // ISB
msr daifset, #2 // MSR_imm
msr daifclr, #0xf // MSR_imm
msr spsel, #1 // MSR_imm
dc zva, x0 // SYS
dc civac, x1 // SYS
ic ivau, x2 // SYS
ic iallu // SYS
tlbi vmalle1 // SYS
tlbi vae1is, x0 // SYS
at s1e1r, x0 // SYS
sysl x0, #0, c1, c2, #3 // SYSL
mrs x0, midr_el1 // MRS
mrs x1, nzcv // MRS
mrs x2, fpcr // MRS
msr sctlr_el1, x0 // MSR_reg
msr fpsr, x1 // MSR_reg
msr tpidr_el0, x3 // MSR_reg
// Tier 0: loads and stores
ldr x0, [x1, #8]! // LDR_imm_pre
ldr w0, [x1], #4 // LDR_imm_post
ldr x0, [x1, #16] // LDR_imm_uoff
ldr x0, [x1, x2, lsl #3] // LDR_reg
ldr w0, [x1, w2, sxtw] // LDR_reg
ldur x0, [x1, #-1] // LDUR
ldr x0, . // LDR_lit
ldrsw x0, . // LDRSW_lit
prfm pldl1keep, . // PRFM_lit
str x0, [sp, #-16]! // STR_imm_pre
str w0, [x1], #-4 // STR_imm_post
str x0, [x1, #4088] // STR_imm_uoff
str w0, [x1, x2] // STR_reg
stur w0, [x1, #3] // STUR
ldrb w0, [x1, #1]! // LDRB_imm_pre
ldrb w0, [x1], #1 // LDRB_imm_post
ldrb w0, [x1, #4095] // LDRB_imm_uoff
ldrb w0, [x1, x2] // LDRB_reg
ldurb w0, [x1, #-255] // LDURB
strb w0, [x1, #1]! // STRB_imm_pre
strb w0, [x1], #1 // STRB_imm_post
strb w0, [x1] // STRB_imm_uoff
strb w0, [x1, w2, uxtw] // STRB_reg
sturb w0, [x1, #-1] // STURB
ldrsb x0, [x1] // LDRSB_imm_uoff
ldrsb w0, [x1], #1 // LDRSB_imm_post
ldrsb w0, [x1, #-2]! // LDRSB_imm_pre
ldrsb x0, [x1, x2] // LDRSB_reg
ldursb w0, [x1, #-3] // LDURSB
ldrh w0, [x1, #2] // LDRH_imm_uoff
ldrh w0, [x1], #2 // LDRH_imm_post
ldrh w0, [x1, #2]! // LDRH_imm_pre
ldrh w0, [x1, x2, lsl #1] // LDRH_reg
ldurh w0, [x1, #1] // LDURH
strh w0, [x1, #2] // STRH_imm_uoff
strh w0, [x1], #2 // STRH_imm_post
strh w0, [x1, #2]! // STRH_imm_pre
strh w0, [x1, x2] // STRH_reg
sturh w0, [x1, #-7] // STURH
ldrsh x0, [x1, #2] // LDRSH_imm_uoff
ldrsh w0, [x1], #2 // LDRSH_imm_post
ldrsh x0, [x1, #2]! // LDRSH_imm_pre
ldrsh w0, [x1, x2] // LDRSH_reg
ldursh x0, [x1, #5] // LDURSH
ldrsw x0, [x1, #4] // LDRSW_imm_uoff
ldrsw x0, [x1], #4 // LDRSW_imm_post
ldrsw x0, [x1, #4]! // LDRSW_imm_pre
ldrsw x0, [x1, x2, lsl #2] // LDRSW_reg
ldursw x0, [x1, #-4] // LDURSW
prfm pstl2strm, [x0, #8] // PRFM_imm
prfm pldl1keep, [x0, x1] // PRFM_reg
prfum pldl1keep, [x0, #1] // PRFUM
stp x29, x30, [sp, #-16]! // STP_pre
ldp x29, x30, [sp], #16 // LDP_post
stp w0, w1, [x2, #8] // STP_off
ldp x0, x1, [x2, #-512] // LDP_off
stp x0, x1, [x2], #8 // STP_post
ldp w0, w1, [x2, #4]! // LDP_pre
ldpsw x0, x1, [x2] // LDPSW_off
ldpsw x0, x1, [x2], #8 // LDPSW_post
ldpsw x0, x1, [x2, #8]! // LDPSW_pre
stnp x0, x1, [x2] // STNP
ldnp w0, w1, [x2, #-4] // LDNP
// Tier 1: exclusives, acquire/release, unprivileged, SIMD&FP registers
ldxr x0, [x1] // LDXR
ldxrb w0, [x1] // LDXRB
ldxrh w0, [x1] // LDXRH
stxr w2, x0, [x1] // STXR
stxrb w2, w0, [x1] // STXRB
stxrh w2, w0, [x1] // STXRH
ldaxr w0, [x1] // LDAXR
ldaxrb w0, [x1] // LDAXRB
ldaxrh w0, [x1] // LDAXRH
stlxr w2, w0, [x1] // STLXR
stlxrb w2, w0, [x1] // STLXRB
stlxrh w2, w0, [x1] // STLXRH
ldxp x0, x1, [x2] // LDXP
stxp w3, x0, x1, [x2] // STXP
ldaxp w0, w1, [x2] // LDAXP
stlxp w3, w0, w1, [x2] // STLXP
ldar x0, [x1] // LDAR
ldarb w0, [x1] // LDARB
ldarh w0, [x1] // LDARH
stlr x0, [x1] // STLR
stlrb w0, [x1] // STLRB
stlrh w0, [x1] // STLRH
ldtr x0, [x1] // LDTR
ldtrb w0, [x1, #1] // LDTRB
ldtrh w0, [x1] // LDTRH
ldtrsb x0, [x1] // LDTRSB
ldtrsh w0, [x1] // LDTRSH
ldtrsw x0, [x1] // LDTRSW
sttr w0, [x1, #4] // STTR
sttrb w0, [x1] // STTRB
sttrh w0, [x1] // STTRH
ldr q0, [x1, #16] // LDR_simd_imm_uoff
ldr b0, [x1] // LDR_simd_imm_uoff
ldr h0, [x1], #2 // LDR_simd_imm_post
ldr s0, [x1, #4]! // LDR_simd_imm_pre
ldr d0, [x1, x2, lsl #3] // LDR_simd_reg
ldr q0, [x1, x2] // LDR_simd_reg
ldur q0, [x1, #-16] // LDUR_simd
ldr d0, . // LDR_simd_lit
ldr q1, . // LDR_simd_lit
str q0, [x1, #16] // STR_simd_imm_uoff
str d0, [x1], #8 // STR_simd_imm_post
str s0, [x1, #-4]! // STR_simd_imm_pre
str h0, [x1, x2] // STR_simd_reg
stur b0, [x1, #1] // STUR_simd
ldp q0, q1, [x0] // LDP_simd_off
ldp d0, d1, [x0], #16 // LDP_simd_post
ldp s0, s1, [x0, #8]! // LDP_simd_pre
stp q0, q1, [sp, #-32]! // STP_simd_pre
stp d0, d1, [x0], #-16 // STP_simd_post
stp s0, s1, [x0] // STP_simd_off
ldnp q0, q1, [x0] // LDNP_simd
stnp d0, d1, [x0] // STNP_simd
fmov x0, d0 // FMOV_gen
fmov s0, w1 // FMOV_gen
fmov v0.d[1], x1 // FMOV_gen
fmov x1, v0.d[1] // FMOV_gen
// Tier 2: scalar floating point
fmov d0, d1 // FMOV_reg
fmov s0, #1.0 // FMOV_imm
fadd d0, d1, d2 // FADD_scalar
fsub s0, s1, s2 // FSUB_scalar
fmul d0, d1, d2 // FMUL_scalar
fdiv d0, d1, d2 // FDIV_scalar
fnmul s0, s1, s2 // FNMUL_scalar
fmax d0, d1, d2 // FMAX_scalar
fmin d0, d1, d2 // FMIN_scalar
fmaxnm d0, d1, d2 // FMAXNM_scalar
fminnm s0, s1, s2 // FMINNM_scalar
fabs d0, d1 // FABS_scalar
fneg s0, s1 // FNEG_scalar
fsqrt d0, d1 // FSQRT_scalar
fmadd d0, d1, d2, d3 // FMADD
fmsub s0, s1, s2, s3 // FMSUB
fnmadd d0, d1, d2, d3 // FNMADD
fnmsub d0, d1, d2, d3 // FNMSUB
fcmp d0, d1 // FCMP
fcmp s0, #0.0 // FCMP
fcmpe d0, d1 // FCMPE
fccmp d0, d1, #0, eq // FCCMP
fccmpe s0, s1, #4, ne // FCCMPE
fcsel d0, d1, d2, eq // FCSEL
fcvt d0, s1 // FCVT
fcvt s0, d1 // FCVT
fcvt h0, d1 // FCVT
scvtf d0, x5 // SCVTF_gen
ucvtf s0, w0 // UCVTF_gen
scvtf d0, x1, #3 // SCVTF_gen_fix
ucvtf s0, w1, #32 // UCVTF_gen_fix
fcvtzs w2, d1 // FCVTZS_gen
fcvtzu x0, s0 // FCVTZU_gen
fcvtzs x0, d1, #8 // FCVTZS_gen_fix
fcvtzu w0, s1, #1 // FCVTZU_gen_fix
fcvtas w0, d0 // FCVTAS_gen
fcvtau x0, d0 // FCVTAU_gen
fcvtms w0, s0 // FCVTMS_gen
fcvtmu w0, s0 // FCVTMU_gen
fcvtns x0, d0 // FCVTNS_gen
fcvtnu x0, d0 // FCVTNU_gen
fcvtps w0, d0 // FCVTPS_gen
fcvtpu w0, d0 // FCVTPU_gen
frintn d0, d1 // FRINTN_scalar
frintp s0, s1 // FRINTP_scalar
frintm d0, d1 // FRINTM_scalar
frintz d0, d1 // FRINTZ_scalar
frinta d0, d1 // FRINTA_scalar
frintx s0, s1 // FRINTX_scalar
frinti d0, d1 // FRINTI_scalar
// Tier 2: Advanced SIMD
movi v4.16b, #0x33 // MOVI
movi d0, #0xff00ff00ff00ff00 // MOVI
movi v0.2d, #0 // MOVI
mvni v0.4s, #0 // MVNI
orr v0.4s, #1, lsl #8 // ORR_vec_imm
bic v4.8h, #0xf0 // BIC_vec_imm
fmov v0.4s, #1.0 // FMOV_vec_imm
fmov v0.2d, #-2.0 // FMOV_vec_imm
dup v0.16b, w1 // DUP_gen
dup v0.4s, v1.s[2] // DUP_elem
mov s0, v1.s[1] // DUP_elem_sisd
ins v0.s[1], w0 // INS_gen
mov v0.d[1], v1.d[0] // INS_elem
umov w0, v0.b[3] // UMOV
mov x0, v0.d[1] // UMOV
smov x0, v0.h[1] // SMOV
smov w0, v0.b[15] // SMOV
ext v0.16b, v2.16b, v3.16b, #15 // EXT
ext v0.8b, v1.8b, v2.8b, #7 // EXT
cmeq v2.16b, v1.16b, v0.16b // CMEQ_reg
cmeq d0, d1, d2 // CMEQ_reg_sisd
cmeq v0.4s, v1.4s, #0 // CMEQ_zero
cmhs v2.16b, v3.16b, v1.16b // CMHS_reg
cmhi v2.8h, v3.8h, v1.8h // CMHI_reg
cmge v2.2d, v3.2d, v1.2d // CMGE_reg
cmgt v2.4s, v3.4s, v1.4s // CMGT_reg
cmgt v2.4s, v3.4s, #0 // CMGT_zero
cmlt v2.16b, v3.16b, #0 // CMLT_zero
and v1.16b, v1.16b, v0.16b // AND_vec
orr v0.16b, v0.16b, v3.16b // ORR_vec
mov v0.16b, v1.16b // ORR_vec
eor v0.16b, v0.16b, v1.16b // EOR_vec
bic v0.8b, v0.8b, v1.8b // BIC_vec
orn v0.16b, v0.16b, v1.16b // ORN_vec
not v1.16b, v1.16b // NOT
bsl v0.16b, v1.16b, v2.16b // BSL_vec
bit v2.16b, v3.16b, v4.16b // BIT_vec
bif v2.16b, v3.16b, v4.16b // BIF_vec
add v0.2d, v0.2d, v1.2d // ADD_vec
add d0, d1, d2 // ADD_sisd
sub v0.2s, v0.2s, v8.2s // SUB_vec
addp v5.16b, v2.16b, v2.16b // ADDP_vec
addp d0, v1.2d // ADDP_sisd
umaxp v0.16b, v0.16b, v1.16b // UMAXP_vec
uminp v0.16b, v1.16b, v2.16b // UMINP_vec
addv b0, v1.16b // ADDV
umaxv h0, v1.8h // UMAXV
uminv s0, v1.4s // UMINV
shrn v3.8b, v2.8h, #4 // SHRN_vec
shrn2 v3.16b, v2.8h, #4 // SHRN_vec
xtn v0.2s, v0.2d // XTN
shl v0.4s, v1.4s, #3 // SHL_vec
shl d0, d1, #63 // SHL_sisd
ushr v0.16b, v1.16b, #1 // USHR_vec
sshr v0.2d, v1.2d, #64 // SSHR_vec
ushr d0, d1, #7 // USHR_sisd
sxtl v0.2d, v0.2s // SSHLL_vec
uxtl v0.8h, v0.8b // USHLL_vec
uxtl2 v0.4s, v0.8h // USHLL_vec
uaddw v0.8h, v1.8h, v2.8b // UADDW
uaddw2 v0.2d, v1.2d, v2.4s // UADDW
addhn v2.8b, v1.8h, v1.8h // ADDHN
uzp1 v2.4s, v2.4s, v4.4s // UZP1
uzp2 v2.16b, v2.16b, v4.16b // UZP2
zip1 v0.8h, v1.8h, v2.8h // ZIP1
zip2 v0.2d, v1.2d, v2.2d // ZIP2
trn1 v0.8b, v1.8b, v2.8b // TRN1
trn2 v0.4s, v1.4s, v2.4s // TRN2
rev16 v0.16b, v1.16b // REV16_vec
rev32 v0.8h, v1.8h // REV32_vec
rev64 v0.4s, v1.4s // REV64
cnt v0.8b, v1.8b // CNT
tbl v0.16b, {v1.16b}, v2.16b // TBL
tbl v0.16b, {v1.16b, v2.16b, v3.16b, v4.16b}, v5.16b // TBL
tbx v0.8b, {v1.16b, v2.16b}, v3.8b // TBX
ld1 {v0.16b}, [x0], #16 // LD1_mult
ld1 {v0.4s, v1.4s}, [x0] // LD1_mult
ld1 {v0.2d, v1.2d, v2.2d, v3.2d}, [x0], x2 // LD1_mult
st1 {v0.16b}, [x0] // ST1_mult
st1 {v0.8b, v1.8b, v2.8b}, [x0], #24 // ST1_mult
ld1r {v0.4s}, [x0] // LD1R
ld1r {v0.16b}, [x0], #1 // LD1R
ld1 {v0.s}[1], [x0] // LD1_single
st1 {v0.d}[1], [x0], #8 // ST1_single
ld2 {v0.8h, v1.8h}, [x0] // LD2_mult
st2 {v0.4s, v1.4s}, [x0], #32 // ST2_mult
ld3 {v0.16b, v1.16b, v2.16b}, [x0] // LD3_mult
st4 {v0.8b, v1.8b, v2.8b, v3.8b}, [x0] // ST4_mult
ld4r {v0.2s, v1.2s, v2.2s, v3.2s}, [x0] // LD4R
scvtf v0.4s, v1.4s // SCVTF_vec
scvtf d0, d1 // SCVTF_sisd
fcvtzs v0.2d, v1.2d // FCVTZS_vec
fcvtzs v0.4s, v1.4s, #3 // FCVTZS_vec_fix
fadd v0.4s, v1.4s, v2.4s // FADD_vec
fmul v0.2d, v1.2d, v2.d[1] // FMUL_elem
fmla v0.4s, v1.4s, v2.4s // FMLA_vec
fabs v0.2d, v1.2d // FABS_vec
mul v0.8h, v1.8h, v2.h[3] // MUL_elem
mul v0.4s, v1.4s, v2.4s // MUL_vec
umull v0.2d, v1.2s, v2.2s // UMULL_vec
smull2 v0.4s, v1.8h, v2.8h // SMULL_vec
pmull v0.8h, v1.8b, v2.8b // PMULL
sqadd v0.4s, v1.4s, v2.4s // SQADD_vec
uqsub b0, b1, b2 // UQSUB_sisd
sqxtn v0.4h, v1.4s // SQXTN
sqdmulh v0.4s, v1.4s, v2.s[1] // SQDMULH_elem
// Extensions the CPU treats as UNDEFINED (named for the cross-check)
ldaddal x0, x1, [x2] // LDADD
stadd w1, [x0] // LDADD
ldclrb w0, w1, [x2] // LDCLRB
swpal x2, x3, [x0] // SWP
casal x0, x1, [x2] // CAS
casb w0, w1, [x2] // CASB
caspal x0, x1, x2, x3, [x4] // CASP
ldapr x0, [x1] // LDAPR
ldaprb w0, [x1] // LDAPRB
pacia x0, x1 // PACIA
autiza x0 // AUTIZA
xpaci x0 // XPACI
retaa // RETAA
braaz x0 // BRAAZ
ldraa x0, [x1, #8]! // LDRAA
crc32cx w0, w1, x2 // CRC32CX
crc32b w0, w1, w2 // CRC32B
irg x0, x1 // IRG
stg x0, [x1, #16]! // STG
ldg x0, [x1] // LDG
aese v0.16b, v1.16b // AESE
sha256h q0, q1, v2.4s // SHA256H
sdot v0.4s, v1.16b, v2.16b // SDOT_vec
fadd h0, h1, h2 // FADD_scalar
fadd v0.8h, v1.8h, v2.8h // FADD_vec
ptrue p0.b // PTRUE
rdvl x0, #1 // RDVL
ldr z0, [x0, #1, mul vl] // LDR_sve_vec
add z0.s, z1.s, z2.s // SVE_other
cpyfp [x0]!, [x1]!, x2! // CPYFP
cpyfm [x0]!, [x1]!, x2! // CPYFM
cpyfe [x0]!, [x1]!, x2! // CPYFE
cpyp [x0]!, [x1]!, x2! // CPYP
cpym [x0]!, [x1]!, x2! // CPYM
cpye [x0]!, [x1]!, x2! // CPYE
setp [x0]!, x1!, x2 // SETP
setm [x0]!, x1!, x2 // SETM
sete [x0]!, x1!, x2 // SETE
setgp [x0]!, x1!, x2 // SETGP
setgm [x0]!, x1!, x2 // SETGM
setge [x0]!, x1!, x2 // SETGE
st64b x0, [x1] // ST64B
st64bv0 x2, x0, [x1] // ST64BV0
bc.eq . // BC_cond
// One instruction for (nearly) every table line: objdump's text for a word
// generated from the line's pattern, kept where the assembler re-encodes it
// to the same Op (branches/literals/MOPS are covered above).
udf #9581 // UDF
svc #0x3bbc // SVC
hvc #0x8be8 // HVC
smc #0x2a8b // SMC
brk #0x332c // BRK
hlt #0xf42d // HLT
tcancel #4640 // TCANCEL
dcps1 #0xc66d // DCPS1
dcps2 #0x78a8 // DCPS2
dcps3 #0xf15e // DCPS3
wfet x20 // WFET
wfit x13 // WFIT
nop // NOP
yield // YIELD
wfe // WFE
wfi // WFI
sev // SEV
sevl // SEVL
paciaz // HINT
clrex #0x4 // CLREX
dsb oshld // DSB
dsb synxs // DSB_nxs
dmb oshld // DMB
isb #0x5 // ISB
sb // SB
tcommit // TCOMMIT
cfinv // CFINV
xaflag // XAFLAG
axflag // AXFLAG
msr s0_2_c4_c12_7, xzr // MSR_imm
sys #6, C1, C5, #0, x8 // SYS
sysl x10, #7, C15, C12, #3 // SYSL
msr s2_6_c1_c6_6, x9 // MSR_reg
mrs x5, s2_6_c8_c3_1 // MRS
br x20 // BR
blr x17 // BLR
ret x13 // RET
eret // ERET
drps // DRPS
braaz x3 // BRAAZ
brabz x9 // BRABZ
blraaz x30 // BLRAAZ
blrabz x11 // BLRABZ
retaa // RETAA
retab // RETAB
eretaa // ERETAA
eretab // ERETAB
braa x14, x18 // BRAA
brab x16, x25 // BRAB
blraa xzr, x25 // BLRAA
blrab x25, x25 // BLRAB
add w24, w4, #0x912 // ADD_imm
adds x12, x5, #0xd5 // ADDS_imm
sub x29, x17, #0xb03, lsl #12 // SUB_imm
subs x5, sp, #0x577 // SUBS_imm
addg x15, x21, #0x350, #0xb // ADDG
subg x20, x25, #0x80, #0xf // SUBG
smax w15, w9, #-11 // SMAX_imm
umax x18, x16, #19 // UMAX_imm
smin w23, w6, #-117 // SMIN_imm
umin w20, w10, #113 // UMIN_imm
and x11, x0, #0x7ff800007ff800 // AND_imm
orr x23, x27, #0xffffffffff803fff // ORR_imm
eor w27, w13, #0x7fc00 // EOR_imm
ands x10, x25, #0x1ffe00001ffe00 // ANDS_imm
mov x23, #0xffffffffffff044d // MOVN
mov w10, #0xecd8 // MOVZ
movk x29, #0x1fd2 // MOVK
sbfiz w6, w5, #2, #5 // SBFM
bfxil w21, w5, #6, #2 // BFM
ubfiz w25, w28, #14, #15 // UBFM
extr w1, w17, wzr, #13 // EXTR
udiv x19, x15, x21 // UDIV
sdiv w19, w2, w22 // SDIV
lsl w5, w27, w9 // LSLV
lsr w26, w5, w20 // LSRV
asr w16, w9, w17 // ASRV
ror x11, x19, x26 // RORV
crc32b w4, w18, w7 // CRC32B
crc32h w1, w23, w17 // CRC32H
crc32w w22, w16, w13 // CRC32W
crc32x w21, w9, x26 // CRC32X
crc32cb w4, w14, w19 // CRC32CB
crc32ch w1, w7, w27 // CRC32CH
crc32cw w5, w2, w29 // CRC32CW
crc32cx w6, w3, x9 // CRC32CX
pacga x16, x14, x8 // PACGA
subp x27, x14, x8 // SUBP
irg x25, x7, x2 // IRG
gmi xzr, x4, x12 // GMI
subps x5, x17, x22 // SUBPS
smax x28, x14, x17 // SMAX_reg
umax w19, w2, w10 // UMAX_reg
smin w10, w27, w24 // SMIN_reg
umin x4, x22, x6 // UMIN_reg
rbit w16, w21 // RBIT
rev16 w19, w17 // REV16
rev w1, w21 // REV
rev32 x26, x23 // REV32
clz w17, w5 // CLZ
cls wzr, w26 // CLS
ctz x17, x26 // CTZ
cnt w25, w10 // CNT_gen
abs x0, x28 // ABS_gen
pacia x27, x26 // PACIA
pacib x23, x28 // PACIB
pacda x3, x28 // PACDA
pacdb x13, x13 // PACDB
autia x3, x5 // AUTIA
autib x5, x0 // AUTIB
autda x5, x15 // AUTDA
autdb x18, x30 // AUTDB
paciza x12 // PACIZA
pacizb x10 // PACIZB
pacdza x11 // PACDZA
pacdzb x2 // PACDZB
autiza x18 // AUTIZA
autizb x17 // AUTIZB
autdza x21 // AUTDZA
autdzb x29 // AUTDZB
xpaci x23 // XPACI
xpacd x6 // XPACD
and w10, w11, w8, lsl #16 // AND_shift
bic x10, x8, x9, lsr #59 // BIC_shift
orr x25, x19, x9, lsr #57 // ORR_shift
orn x9, x10, x22, asr #35 // ORN_shift
eor w0, w24, w7, lsr #14 // EOR_shift
eon x11, x19, x13, ror #62 // EON_shift
ands x10, x6, x9, lsl #5 // ANDS_shift
bics x12, x25, x0, lsr #23 // BICS_shift
add x3, x17, x13, lsr #31 // ADD_shift
adds x28, x27, x17, lsr #1 // ADDS_shift
sub x9, x11, x11, lsl #24 // SUB_shift
subs w10, w23, wzr, asr #8 // SUBS_shift
add x20, x30, w5, sxtb #3 // ADD_ext
adds x9, x30, w10, sxtw #2 // ADDS_ext
sub x27, x1, w29, sxtb // SUB_ext
subs x13, x11, w10, sxth // SUBS_ext
adc w24, w11, w5 // ADC
adcs w3, w2, w22 // ADCS
sbc x11, x16, x9 // SBC
sbcs w23, w15, w0 // SBCS
rmif x18, #0, #0 // RMIF
setf8 w13 // SETF8
setf16 w16 // SETF16
ccmn x1, x11, #0xe, al // CCMN_reg
ccmp x18, x6, #0xe, le // CCMP_reg
ccmn w18, #0xc, #0x0, eq // CCMN_imm
ccmp w27, #0x1c, #0x5, ge // CCMP_imm
csel x23, x9, x3, cc // CSEL
csinc w12, w30, w24, gt // CSINC
csinv x10, x9, x27, ls // CSINV
csneg x23, x29, x12, ge // CSNEG
madd w17, w11, w9, w6 // MADD
msub x2, xzr, x11, x1 // MSUB
smaddl x18, w17, w26, x1 // SMADDL
smsubl x0, w28, w19, x5 // SMSUBL
smulh x27, x2, x6 // SMULH
umaddl x0, w24, w24, x15 // UMADDL
umsubl x17, w30, w30, x30 // UMSUBL
umulh x21, x23, x1 // UMULH
stxrb w22, wzr, [x25] // STXRB
stlxrb w12, w0, [x9] // STLXRB
ldxrb w19, [x12] // LDXRB
ldaxrb w4, [x20] // LDAXRB
stxrh w29, w10, [x23] // STXRH
stlxrh wzr, w21, [x23] // STLXRH
ldxrh w20, [x16] // LDXRH
ldaxrh w10, [x17] // LDAXRH
stxr w19, x15, [x23] // STXR
stlxr w13, xzr, [x6] // STLXR
ldxr w23, [x11] // LDXR
ldaxr w27, [x11] // LDAXR
stlxp w28, x20, x18, [x16] // STLXP
ldxp x13, x30, [x20] // LDXP
ldaxp w20, w26, [x19] // LDAXP
caspa w2, w3, w18, w19, [x24] // CASP
stllrb w13, [x6] // STLLRB
stlrb w20, [x27] // STLRB
ldlarb w26, [x2] // LDLARB
ldarb w19, [x15] // LDARB
stllrh w29, [x26] // STLLRH
stlrh w3, [x23] // STLRH
ldlarh w14, [x3] // LDLARH
ldarh w3, [x22] // LDARH
stllr x7, [x23] // STLLR
stlr w4, [x22] // STLR
ldlar x3, [x19] // LDLAR
ldar w18, [x19] // LDAR
casab w6, w7, [x1] // CASB
casalh w27, w19, [x1] // CASH
casal x6, x2, [x28] // CAS
stlurb wzr, [x21, #-147] // STLURB
ldapurb w18, [x4, #65] // LDAPURB
ldapursb w29, [x14, #167] // LDAPURSB
stlurh w16, [x8, #-74] // STLURH
ldapurh w21, [x10, #-231] // LDAPURH
ldapursh x19, [x4, #-111] // LDAPURSH
stlur x25, [x2, #38] // STLUR
ldapur w8, [x10, #-69] // LDAPUR
ldapursw x19, [x9, #16] // LDAPURSW
stzgm x21, [x4] // STZGM
stg x20, [x15], #-3488 // STG
ldg x13, [x26, #-176] // LDG
stzg x15, [sp, #736]! // STZG
stgm x27, [x0] // STGM
st2g x30, [x15, #-3520]! // ST2G
ldgm x0, [x15] // LDGM
stz2g x8, [x7, #-480] // STZ2G
ld64b x10, [x21] // LD64B
st64bv x25, x22, [x22] // ST64BV
ldraa x25, [x21, #344]! // LDRAA
ldrab x18, [x4, #1672]! // LDRAB
strb w0, [x4], #-51 // STRB_imm_post
strb w11, [x0, #2]! // STRB_imm_pre
strb w5, [x21, #2559] // STRB_imm_uoff
strb w28, [x5, w19, uxtw #0] // STRB_reg
sturb w21, [x17, #-127] // STURB
sttrb w8, [x15, #155] // STTRB
ldrb w8, [x10], #-167 // LDRB_imm_post
ldrb w24, [x8, #129]! // LDRB_imm_pre
ldrb w3, [x28, #2964] // LDRB_imm_uoff
ldrb w18, [x10, x19, lsl #0] // LDRB_reg
ldurb w14, [x17, #106] // LDURB
ldtrb w17, [x4, #-31] // LDTRB
ldrsb x1, [x2], #240 // LDRSB_imm_post
ldrsb x8, [x6, #-133]! // LDRSB_imm_pre
ldrsb w12, [sp, #138] // LDRSB_imm_uoff
ldrsb x23, [x6, w1, uxtw] // LDRSB_reg
ldursb x3, [x6, #31] // LDURSB
ldtrsb x20, [x4, #-42] // LDTRSB
strh w5, [x20], #-10 // STRH_imm_post
strh w27, [x19, #-158]! // STRH_imm_pre
strh wzr, [x3, #2702] // STRH_imm_uoff
strh w0, [x25, w29, sxtw #1] // STRH_reg
sturh w26, [x13, #-79] // STURH
sttrh w23, [x15, #99] // STTRH
ldrh w6, [x30], #-33 // LDRH_imm_post
ldrh w14, [x3, #-70]! // LDRH_imm_pre
ldrh w22, [x27, #7098] // LDRH_imm_uoff
ldrh w23, [x11, x20] // LDRH_reg
ldurh w21, [sp, #233] // LDURH
ldtrh w28, [x20, #-173] // LDTRH
ldrsh w0, [x7], #111 // LDRSH_imm_post
ldrsh w15, [x8, #-120]! // LDRSH_imm_pre
ldrsh w15, [x15, #4974] // LDRSH_imm_uoff
ldrsh w10, [x13, w23, uxtw #1] // LDRSH_reg
ldursh w20, [sp, #104] // LDURSH
ldtrsh w24, [x8, #233] // LDTRSH
str w7, [x12], #9 // STR_imm_post
str x0, [sp, #117]! // STR_imm_pre
str w18, [x30, #15164] // STR_imm_uoff
str x5, [sp, w6, sxtw] // STR_reg
stur x21, [x14, #169] // STUR
sttr xzr, [x18, #-138] // STTR
ldr w7, [x4], #132 // LDR_imm_post
ldr x15, [x3, #-21]! // LDR_imm_pre
ldr x6, [x10, #13320] // LDR_imm_uoff
ldr x11, [x10, x13] // LDR_reg
ldur w29, [x7, #6] // LDUR
ldtr x5, [x6, #-41] // LDTR
ldrsw x10, [x21], #-3 // LDRSW_imm_post
ldrsw x6, [x5, #-76]! // LDRSW_imm_pre
ldrsw x26, [x20, #2432] // LDRSW_imm_uoff
ldrsw x15, [x5, x17, sxtx #2] // LDRSW_reg
ldursw x17, [x10, #-148] // LDURSW
ldtrsw x9, [x24, #-88] // LDTRSW
prfm #0x1f, [x2, #6696] // PRFM_imm
prfm pldl1strm, [x15, x22, sxtx #3] // PRFM_reg
prfum #0x1a, [x2, #-173] // PRFUM
str h6, [x15], #-147 // STR_simd_imm_post
str h22, [x16, #202]! // STR_simd_imm_pre
str b22, [sp, #911] // STR_simd_imm_uoff
str h23, [x1, x11] // STR_simd_reg
stur h13, [x1, #191] // STUR_simd
ldr b13, [x6], #13 // LDR_simd_imm_post
ldr s8, [x22, #104]! // LDR_simd_imm_pre
ldr b15, [x20, #1300] // LDR_simd_imm_uoff
ldr h7, [x0, x3, sxtx #1] // LDR_simd_reg
ldur s29, [sp, #16] // LDUR_simd
stnp x17, x2, [x29, #152] // STNP
ldnp w24, w21, [x25, #-100] // LDNP
stp x18, x8, [x1], #240 // STP_post
stp xzr, x28, [x23, #-368] // STP_off
stp w27, w2, [x22, #164]! // STP_pre
ldp x12, x14, [x3], #-464 // LDP_post
ldp w28, w0, [x20, #-128] // LDP_off
ldp w0, w27, [x8, #-112]! // LDP_pre
ldpsw x17, x27, [x1], #-252 // LDPSW_post
ldpsw x3, x27, [x0, #80] // LDPSW_off
ldpsw x19, x22, [x8, #-148]! // LDPSW_pre
stgp x13, x23, [x1], #-96 // STGP_post
stgp x24, x21, [x16, #400] // STGP_off
stgp x24, xzr, [sp, #-608]! // STGP_pre
stnp d27, d1, [x8, #-512] // STNP_simd
ldnp q29, q22, [x23, #944] // LDNP_simd
stp q11, q2, [x4], #-368 // STP_simd_post
stp q5, q12, [x5, #656] // STP_simd_off
stp d19, d30, [x0, #64]! // STP_simd_pre
ldp d22, d23, [x23], #248 // LDP_simd_post
ldp q29, q15, [x29, #-464]! // LDP_simd_pre
ldaddalb w1, w17, [x12] // LDADDB
ldaddalh w6, w9, [x20] // LDADDH
ldadd w26, w2, [x9] // LDADD
ldclrb w3, w23, [x3] // LDCLRB
ldclrah w24, w27, [x30] // LDCLRH
ldclrl w12, w6, [x23] // LDCLR
ldeorab w30, w5, [x1] // LDEORB
ldeorah w8, w30, [x21] // LDEORH
ldeoral x11, x18, [x7] // LDEOR
ldsetalb w15, w9, [x12] // LDSETB
ldsetalh w28, w20, [x24] // LDSETH
ldset w7, w16, [x4] // LDSET
stsmaxlb w10, [x25] // LDSMAXB
ldsmaxh w12, w17, [x11] // LDSMAXH
ldsmaxal x6, x9, [x0] // LDSMAX
ldsminab w15, w14, [x0] // LDSMINB
ldsminalh w26, w11, [x5] // LDSMINH
ldsminal w30, w27, [x30] // LDSMIN
ldumaxb w28, w14, [x14] // LDUMAXB
ldumaxlh w18, w9, [x26] // LDUMAXH
ldumax x19, x10, [x11] // LDUMAX
lduminb w29, w14, [x17] // LDUMINB
lduminh w5, w23, [x16] // LDUMINH
ldumina w10, w8, [x14] // LDUMIN
swpab w1, w12, [x4] // SWPB
swplh w10, w6, [x7] // SWPH
swpal x13, x23, [x30] // SWP
ldaprb w4, [x5] // LDAPRB
ldaprh w0, [x0] // LDAPRH
ldapr x4, [sp] // LDAPR
st1 {v22.8h-v25.8h}, [x27] // ST1_mult
st2 {v5.16b, v6.16b}, [x14] // ST2_mult
st3 {v13.4h-v15.4h}, [x22] // ST3_mult
st4 {v17.4h-v20.4h}, [x7] // ST4_mult
ld1 {v20.16b-v23.16b}, [x14] // LD1_mult
ld2 {v15.2s, v16.2s}, [x30] // LD2_mult
ld3 {v22.8b-v24.8b}, [x7] // LD3_mult
ld4 {v4.2s-v7.2s}, [x23] // LD4_mult
st1 {v14.b}[14], [x12] // ST1_single
st2 {v3.b, v4.b}[6], [x17] // ST2_single
st3 {v10.b-v12.b}[8], [x11] // ST3_single
st4 {v28.b-v31.b}[8], [x19] // ST4_single
ld1 {v27.b}[14], [x24] // LD1_single
ld2 {v26.b, v27.b}[7], [x8] // LD2_single
ld3 {v3.b-v5.b}[10], [x22] // LD3_single
ld4 {v0.b-v3.b}[4], [x3] // LD4_single
ld1r {v13.1d}, [x22] // LD1R
ld2r {v2.8h, v3.8h}, [x10] // LD2R
ld3r {v14.2s-v16.2s}, [x6] // LD3R
ld4r {v2.1d-v5.1d}, [x19] // LD4R
shadd v16.16b, v18.16b, v12.16b // SHADD_vec
sqadd v15.2s, v27.2s, v28.2s // SQADD_vec
sqadd s3, s15, s12 // SQADD_sisd
srhadd v25.8h, v22.8h, v7.8h // SRHADD_vec
shsub v7.8b, v29.8b, v24.8b // SHSUB_vec
sqsub v31.8h, v15.8h, v11.8h // SQSUB_vec
sqsub h0, h19, h1 // SQSUB_sisd
cmgt v7.16b, v5.16b, v8.16b // CMGT_reg
cmgt d15, d28, d21 // CMGT_reg_sisd
cmge v3.2s, v11.2s, v10.2s // CMGE_reg
cmge d3, d29, d31 // CMGE_reg_sisd
sshl v31.2s, v11.2s, v28.2s // SSHL_vec
sshl d0, d21, d11 // SSHL_sisd
sqshl v4.8b, v14.8b, v10.8b // SQSHL_reg
sqshl h29, h12, h18 // SQSHL_reg_sisd
srshl v25.8h, v9.8h, v31.8h // SRSHL_vec
srshl d13, d0, d10 // SRSHL_sisd
sqrshl v8.4h, v29.4h, v13.4h // SQRSHL_vec
sqrshl d3, d14, d3 // SQRSHL_sisd
smax v29.4h, v24.4h, v29.4h // SMAX_vec
smin v4.4h, v18.4h, v30.4h // SMIN_vec
sabd v23.2s, v0.2s, v13.2s // SABD_vec
saba v30.16b, v4.16b, v16.16b // SABA_vec
add v18.4h, v15.4h, v0.4h // ADD_vec
add d29, d17, d10 // ADD_sisd
cmtst v2.4h, v23.4h, v18.4h // CMTST_vec
cmtst d11, d17, d9 // CMTST_sisd
mla v21.16b, v0.16b, v5.16b // MLA_vec
mul v13.8b, v25.8b, v11.8b // MUL_vec
smaxp v29.8h, v15.8h, v2.8h // SMAXP_vec
sminp v21.2s, v19.2s, v4.2s // SMINP_vec
sqdmulh v22.8h, v6.8h, v14.8h // SQDMULH_vec
sqdmulh h29, h20, h27 // SQDMULH_sisd
addp v25.2s, v16.2s, v22.2s // ADDP_vec
uhadd v27.4s, v23.4s, v8.4s // UHADD_vec
uqadd v17.16b, v0.16b, v6.16b // UQADD_vec
uqadd d27, d11, d16 // UQADD_sisd
urhadd v5.16b, v31.16b, v25.16b // URHADD_vec
uhsub v21.4h, v19.4h, v30.4h // UHSUB_vec
uqsub v28.16b, v17.16b, v3.16b // UQSUB_vec
uqsub d17, d25, d18 // UQSUB_sisd
cmhi v30.8h, v24.8h, v3.8h // CMHI_reg
cmhi d31, d28, d27 // CMHI_reg_sisd
cmhs v6.4s, v18.4s, v13.4s // CMHS_reg
cmhs d16, d28, d14 // CMHS_reg_sisd
ushl v5.16b, v26.16b, v24.16b // USHL_vec
ushl d27, d22, d22 // USHL_sisd
uqshl v17.2d, v24.2d, v6.2d // UQSHL_reg
uqshl h12, h5, h17 // UQSHL_reg_sisd
urshl v2.2d, v24.2d, v25.2d // URSHL_vec
urshl d15, d16, d19 // URSHL_sisd
uqrshl v4.2s, v18.2s, v31.2s // UQRSHL_vec
uqrshl s26, s1, s7 // UQRSHL_sisd
umax v17.2s, v9.2s, v10.2s // UMAX_vec
umin v0.8b, v5.8b, v6.8b // UMIN_vec
uabd v1.16b, v18.16b, v24.16b // UABD_vec
uaba v18.2s, v4.2s, v19.2s // UABA_vec
sub v27.4s, v5.4s, v11.4s // SUB_vec
sub d8, d24, d2 // SUB_sisd
cmeq v11.4h, v6.4h, v4.4h // CMEQ_reg
cmeq d13, d11, d31 // CMEQ_reg_sisd
mls v18.4h, v21.4h, v28.4h // MLS_vec
pmul v9.16b, v29.16b, v11.16b // PMUL_vec
umaxp v2.4h, v15.4h, v2.4h // UMAXP_vec
uminp v26.8h, v24.8h, v30.8h // UMINP_vec
sqrdmulh v21.4h, v8.4h, v12.4h // SQRDMULH_vec
sqrdmulh s20, s31, s9 // SQRDMULH_sisd
and v6.16b, v15.16b, v13.16b // AND_vec
bic v20.16b, v10.16b, v16.16b // BIC_vec
orr v5.8b, v8.8b, v18.8b // ORR_vec
orn v21.16b, v1.16b, v1.16b // ORN_vec
eor v8.8b, v24.8b, v19.8b // EOR_vec
bsl v18.16b, v26.16b, v25.16b // BSL_vec
bit v13.8b, v31.8b, v23.8b // BIT_vec
bif v23.8b, v19.8b, v1.8b // BIF_vec
fmaxnm v9.2d, v28.2d, v31.2d // FMAXNM_vec
fmla v13.2d, v18.2d, v29.2d // FMLA_vec
fadd v1.2s, v10.2s, v14.2s // FADD_vec
fmulx v18.2d, v18.2d, v25.2d // FMULX_vec
fmulx s17, s12, s4 // FMULX_sisd
fcmeq v27.4s, v5.4s, v2.4s // FCMEQ_reg
fcmeq d22, d3, d21 // FCMEQ_reg_sisd
fmax v4.4s, v19.4s, v5.4s // FMAX_vec
frecps v27.4s, v30.4s, v20.4s // FRECPS_vec
frecps d11, d18, d0 // FRECPS_sisd
fminnm v11.2d, v20.2d, v29.2d // FMINNM_vec
fmls v3.2s, v14.2s, v8.2s // FMLS_vec
fsub v5.4s, v16.4s, v28.4s // FSUB_vec
fmin v27.2s, v6.2s, v14.2s // FMIN_vec
frsqrts v21.2d, v15.2d, v22.2d // FRSQRTS_vec
frsqrts s28, s1, s17 // FRSQRTS_sisd
fmaxnmp v19.2d, v25.2d, v10.2d // FMAXNMP_vec
faddp v15.2s, v2.2s, v12.2s // FADDP_vec
fmul v28.2d, v9.2d, v24.2d // FMUL_vec
fcmge v1.4s, v27.4s, v8.4s // FCMGE_reg
fcmge d15, d4, d11 // FCMGE_reg_sisd
facge v18.4s, v14.4s, v4.4s // FACGE_vec
facge d30, d13, d12 // FACGE_sisd
fmaxp v30.2d, v30.2d, v0.2d // FMAXP_vec
fdiv v2.2d, v8.2d, v18.2d // FDIV_vec
fminnmp v17.2d, v11.2d, v27.2d // FMINNMP_vec
fabd v16.2s, v5.2s, v14.2s // FABD_vec
fabd s12, s20, s11 // FABD_sisd
fcmgt v9.2d, v27.2d, v10.2d // FCMGT_reg
fcmgt d26, d26, d27 // FCMGT_reg_sisd
facgt v16.2s, v22.2s, v24.2s // FACGT_vec
facgt s19, s7, s19 // FACGT_sisd
fminp v31.2d, v15.2d, v10.2d // FMINP_vec
fmlal v27.4s, v19.4h, v12.4h // FMLAL_vec
fmlsl v14.2s, v8.2h, v13.2h // FMLSL_vec
fmlal2 v5.2s, v0.2h, v27.2h // FMLAL2_vec
fmlsl2 v2.2s, v14.2h, v29.2h // FMLSL2_vec
rev64 v1.16b, v13.16b // REV64
rev16 v10.8b, v30.8b // REV16_vec
saddlp v21.1d, v19.2s // SADDLP
suqadd v17.4h, v12.4h // SUQADD
suqadd b9, b6 // SUQADD_sisd
cls v4.8b, v13.8b // CLS_vec
cnt v6.8b, v25.8b // CNT
sadalp v24.4s, v4.8h // SADALP
sqabs v21.4s, v23.4s // SQABS
sqabs d12, d23 // SQABS_sisd
cmgt v8.2d, v22.2d, #0 // CMGT_zero
cmgt d30, d29, #0 // CMGT_zero_sisd
cmeq v15.2d, v19.2d, #0 // CMEQ_zero
cmeq d9, d1, #0 // CMEQ_zero_sisd
cmlt v3.2d, v3.2d, #0 // CMLT_zero
cmlt d8, d17, #0 // CMLT_zero_sisd
abs v26.8h, v23.8h // ABS
abs d23, d23 // ABS_sisd
xtn v30.4h, v17.4s // XTN
sqxtn v25.8b, v7.8h // SQXTN
sqxtn b29, h16 // SQXTN_sisd
fcvtn2 v5.8h, v25.4s // FCVTN
fcvtl v28.4s, v4.4h // FCVTL
frintn v20.2d, v22.2d // FRINTN_vec
frintm v13.2d, v20.2d // FRINTM_vec
fcvtns v20.2s, v1.2s // FCVTNS_vec
fcvtns s11, s14 // FCVTNS_sisd
fcvtms v4.2s, v29.2s // FCVTMS_vec
fcvtms d29, d28 // FCVTMS_sisd
fcvtas v0.2d, v8.2d // FCVTAS_vec
fcvtas d0, d22 // FCVTAS_sisd
scvtf v19.2s, v21.2s // SCVTF_vec
scvtf s3, s22 // SCVTF_sisd
frint32z v13.4s, v22.4s // FRINT32Z_vec
frint64z v16.2d, v6.2d // FRINT64Z_vec
fcmgt v19.2d, v14.2d, #0.0 // FCMGT_zero
fcmgt s17, s11, #0.0 // FCMGT_zero_sisd
fcmeq v4.4s, v20.4s, #0.0 // FCMEQ_zero
fcmeq s17, s17, #0.0 // FCMEQ_zero_sisd
fcmlt v8.2d, v23.2d, #0.0 // FCMLT_zero
fcmlt d3, d10, #0.0 // FCMLT_zero_sisd
fabs v26.2s, v18.2s // FABS_vec
frintp v31.2s, v2.2s // FRINTP_vec
frintz v11.4s, v11.4s // FRINTZ_vec
fcvtps v1.2d, v19.2d // FCVTPS_vec
fcvtps d0, d20 // FCVTPS_sisd
fcvtzs v15.2d, v6.2d // FCVTZS_vec
fcvtzs s1, s28 // FCVTZS_sisd
urecpe v22.2s, v26.2s // URECPE
frecpe v30.2d, v2.2d // FRECPE
frecpe d11, d13 // FRECPE_sisd
frecpx d27, d0 // FRECPX_sisd
rev32 v13.8h, v9.8h // REV32_vec
uaddlp v0.2d, v19.4s // UADDLP
usqadd v30.4s, v17.4s // USQADD
usqadd b6, b2 // USQADD_sisd
clz v0.16b, v6.16b // CLZ_vec
mvn v2.8b, v18.8b // NOT
rbit v0.8b, v31.8b // RBIT_vec
uadalp v15.8h, v14.16b // UADALP
sqneg v25.8b, v22.8b // SQNEG
sqneg s23, s24 // SQNEG_sisd
cmge v8.4s, v6.4s, #0 // CMGE_zero
cmge d13, d10, #0 // CMGE_zero_sisd
cmle v8.16b, v8.16b, #0 // CMLE_zero
cmle d5, d1, #0 // CMLE_zero_sisd
neg v2.8h, v23.8h // NEG_vec
neg d6, d6 // NEG_sisd
sqxtun2 v0.4s, v21.2d // SQXTUN
sqxtun s21, d5 // SQXTUN_sisd
shll2 v1.4s, v20.8h, #16 // SHLL
bfcvtn2 v29.8h, v10.4s // BFCVTN
uqxtn2 v29.16b, v19.8h // UQXTN
uqxtn b19, h23 // UQXTN_sisd
fcvtxn2 v16.4s, v6.2d // FCVTXN
fcvtxn s8, d19 // FCVTXN_sisd
frinta v28.2s, v13.2s // FRINTA_vec
frintx v7.2s, v11.2s // FRINTX_vec
fcvtnu v5.4s, v17.4s // FCVTNU_vec
fcvtnu d27, d22 // FCVTNU_sisd
fcvtmu v12.4s, v1.4s // FCVTMU_vec
fcvtmu d23, d20 // FCVTMU_sisd
fcvtau v18.2s, v31.2s // FCVTAU_vec
fcvtau s29, s22 // FCVTAU_sisd
ucvtf v16.2s, v15.2s // UCVTF_vec
ucvtf s31, s9 // UCVTF_sisd
frint32x v4.2d, v25.2d // FRINT32X_vec
frint64x v30.2d, v12.2d // FRINT64X_vec
fcmge v16.2s, v22.2s, #0.0 // FCMGE_zero
fcmge d12, d30, #0.0 // FCMGE_zero_sisd
fcmle v3.2s, v23.2s, #0.0 // FCMLE_zero
fcmle d30, d4, #0.0 // FCMLE_zero_sisd
fneg v1.4s, v28.4s // FNEG_vec
frinti v9.2d, v27.2d // FRINTI_vec
fcvtpu v2.2d, v8.2d // FCVTPU_vec
fcvtpu d7, d23 // FCVTPU_sisd
fcvtzu v19.4s, v19.4s // FCVTZU_vec
fcvtzu d31, d20 // FCVTZU_sisd
ursqrte v17.2s, v22.2s // URSQRTE
frsqrte v27.2d, v17.2d // FRSQRTE
frsqrte s22, s25 // FRSQRTE_sisd
fsqrt v28.2d, v16.2d // FSQRT_vec
saddlv s27, v22.4h // SADDLV
smaxv s15, v11.4s // SMAXV
sminv h1, v12.4h // SMINV
addv h13, v27.8h // ADDV
uaddlv s31, v13.4h // UADDLV
umaxv h9, v20.8h // UMAXV
uminv s28, v23.4s // UMINV
fmaxnmv s5, v12.4s // FMAXNMV
fmaxv s17, v23.4s // FMAXV
fminnmv s2, v30.4s // FMINNMV
fminv s31, v4.4s // FMINV
addp d5, v1.2d // ADDP_sisd
fmaxnmp d7, v24.2d // FMAXNMP_sisd
faddp d23, v31.2d // FADDP_sisd
fmaxp d20, v22.2d // FMAXP_sisd
fminnmp d9, v21.2d // FMINNMP_sisd
fminp d20, v13.2d // FMINP_sisd
saddl2 v20.8h, v4.16b, v22.16b // SADDL
uaddl v12.4s, v26.4h, v26.4h // UADDL
saddw v11.4s, v10.4s, v19.4h // SADDW
uaddw v9.4s, v29.4s, v30.4h // UADDW
ssubl v5.8h, v29.8b, v5.8b // SSUBL
usubl v8.2d, v10.2s, v20.2s // USUBL
ssubw2 v8.2d, v18.2d, v20.4s // SSUBW
usubw v20.2d, v25.2d, v5.2s // USUBW
addhn v26.8b, v8.8h, v18.8h // ADDHN
raddhn v16.8b, v24.8h, v22.8h // RADDHN
sabal2 v20.4s, v2.8h, v8.8h // SABAL
uabal v8.8h, v0.8b, v4.8b // UABAL
subhn2 v11.16b, v13.8h, v2.8h // SUBHN
rsubhn v29.2s, v20.2d, v29.2d // RSUBHN
sabdl v9.8h, v0.8b, v10.8b // SABDL
uabdl2 v11.4s, v25.8h, v13.8h // UABDL
smlal v31.8h, v4.8b, v28.8b // SMLAL_vec
umlal2 v22.2d, v27.4s, v18.4s // UMLAL_vec
sqdmlal2 v0.2d, v28.4s, v27.4s // SQDMLAL_vec
smlsl v16.4s, v23.4h, v28.4h // SMLSL_vec
umlsl2 v20.4s, v28.8h, v4.8h // UMLSL_vec
sqdmlsl2 v14.2d, v10.4s, v4.4s // SQDMLSL_vec
smull v0.2d, v7.2s, v29.2s // SMULL_vec
umull v3.2d, v19.2s, v29.2s // UMULL_vec
sqdmull2 v2.2d, v9.4s, v28.4s // SQDMULL_vec
pmull v21.8h, v29.8b, v3.8b // PMULL
sqdmlal d15, s21, s19 // SQDMLAL_sisd
sqdmlsl s29, h10, h21 // SQDMLSL_sisd
sqdmull s15, h5, h15 // SQDMULL_sisd
sshr v25.4s, v20.4s, #25 // SSHR_vec
sshr d5, d29, #15 // SSHR_sisd
ssra v16.4s, v9.4s, #16 // SSRA_vec
ssra d21, d25, #37 // SSRA_sisd
srshr v13.4s, v5.4s, #7 // SRSHR_vec
srshr d30, d10, #1 // SRSHR_sisd
srsra v5.2d, v12.2d, #5 // SRSRA_vec
srsra d9, d25, #35 // SRSRA_sisd
shl v29.2s, v18.2s, #6 // SHL_vec
shl d31, d8, #21 // SHL_sisd
sqshl v20.4s, v11.4s, #2 // SQSHL_imm
sqshl d17, d3, #15 // SQSHL_imm_sisd
shrn2 v5.4s, v20.2d, #2 // SHRN_vec
rshrn v7.8b, v12.8h, #1 // RSHRN_vec
sqshrn2 v8.4s, v26.2d, #16 // SQSHRN_vec
sqshrn s18, d19, #21 // SQSHRN_sisd
sqrshrn v15.2s, v15.2d, #13 // SQRSHRN_vec
sqrshrn s3, d21, #10 // SQRSHRN_sisd
sshll v22.2d, v14.2s, #26 // SSHLL_vec
scvtf v4.4s, v24.4s, #4 // SCVTF_vec_fix
scvtf d21, d28, #48 // SCVTF_sisd_fix
fcvtzs v26.2d, v23.2d, #60 // FCVTZS_vec_fix
fcvtzs s11, s10, #17 // FCVTZS_sisd_fix
ushr v12.2s, v9.2s, #8 // USHR_vec
ushr d5, d23, #2 // USHR_sisd
usra v1.4s, v21.4s, #3 // USRA_vec
usra d7, d19, #11 // USRA_sisd
urshr v4.8h, v9.8h, #10 // URSHR_vec
urshr d8, d16, #55 // URSHR_sisd
ursra v0.8h, v7.8h, #4 // URSRA_vec
ursra d24, d13, #39 // URSRA_sisd
sri v21.4h, v29.4h, #13 // SRI_vec
sri d25, d22, #33 // SRI_sisd
sli v10.2s, v7.2s, #17 // SLI_vec
sli d26, d11, #14 // SLI_sisd
sqshlu v30.8h, v13.8h, #11 // SQSHLU_vec
sqshlu d2, d14, #33 // SQSHLU_sisd
uqshl v1.4s, v27.4s, #3 // UQSHL_imm
uqshl d11, d17, #32 // UQSHL_imm_sisd
sqshrun v0.2s, v20.2d, #13 // SQSHRUN_vec
sqshrun s21, d21, #8 // SQSHRUN_sisd
sqrshrun2 v0.4s, v26.2d, #20 // SQRSHRUN_vec
sqrshrun s24, d7, #13 // SQRSHRUN_sisd
uqshrn v18.4h, v25.4s, #12 // UQSHRN_vec
uqshrn s5, d18, #22 // UQSHRN_sisd
uqrshrn v7.2s, v18.2d, #6 // UQRSHRN_vec
uqrshrn s17, d27, #5 // UQRSHRN_sisd
ushll v27.2d, v9.2s, #22 // USHLL_vec
ucvtf v22.2d, v20.2d, #49 // UCVTF_vec_fix
ucvtf d8, d27, #5 // UCVTF_sisd_fix
fcvtzu v21.2d, v17.2d, #39 // FCVTZU_vec_fix
fcvtzu d3, d24, #6 // FCVTZU_sisd_fix
movi v17.4s, #0x3, lsl #8 // MOVI
mvni v11.4s, #0xf6, lsl #24 // MVNI
orr v17.4s, #0xd2, lsl #24 // ORR_vec_imm
bic v10.2s, #0xd5, lsl #16 // BIC_vec_imm
fmov v11.4s, #-3.000000000000000000e+00 // FMOV_vec_imm
smlal v11.4s, v26.4h, v5.h[5] // SMLAL_elem
sqdmlal2 v29.4s, v6.8h, v0.h[4] // SQDMLAL_elem
sqdmlal d16, s30, v18.s[1] // SQDMLAL_elem_sisd
smlsl v12.2d, v16.2s, v9.s[1] // SMLSL_elem
sqdmlsl2 v0.2d, v2.4s, v19.s[3] // SQDMLSL_elem
sqdmlsl s28, h30, v12.h[2] // SQDMLSL_elem_sisd
mul v10.8h, v26.8h, v1.h[1] // MUL_elem
smull2 v8.2d, v26.4s, v30.s[3] // SMULL_elem
sqdmull2 v8.4s, v20.8h, v11.h[7] // SQDMULL_elem
sqdmull d29, s20, v25.s[3] // SQDMULL_elem_sisd
sqdmulh v26.8h, v27.8h, v9.h[1] // SQDMULH_elem
sqdmulh s17, s26, v31.s[3] // SQDMULH_elem_sisd
sqrdmulh v14.4s, v21.4s, v1.s[1] // SQRDMULH_elem
sqrdmulh h17, h22, v6.h[2] // SQRDMULH_elem_sisd
mla v31.2s, v5.2s, v30.s[2] // MLA_elem
umlal2 v24.4s, v21.8h, v12.h[6] // UMLAL_elem
mls v7.2s, v2.2s, v0.s[2] // MLS_elem
umlsl2 v14.2d, v24.4s, v22.s[1] // UMLSL_elem
umull2 v13.2d, v22.4s, v19.s[2] // UMULL_elem
sqrdmlah v4.2s, v4.2s, v5.s[0] // SQRDMLAH_elem
sqrdmlah h20, h27, v1.h[1] // SQRDMLAH_elem_sisd
sqrdmlsh v12.8h, v30.8h, v2.h[2] // SQRDMLSH_elem
sqrdmlsh h28, h3, v1.h[7] // SQRDMLSH_elem_sisd
fmla v5.4s, v22.4s, v20.s[0] // FMLA_elem
fmla d7, d8, v3.d[1] // FMLA_elem_sisd
fmls v5.2d, v26.2d, v11.d[0] // FMLS_elem
fmls s16, s22, v18.s[1] // FMLS_elem_sisd
fmul v29.4s, v8.4s, v6.s[0] // FMUL_elem
fmul s3, s20, v8.s[2] // FMUL_elem_sisd
fmulx v6.4s, v21.4s, v29.s[1] // FMULX_elem
fmulx s9, s18, v25.s[3] // FMULX_elem_sisd
fmlal v19.2s, v4.2h, v6.h[0] // FMLAL_elem
fmlsl v11.4s, v22.4h, v10.h[3] // FMLSL_elem
fmlal2 v20.2s, v2.2h, v7.h[1] // FMLAL2_elem
fmlsl2 v4.2s, v4.2h, v3.h[7] // FMLSL2_elem
sdot v8.4s, v28.16b, v7.4b[3] // SDOT_elem
udot v11.4s, v7.16b, v16.4b[2] // UDOT_elem
sudot v7.2s, v30.8b, v15.4b[2] // SUDOT_elem
usdot v23.4s, v10.16b, v0.4b[3] // USDOT_elem
bfdot v21.4s, v7.8h, v16.2h[2] // BFDOT_elem
bfmlalb v30.4s, v3.8h, v14.h[5] // BFMLALB_elem
bfmlalt v23.4s, v29.8h, v15.h[3] // BFMLALT_elem
fcmla v4.8h, v27.8h, v15.h[1], #0 // FCMLA_elem
sqrdmlah v31.2s, v27.2s, v30.2s // SQRDMLAH_vec
sqrdmlsh v25.2s, v28.2s, v23.2s // SQRDMLSH_vec
sqrdmlah s16, s22, s6 // SQRDMLAH_sisd
sqrdmlsh s0, s4, s19 // SQRDMLSH_sisd
sdot v19.2s, v20.8b, v23.8b // SDOT_vec
udot v5.2s, v17.8b, v20.8b // UDOT_vec
usdot v26.2s, v2.8b, v26.8b // USDOT_vec
bfdot v5.2s, v8.4h, v20.4h // BFDOT_vec
bfmlalb v28.4s, v2.8h, v20.8h // BFMLALB_vec
bfmlalt v2.4s, v6.8h, v7.8h // BFMLALT_vec
bfmmla v9.4s, v28.8h, v13.8h // BFMMLA
smmla v10.4s, v13.16b, v30.16b // SMMLA_vec
ummla v21.4s, v29.16b, v11.16b // UMMLA_vec
usmmla v10.4s, v2.16b, v17.16b // USMMLA_vec
fcmla v21.8h, v21.8h, v20.8h, #180 // FCMLA_vec
fcadd v10.8h, v6.8h, v2.8h, #90 // FCADD_vec
dup v5.16b, v22.b[15] // DUP_elem
mov b13, v12.b[12] // DUP_elem_sisd
dup v21.8b, w6 // DUP_gen
smov w21, v27.b[12] // SMOV
umov w12, v7.b[0] // UMOV
mov v8.b[8], w27 // INS_gen
mov v9.b[15], v15.b[12] // INS_elem
tbl v4.16b, {v10.16b-v13.16b}, v2.16b // TBL
tbx v16.16b, {v1.16b, v2.16b}, v27.16b // TBX
uzp1 v29.4s, v9.4s, v7.4s // UZP1
trn1 v16.8h, v22.8h, v6.8h // TRN1
zip1 v17.8b, v8.8b, v18.8b // ZIP1
uzp2 v8.16b, v27.16b, v16.16b // UZP2
trn2 v2.16b, v6.16b, v20.16b // TRN2
zip2 v16.4h, v3.4h, v22.4h // ZIP2
ext v7.8b, v29.8b, v24.8b, #0 // EXT
aese v3.16b, v27.16b // AESE
aesd v8.16b, v2.16b // AESD
aesmc v8.16b, v3.16b // AESMC
aesimc v1.16b, v22.16b // AESIMC
sha1c q28, s27, v27.4s // SHA1C
sha1p q3, s27, v24.4s // SHA1P
sha1m q13, s8, v3.4s // SHA1M
sha1su0 v3.4s, v29.4s, v28.4s // SHA1SU0
sha256h q7, q13, v1.4s // SHA256H
sha256h2 q20, q0, v9.4s // SHA256H2
sha256su1 v9.4s, v28.4s, v4.4s // SHA256SU1
sha1h s12, s18 // SHA1H
sha1su1 v14.4s, v5.4s // SHA1SU1
sha256su0 v1.4s, v16.4s // SHA256SU0
sha512h q22, q11, v8.2d // SHA512H
sha512h2 q21, q1, v6.2d // SHA512H2
sha512su1 v22.2d, v23.2d, v8.2d // SHA512SU1
rax1 v25.2d, v31.2d, v0.2d // RAX1
sm3partw1 v27.4s, v5.4s, v19.4s // SM3PARTW1
sm3partw2 v6.4s, v30.4s, v19.4s // SM3PARTW2
sm4ekey v3.4s, v5.4s, v22.4s // SM4EKEY
eor3 v12.16b, v18.16b, v10.16b, v8.16b // EOR3
bcax v7.16b, v8.16b, v29.16b, v27.16b // BCAX
sm3ss1 v27.4s, v9.4s, v23.4s, v31.4s // SM3SS1
xar v16.2d, v27.2d, v7.2d, #7 // XAR
sha512su0 v17.2d, v1.2d // SHA512SU0
sm4e v11.4s, v14.4s // SM4E
sm3tt1a v9.4s, v6.4s, v28.s[1] // SM3TT1A
sm3tt1b v3.4s, v5.4s, v24.s[1] // SM3TT1B
sm3tt2a v27.4s, v9.4s, v2.s[3] // SM3TT2A
sm3tt2b v15.4s, v9.4s, v8.s[2] // SM3TT2B
scvtf h25, x5, #48 // SCVTF_gen_fix
ucvtf s7, x23, #48 // UCVTF_gen_fix
fcvtzs x16, s31, #49 // FCVTZS_gen_fix
fcvtzu x2, d6, #46 // FCVTZU_gen_fix
fcvtns x23, h27 // FCVTNS_gen
fcvtnu x21, h26 // FCVTNU_gen
scvtf h25, w25 // SCVTF_gen
ucvtf d5, w16 // UCVTF_gen
fcvtas w10, d16 // FCVTAS_gen
fcvtau x2, s31 // FCVTAU_gen
fcvtps w24, d13 // FCVTPS_gen
fcvtpu w1, d3 // FCVTPU_gen
fcvtms x17, s23 // FCVTMS_gen
fcvtmu wzr, d6 // FCVTMU_gen
fcvtzs w5, d28 // FCVTZS_gen
fcvtzu w23, s12 // FCVTZU_gen
fjcvtzs w10, d11 // FJCVTZS
fmov s3, s13 // FMOV_reg
fabs s3, s11 // FABS_scalar
fneg s3, s21 // FNEG_scalar
fsqrt s15, s20 // FSQRT_scalar
frintn d4, d5 // FRINTN_scalar
frintp d24, d5 // FRINTP_scalar
frintm s12, s6 // FRINTM_scalar
frintz d24, d31 // FRINTZ_scalar
frinta h14, h24 // FRINTA_scalar
frintx s30, s13 // FRINTX_scalar
frinti s5, s0 // FRINTI_scalar
frint32z d7, d9 // FRINT32Z_scalar
frint32x d15, d31 // FRINT32X_scalar
frint64z d1, d4 // FRINT64Z_scalar
frint64x d21, d19 // FRINT64X_scalar
fcvt d16, s19 // FCVT
bfcvt h18, s31 // BFCVT
fcmp s10, #0.0 // FCMP
fcmpe h1, #0.0 // FCMPE
fmov h28, #-1.200000000000000000e+01 // FMOV_imm
fccmp h15, h18, #0xf, vc // FCCMP
fccmpe d18, d13, #0xf, le // FCCMPE
fcsel d18, d11, d9, lt // FCSEL
fmul h1, h30, h1 // FMUL_scalar
fdiv s30, s1, s23 // FDIV_scalar
fadd d28, d23, d28 // FADD_scalar
fsub h20, h1, h20 // FSUB_scalar
fmax s9, s10, s5 // FMAX_scalar
fmin h9, h9, h0 // FMIN_scalar
fmaxnm d22, d11, d10 // FMAXNM_scalar
fminnm h31, h29, h4 // FMINNM_scalar
fnmul h5, h17, h25 // FNMUL_scalar
fmadd d25, d18, d14, d21 // FMADD
fmsub d29, d17, d23, d16 // FMSUB
fnmadd h25, h12, h27, h31 // FNMADD
fnmsub d28, d11, d31, d10 // FNMSUB
fmov w14, s29 // FMOV_gen
ldr p11, [x1, #183, mul vl] // LDR_sve_pred
ldr z22, [x27, #31, mul vl] // LDR_sve_vec
str p5, [x13, #-26, mul vl] // STR_sve_pred
str z6, [x15, #-246, mul vl] // STR_sve_vec
ld1b {z7.s}, p4/z, [x23, #6, mul vl] // LD1B_sve_si
st1b {z28.b}, p5, [x5, #-5, mul vl] // ST1B_sve_si
pfalse p0.b // PFALSE
ptrue p3.s, vl32 // PTRUE
ptrues p10.h, #14 // PTRUES
whilelo p9.d, x29, x9 // WHILELO
wrffr p6.b // WRFFR
rdffr p3.b // RDFFR_unpred
rdvl x2, #22 // RDVL
cntb x24, vl32, mul #6 // CNTB
cnth x29, #15, mul #6 // CNTH
cntw x27, mul3, mul #2 // CNTW
cntd x4, #27, mul #9 // CNTD
mov z31.s, w24 // DUP_sve_gen
raddhnb z2.s, z21.d, z9.d // SVE_other
