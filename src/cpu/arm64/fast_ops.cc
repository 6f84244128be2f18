// Choosing a specialised form for a decoded instruction (fast_ops.h). Every
// test here is about an encoding's fields, never about CPU state, so the
// choice can be cached with the instruction word.
#include "cpu/arm64/fast_ops.h"

#include "cpu/arm64/decode/op.h"

namespace vmapple::arm64::fast {
namespace {

inline unsigned rt2(uint32_t i) {
  return i >> 10 & 31;
}
inline bool sf(uint32_t i) {
  return i >> 31;
}
// Picks the X or W variant (W = the id after X in the list).
inline Id by_sf(uint32_t insn, Id x, Id w) {
  return sf(insn) ? x : w;
}

uint8_t add_sub_imm(uint32_t insn, bool sub) {
  const bool d_sp = rd(insn) == 31, n_sp = rn(insn) == 31;
  if (!sf(insn)) {
    if (d_sp || n_sp) return kNone;
    return sub ? kSubImmW : kAddImmW;
  }
  static constexpr Id kAdd[4] = {kAddImm, kAddImmSpD, kAddImmSpN, kAddImmSpDN};
  static constexpr Id kSub[4] = {kSubImm, kSubImmSpD, kSubImmSpN, kSubImmSpDN};
  return (sub ? kSub : kAdd)[unsigned{d_sp} | unsigned{n_sp} << 1];
}

uint8_t add_sub_imm_flags(uint32_t insn, bool sub) {
  if (rn(insn) == 31) return kNone;  // SP operand
  if (rd(insn) == 31) return sub ? by_sf(insn, kCmpImm, kCmpImmW) : by_sf(insn, kCmnImm, kCmnImmW);
  return sub ? by_sf(insn, kSubsImm, kSubsImmW) : by_sf(insn, kAddsImm, kAddsImmW);
}

bool shifted(uint32_t insn) {
  return bits(insn, 15, 10) != 0;  // imm6 == 0: any shift type is the identity
}

uint8_t add_sub_shift(uint32_t insn, bool sub, bool flags) {
  const bool sh = shifted(insn), discard = rd(insn) == 31;
  if (!flags) {
    if (discard) return kNone;
    if (sub) return sh ? by_sf(insn, kSubShift, kSubShiftW) : by_sf(insn, kSubReg, kSubRegW);
    return sh ? by_sf(insn, kAddShift, kAddShiftW) : by_sf(insn, kAddReg, kAddRegW);
  }
  if (sub) {
    if (discard) return sh ? by_sf(insn, kCmpShift, kCmpShiftW) : by_sf(insn, kCmpReg, kCmpRegW);
    return sh ? by_sf(insn, kSubsShift, kSubsShiftW) : by_sf(insn, kSubsReg, kSubsRegW);
  }
  if (sh) return kNone;
  return discard ? by_sf(insn, kCmnReg, kCmnRegW) : by_sf(insn, kAddsReg, kAddsRegW);
}

uint8_t logical_shift(uint32_t insn, Op op) {
  const bool sh = shifted(insn);
  if (op == Op::ANDS_shift) {
    if (sh) return kNone;
    return rd(insn) == 31 ? by_sf(insn, kTstReg, kTstRegW) : by_sf(insn, kAndsReg, kAndsRegW);
  }
  if (rd(insn) == 31) return kNone;
  switch (op) {
    case Op::AND_shift:
      return sh ? by_sf(insn, kAndShift, kAndShiftW) : by_sf(insn, kAndReg, kAndRegW);
    case Op::ORR_shift:
      if (!sh && rn(insn) == 31) return by_sf(insn, kMovReg, kMovRegW);
      return sh ? by_sf(insn, kOrrShift, kOrrShiftW) : by_sf(insn, kOrrReg, kOrrRegW);
    case Op::EOR_shift:
      return sh ? by_sf(insn, kEorShift, kEorShiftW) : by_sf(insn, kEorReg, kEorRegW);
    case Op::BIC_shift:
      return sh ? kNone : by_sf(insn, kBicReg, kBicRegW);
    default:
      return kNone;
  }
}

uint8_t logical_imm(uint32_t insn, Op op) {
  // Reserved immediates and N = 1 in a W form stay generic (UNDEFINED).
  if (alu::logical_immediate(insn) == 0 || (!sf(insn) && bit(insn, 22))) return kNone;
  if (op == Op::ANDS_imm)
    return rd(insn) == 31 ? by_sf(insn, kTstImm, kTstImmW) : by_sf(insn, kAndsImm, kAndsImmW);
  if (rd(insn) == 31) return kNone;  // Rd is SP
  switch (op) {
    case Op::AND_imm:
      return by_sf(insn, kAndImm, kAndImmW);
    case Op::ORR_imm:
      return by_sf(insn, kOrrImm, kOrrImmW);
    case Op::EOR_imm:
      return by_sf(insn, kEorImm, kEorImmW);
    default:
      return kNone;
  }
}

uint8_t bitfield(uint32_t insn, bool is_signed) {
  if (rd(insn) == 31) return kNone;
  // The W forms have N = 0 and immr, imms < 32 (the decoder's patterns).
  if (!sf(insn) && (bit(insn, 22) || bit(insn, 21) || bit(insn, 15))) return kNone;
  if (sf(insn) && !bit(insn, 22)) return kNone;
  return is_signed ? by_sf(insn, kSbfm, kSbfmW) : by_sf(insn, kUbfm, kUbfmW);
}

uint8_t move_wide(uint32_t insn, Op op) {
  if (rd(insn) == 31 || (!sf(insn) && bit(insn, 22))) return kNone;
  if (op == Op::MOVZ) return kMovz;
  if (op == Op::MOVN) return by_sf(insn, kMovn, kMovnW);
  return by_sf(insn, kMovk, kMovkW);
}

// LDR/STR (unsigned offset): size from bits 31:30.
uint8_t ldst_uoff(uint32_t insn, Op op) {
  const bool sp = rn(insn) == 31;
  switch (op) {
    case Op::LDR_imm_uoff:
      if (rd(insn) == 31) return kNone;
      if (bit(insn, 30)) return sp ? kLdrXSp : kLdrX;
      return sp ? kLdrWSp : kLdrW;
    case Op::STR_imm_uoff:
      if (bit(insn, 30)) return sp ? kStrXSp : kStrX;
      return sp ? kStrWSp : kStrW;
    case Op::LDRH_imm_uoff:
      return sp || rd(insn) == 31 ? kNone : kLdrH;
    case Op::STRH_imm_uoff:
      return sp ? kNone : kStrH;
    case Op::LDRB_imm_uoff:
      return sp || rd(insn) == 31 ? kNone : kLdrB;
    case Op::STRB_imm_uoff:
      return sp ? kNone : kStrB;
    default:
      return kNone;
  }
}

uint8_t ldst_reg(uint32_t insn, Op op) {
  if (rn(insn) == 31) return kNone;
  const bool load = op == Op::LDR_reg || op == Op::LDRB_reg;
  if (load && rd(insn) == 31) return kNone;
  switch (op) {
    case Op::LDR_reg:
      return bit(insn, 30) ? kLdrXReg : kLdrWReg;
    case Op::STR_reg:
      return bit(insn, 30) ? kStrXReg : kStrWReg;
    case Op::LDRB_reg:
      return kLdrBReg;
    case Op::STRB_reg:
      return kStrBReg;
    default:
      return kNone;
  }
}

// Pre/post-index: base not SP, no writeback onto Rt, loads not into XZR.
uint8_t ldst_index(uint32_t insn, Op op) {
  if (rn(insn) == 31 || rd(insn) == rn(insn)) return kNone;
  const bool x = bit(insn, 30);
  switch (op) {
    case Op::LDR_imm_post:
      return rd(insn) == 31 ? kNone : x ? kLdrXPost : kLdrWPost;
    case Op::STR_imm_post:
      return x ? kStrXPost : kStrWPost;
    case Op::LDR_imm_pre:
      return rd(insn) == 31 || !x ? kNone : kLdrXPre;
    case Op::STR_imm_pre:
      return x ? kStrXPre : kNone;
    default:
      return kNone;
  }
}

// LDP/STP of X registers.
uint8_t ldst_pair(uint32_t insn, Op op) {
  if (!sf(insn)) return kNone;
  const unsigned t = rd(insn), t2 = rt2(insn), n = rn(insn);
  const bool sp = n == 31;
  const bool load = op == Op::LDP_off || op == Op::LDP_post;
  if (load && (t == 31 || t2 == 31 || t == t2)) return kNone;
  const bool writeback = op == Op::LDP_post || op == Op::STP_pre;
  if (writeback && (!sp || t == n || t2 == n)) return kNone;
  switch (op) {
    case Op::LDP_off:
      return sp ? kLdpSp : kLdp;
    case Op::LDP_post:
      return kLdpPostSp;
    case Op::STP_off:
      return sp ? kStpSp : kStp;
    case Op::STP_pre:
      return kStpPreSp;
    default:
      return kNone;
  }
}

}  // namespace

uint8_t specialise(Op op, uint32_t insn) {
  switch (op) {
    case Op::ADD_imm:
      return add_sub_imm(insn, false);
    case Op::SUB_imm:
      return add_sub_imm(insn, true);
    case Op::ADDS_imm:
      return add_sub_imm_flags(insn, false);
    case Op::SUBS_imm:
      return add_sub_imm_flags(insn, true);
    case Op::ADD_shift:
      return add_sub_shift(insn, false, false);
    case Op::SUB_shift:
      return add_sub_shift(insn, true, false);
    case Op::ADDS_shift:
      return add_sub_shift(insn, false, true);
    case Op::SUBS_shift:
      return add_sub_shift(insn, true, true);
    case Op::AND_shift:
    case Op::ORR_shift:
    case Op::EOR_shift:
    case Op::BIC_shift:
    case Op::ANDS_shift:
      return logical_shift(insn, op);
    case Op::AND_imm:
    case Op::ORR_imm:
    case Op::EOR_imm:
    case Op::ANDS_imm:
      return logical_imm(insn, op);
    case Op::MOVZ:
    case Op::MOVN:
    case Op::MOVK:
      return move_wide(insn, op);
    case Op::SBFM:
      return bitfield(insn, true);
    case Op::UBFM:
      return bitfield(insn, false);
    case Op::CSEL:
      return rd(insn) == 31 ? kNone : by_sf(insn, kCsel, kCselW);
    case Op::CSINC:
      return rd(insn) == 31 ? kNone : by_sf(insn, kCsinc, kCsincW);
    case Op::CSINV:
      return rd(insn) == 31 ? kNone : by_sf(insn, kCsinv, kCsinvW);
    case Op::CSNEG:
      return rd(insn) == 31 ? kNone : by_sf(insn, kCsneg, kCsnegW);
    case Op::MADD:
      return rd(insn) == 31 ? kNone : by_sf(insn, kMadd, kMaddW);
    case Op::MSUB:
      return rd(insn) == 31 ? kNone : by_sf(insn, kMsub, kMsubW);
    case Op::ADR:
      return rd(insn) == 31 ? kNone : kAdr;
    case Op::ADRP:
      return rd(insn) == 31 ? kNone : kAdrp;
    case Op::NOP:
      return kNop;
    case Op::B:
      return kB;
    case Op::BL:
      return kBl;
    case Op::B_cond:
      return kBCond;
    case Op::CBZ:
      return by_sf(insn, kCbz, kCbzW);
    case Op::CBNZ:
      return by_sf(insn, kCbnz, kCbnzW);
    case Op::TBZ:
      return kTbz;
    case Op::TBNZ:
      return kTbnz;
    case Op::BR:
    case Op::RET:
      return kBr;
    case Op::BLR:
      return kBlr;
    case Op::LDR_imm_uoff:
    case Op::STR_imm_uoff:
    case Op::LDRH_imm_uoff:
    case Op::STRH_imm_uoff:
    case Op::LDRB_imm_uoff:
    case Op::STRB_imm_uoff:
      return ldst_uoff(insn, op);
    case Op::LDR_reg:
    case Op::STR_reg:
    case Op::LDRB_reg:
    case Op::STRB_reg:
      return ldst_reg(insn, op);
    case Op::LDR_imm_post:
    case Op::STR_imm_post:
    case Op::LDR_imm_pre:
    case Op::STR_imm_pre:
      return ldst_index(insn, op);
    case Op::LDP_off:
    case Op::LDP_post:
    case Op::STP_off:
    case Op::STP_pre:
      return ldst_pair(insn, op);
    default:
      return kNone;
  }
}

void step(uint8_t id, Core& c, uint32_t insn) {
  c.next_pc = c.pc + 4;
  switch (id) {
#define VMAPPLE_FAST_SEQ(name, ...) \
  case name:                        \
    __VA_ARGS__(c, insn);           \
    break;
#define VMAPPLE_FAST_BR(name, ...)          \
  case name:                                \
    c.next_pc = __VA_ARGS__(c, insn, c.pc); \
    break;
    VMAPPLE_FAST_ALU(VMAPPLE_FAST_SEQ)
    VMAPPLE_FAST_MEM(VMAPPLE_FAST_SEQ)
    VMAPPLE_FAST_BRANCH(VMAPPLE_FAST_BR)
#undef VMAPPLE_FAST_SEQ
#undef VMAPPLE_FAST_BR
    default:
      break;
  }
}

const char* name(uint8_t id) {
  switch (id) {
#define VMAPPLE_FAST_NAME(n, ...) \
  case n:                         \
    return #n;
    VMAPPLE_FAST_ALU(VMAPPLE_FAST_NAME)
    VMAPPLE_FAST_MEM(VMAPPLE_FAST_NAME)
    VMAPPLE_FAST_BRANCH(VMAPPLE_FAST_NAME)
#undef VMAPPLE_FAST_NAME
    default:
      return "kNone";
  }
}

}  // namespace vmapple::arm64::fast
