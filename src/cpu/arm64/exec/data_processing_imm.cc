// A64 "Data Processing -- Immediate": PC-relative addressing, add/subtract
// (immediate), logical (immediate), move wide, bitfield and extract. The
// decoder leaves reserved sf/N/hw/imms combinations unallocated, so the
// handlers only see valid encodings (the bitmask check stays as a guard).
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/alu.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace alu;

// --- PC-relative addressing ----------------------------------------------

inline int64_t adr_offset(uint32_t insn) {
  uint64_t imm = bits(insn, 23, 5) << 2 | bits(insn, 30, 29);
  return static_cast<int64_t>(imm << 43) >> 43;  // SignExtend(immhi:immlo, 21)
}

void exec_adr(Core& c, uint32_t insn) {
  c.set_xreg(rd(insn), c.pc + static_cast<uint64_t>(adr_offset(insn)));
}

void exec_adrp(Core& c, uint32_t insn) {
  uint64_t base = c.pc & ~uint64_t{0xfff};
  c.set_xreg(rd(insn), base + (static_cast<uint64_t>(adr_offset(insn)) << 12));
}

// --- add/subtract (immediate) ----------------------------------------------

template <bool Is64, bool Sub, bool SetFlags>
inline void add_sub_imm(Core& c, uint32_t insn) {
  UInt<Is64> imm = static_cast<UInt<Is64>>(bits(insn, 21, 10) << (bit(insn, 22) ? 12 : 0));
  UInt<Is64> op1 = reg_or_sp<Is64>(c, rn(insn));
  auto r = add_with_carry<Is64>(op1, Sub ? static_cast<UInt<Is64>>(~imm) : imm, Sub);
  if constexpr (SetFlags) {
    c.nzcv = r.nzcv;
    set_reg<Is64>(c, rd(insn), r.value);
  } else {
    set_reg_or_sp<Is64>(c, rd(insn), r.value);
  }
}
template <bool Is64>
void add_imm(Core& c, uint32_t insn) {
  add_sub_imm<Is64, false, false>(c, insn);
}
template <bool Is64>
void adds_imm(Core& c, uint32_t insn) {
  add_sub_imm<Is64, false, true>(c, insn);
}
template <bool Is64>
void sub_imm(Core& c, uint32_t insn) {
  add_sub_imm<Is64, true, false>(c, insn);
}
template <bool Is64>
void subs_imm(Core& c, uint32_t insn) {
  add_sub_imm<Is64, true, true>(c, insn);
}

// --- logical (immediate) ---------------------------------------------------

enum class Logic { kAnd, kOrr, kEor, kAnds };

template <bool Is64, Logic L>
inline void logical_imm(Core& c, uint32_t insn) {
  const uint64_t wmask = logical_immediate(insn);
  if (wmask == 0 || (!Is64 && bit(insn, 22))) c.undefined();
  auto imm = static_cast<UInt<Is64>>(wmask);
  UInt<Is64> op1 = reg<Is64>(c, rn(insn));
  if constexpr (L == Logic::kAnd) set_reg_or_sp<Is64>(c, rd(insn), op1 & imm);
  if constexpr (L == Logic::kOrr) set_reg_or_sp<Is64>(c, rd(insn), op1 | imm);
  if constexpr (L == Logic::kEor) set_reg_or_sp<Is64>(c, rd(insn), op1 ^ imm);
  if constexpr (L == Logic::kAnds) {
    UInt<Is64> r = op1 & imm;
    c.nzcv = nz_flags<Is64>(r);
    set_reg<Is64>(c, rd(insn), r);
  }
}
template <bool Is64>
void and_imm(Core& c, uint32_t insn) {
  logical_imm<Is64, Logic::kAnd>(c, insn);
}
template <bool Is64>
void orr_imm(Core& c, uint32_t insn) {
  logical_imm<Is64, Logic::kOrr>(c, insn);
}
template <bool Is64>
void eor_imm(Core& c, uint32_t insn) {
  logical_imm<Is64, Logic::kEor>(c, insn);
}
template <bool Is64>
void ands_imm(Core& c, uint32_t insn) {
  logical_imm<Is64, Logic::kAnds>(c, insn);
}

// --- move wide ---------------------------------------------------------------

inline unsigned move_wide_pos(uint32_t insn) {
  return static_cast<unsigned>(bits(insn, 22, 21)) * 16;
}

template <bool Is64>
void movn(Core& c, uint32_t insn) {
  auto v = static_cast<UInt<Is64>>(~(bits(insn, 20, 5) << move_wide_pos(insn)));
  set_reg<Is64>(c, rd(insn), v);
}

void movz(Core& c, uint32_t insn) {  // the decoder excludes hw >= 2 for sf=0
  c.set_xreg(rd(insn), bits(insn, 20, 5) << move_wide_pos(insn));
}

template <bool Is64>
void movk(Core& c, uint32_t insn) {
  unsigned pos = move_wide_pos(insn);
  uint64_t old = c.xreg(rd(insn));
  auto v = static_cast<UInt<Is64>>((old & ~(uint64_t{0xffff} << pos)) | bits(insn, 20, 5) << pos);
  set_reg<Is64>(c, rd(insn), v);
}

// --- bitfield -----------------------------------------------------------------

enum class Bitfield { kSigned, kInsert, kUnsigned };

template <bool Is64, Bitfield K>
inline void bitfield(Core& c, uint32_t insn) {
  unsigned immr = bits(insn, 21, 16), imms = bits(insn, 15, 10);
  BitMasks m = decode_bit_masks(bit(insn, 22), imms, immr, false);
  auto wmask = static_cast<UInt<Is64>>(m.wmask);
  auto tmask = static_cast<UInt<Is64>>(m.tmask);
  UInt<Is64> src = reg<Is64>(c, rn(insn));
  UInt<Is64> bot = std::rotr(src, static_cast<int>(immr)) & wmask;
  UInt<Is64> r;
  if constexpr (K == Bitfield::kInsert) {
    UInt<Is64> dst = reg<Is64>(c, rd(insn));
    bot |= dst & ~wmask;
    r = (dst & ~tmask) | (bot & tmask);
  } else if constexpr (K == Bitfield::kSigned) {
    // Replicate(src<S>) without a branch: 0 - bit is all ones or zero.
    UInt<Is64> top = static_cast<UInt<Is64>>(0) - static_cast<UInt<Is64>>(src >> imms & 1);
    r = (top & ~tmask) | (bot & tmask);
  } else {
    r = bot & tmask;
  }
  set_reg<Is64>(c, rd(insn), r);
}
template <bool Is64>
void sbfm(Core& c, uint32_t insn) {
  bitfield<Is64, Bitfield::kSigned>(c, insn);
}
template <bool Is64>
void bfm(Core& c, uint32_t insn) {
  bitfield<Is64, Bitfield::kInsert>(c, insn);
}
template <bool Is64>
void ubfm(Core& c, uint32_t insn) {
  bitfield<Is64, Bitfield::kUnsigned>(c, insn);
}

// --- extract --------------------------------------------------------------------

template <bool Is64>
void extr(Core& c, uint32_t insn) {
  unsigned lsb = bits(insn, 15, 10);
  UInt<Is64> hi = reg<Is64>(c, rn(insn)), lo = reg<Is64>(c, rm(insn));
  UInt<Is64> r = lsb == 0 ? lo : static_cast<UInt<Is64>>(lo >> lsb | hi << (kWidth<Is64> - lsb));
  set_reg<Is64>(c, rd(insn), r);
}

}  // namespace

void register_data_processing_imm(HandlerTable& t) {
  t[Op::ADR] = &exec_adr;
  t[Op::ADRP] = &exec_adrp;
  t[Op::ADD_imm] = VMAPPLE_BY_SF(add_imm);
  t[Op::ADDS_imm] = VMAPPLE_BY_SF(adds_imm);
  t[Op::SUB_imm] = VMAPPLE_BY_SF(sub_imm);
  t[Op::SUBS_imm] = VMAPPLE_BY_SF(subs_imm);
  // ADDG/SUBG (FEAT_MTE) stay UNDEFINED.
  t[Op::AND_imm] = VMAPPLE_BY_SF(and_imm);
  t[Op::ORR_imm] = VMAPPLE_BY_SF(orr_imm);
  t[Op::EOR_imm] = VMAPPLE_BY_SF(eor_imm);
  t[Op::ANDS_imm] = VMAPPLE_BY_SF(ands_imm);
  t[Op::MOVN] = VMAPPLE_BY_SF(movn);
  t[Op::MOVZ] = &movz;
  t[Op::MOVK] = VMAPPLE_BY_SF(movk);
  t[Op::SBFM] = VMAPPLE_BY_SF(sbfm);
  t[Op::BFM] = VMAPPLE_BY_SF(bfm);
  t[Op::UBFM] = VMAPPLE_BY_SF(ubfm);
  t[Op::EXTR] = VMAPPLE_BY_SF(extr);
}

}  // namespace vmapple::arm64
