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
