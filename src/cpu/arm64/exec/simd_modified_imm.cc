// Advanced SIMD modified immediate: MOVI, MVNI, ORR/BIC (vector, immediate)
// and FMOV (vector, immediate) (Arm ARM C4.1.96, encoding
// 0 Q op 0111100000 a b c cmode o2 1 defgh Rd). The 64-bit pattern is
// AdvSIMDExpandImm(op, cmode, abcdefgh), replicated over the register.
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

uint64_t replicate(uint64_t v, unsigned width) {
  for (unsigned w = width; w < 64; w *= 2)
    v |= v << w;
  return v;
}

// AdvSIMDExpandImm for every cmode except 1111 (FMOV), which the caller
// handles.
uint64_t expand_imm(bool op, unsigned cmode, uint64_t imm8) {
  switch (cmode >> 1) {
    case 0:
      return replicate(imm8, 32);
    case 1:
      return replicate(imm8 << 8, 32);
    case 2:
      return replicate(imm8 << 16, 32);
    case 3:
      return replicate(imm8 << 24, 32);
    case 4:
      return replicate(imm8, 16);
    case 5:
      return replicate(imm8 << 8, 16);
    case 6:
      return replicate(cmode & 1 ? imm8 << 16 | 0xffff : imm8 << 8 | 0xff, 32);
    default:
      if (!op) return replicate(imm8, 8);
      uint64_t v = 0;
      for (unsigned i = 0; i < 8; ++i)
        if (imm8 >> i & 1) v |= 0xffull << (8 * i);
      return v;
  }
}

// VFPExpandImm for single (a:NOT(b):bbbbb:cdefgh:Zeros(19)) and double
// (a:NOT(b):bbbbbbbb:cdefgh:Zeros(48)) precision.
uint64_t fp_expand_imm(bool dbl, uint64_t imm8) {
  uint64_t a = imm8 >> 7 & 1, b = imm8 >> 6 & 1, cdefgh = imm8 & 0x3f;
  if (dbl) return a << 63 | (b ^ 1) << 62 | (b ? 0xffull : 0) << 54 | cdefgh << 48;
  uint64_t s = a << 31 | (b ^ 1) << 30 | (b ? 0x1full : 0) << 25 | cdefgh << 19;
  return replicate(s, 32);
}

// One handler for the whole class: the operation follows from op and cmode
// exactly as the Arm ARM's shared decode does.
void exec_modified_imm(Core& c, uint32_t insn) {
  bool q = bit(insn, 30), op = bit(insn, 29), o2 = bit(insn, 11);
  unsigned cmode = static_cast<unsigned>(bits(insn, 15, 12));
  unsigned d = static_cast<unsigned>(bits(insn, 4, 0));
  uint64_t imm8 = bits(insn, 18, 16) << 5 | bits(insn, 9, 5);
  // Reserved encodings are UNDEFINED before the FP access check (decode
  // precedes execution in the Arm ARM): FMOV (vector, immediate) of half
  // precision (FEAT_FP16) and op = 1, cmode = 1111 with Q = 0.
  if (o2 || (cmode == 15 && op && !q)) c.undefined();
  c.check_fp_enabled();
  uint64_t imm;
  if (cmode == 15) {
    imm = fp_expand_imm(op, imm8);
  } else {
    imm = expand_imm(op, cmode, imm8);
  }
  VReg r = vreg(c, d);
  uint64_t lo = r.get<uint64_t>(0), hi = r.get<uint64_t>(1);
  bool logical = (cmode & 1) && cmode < 12;  // ORR / BIC
  if (logical) {
    if (op) imm = ~imm;
    lo = op ? lo & imm : lo | imm;
    hi = op ? hi & imm : hi | imm;
  } else {
    bool mvni = op && cmode < 14;
    lo = hi = mvni ? ~imm : imm;
  }
  r.set<uint64_t>(0, lo);
  r.set<uint64_t>(1, hi);
  set_vreg(c, d, r, q);
}

}  // namespace

void register_simd_modified_imm(HandlerTable& t) {
  t[Op::MOVI] = t[Op::MVNI] = t[Op::ORR_vec_imm] = t[Op::BIC_vec_imm] = &exec_modified_imm;
  t[Op::FMOV_vec_imm] = &exec_modified_imm;
}

}  // namespace vmapple::arm64
