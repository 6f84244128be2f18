// A64 "Data Processing -- Register": logical and add/subtract (shifted and
// extended register), add/subtract with carry, conditional compare and
// select, and the 1-, 2- and 3-source groups (CRC32* are in crc32.cc). The
// decoder leaves reserved shift/imm6/option combinations unallocated, so the
// handlers see valid encodings only.
#include <bit>

#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/alu.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace alu;

// The shifted-register operand: ShiftReg(m, shift, imm6).
template <bool Is64>
inline UInt<Is64> shifted_operand(const Core& c, uint32_t insn) {
  return shift_reg<Is64>(reg<Is64>(c, rm(insn)), bits(insn, 23, 22), bits(insn, 15, 10));
}

// --- logical (shifted register) -------------------------------------------

enum class Logic { kAnd, kOrr, kEor, kAnds };

template <bool Is64, Logic L, bool Invert>
inline void logical_shift(Core& c, uint32_t insn) {
  UInt<Is64> op2 = shifted_operand<Is64>(c, insn);
  if constexpr (Invert) op2 = static_cast<UInt<Is64>>(~op2);
  UInt<Is64> op1 = reg<Is64>(c, rn(insn));
  UInt<Is64> r;
  if constexpr (L == Logic::kOrr)
    r = op1 | op2;
  else if constexpr (L == Logic::kEor)
    r = op1 ^ op2;
  else
    r = op1 & op2;
  if constexpr (L == Logic::kAnds) c.nzcv = nz_flags<Is64>(r);
  set_reg<Is64>(c, rd(insn), r);
}
template <bool Is64>
void and_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kAnd, false>(c, insn);
}
template <bool Is64>
void bic_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kAnd, true>(c, insn);
}
template <bool Is64>
void orr_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kOrr, false>(c, insn);
}
template <bool Is64>
void orn_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kOrr, true>(c, insn);
}
template <bool Is64>
void eor_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kEor, false>(c, insn);
}
template <bool Is64>
void eon_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kEor, true>(c, insn);
}
template <bool Is64>
void ands_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kAnds, false>(c, insn);
}
template <bool Is64>
void bics_shift(Core& c, uint32_t insn) {
  logical_shift<Is64, Logic::kAnds, true>(c, insn);
}

// --- add/subtract (shifted and extended register) -------------------------

template <bool Is64, bool Sub, bool SetFlags>
inline void add_sub_shift(Core& c, uint32_t insn) {
  UInt<Is64> op2 = shifted_operand<Is64>(c, insn);
  auto r =
      add_with_carry<Is64>(reg<Is64>(c, rn(insn)), Sub ? static_cast<UInt<Is64>>(~op2) : op2, Sub);
  if constexpr (SetFlags) c.nzcv = r.nzcv;
  set_reg<Is64>(c, rd(insn), r.value);
}
template <bool Is64>
void add_shift(Core& c, uint32_t insn) {
  add_sub_shift<Is64, false, false>(c, insn);
}
template <bool Is64>
void adds_shift(Core& c, uint32_t insn) {
  add_sub_shift<Is64, false, true>(c, insn);
}
template <bool Is64>
void sub_shift(Core& c, uint32_t insn) {
  add_sub_shift<Is64, true, false>(c, insn);
}
template <bool Is64>
void subs_shift(Core& c, uint32_t insn) {
  add_sub_shift<Is64, true, true>(c, insn);
}

// Extended register: Rn and (without S) Rd are SP when 31.
template <bool Is64, bool Sub, bool SetFlags>
inline void add_sub_ext(Core& c, uint32_t insn) {
  UInt<Is64> op2 = extend_reg<Is64>(c.xreg(rm(insn)), bits(insn, 15, 13), bits(insn, 12, 10));
  auto r = add_with_carry<Is64>(reg_or_sp<Is64>(c, rn(insn)),
                                Sub ? static_cast<UInt<Is64>>(~op2) : op2, Sub);
  if constexpr (SetFlags) {
    c.nzcv = r.nzcv;
    set_reg<Is64>(c, rd(insn), r.value);
  } else {
    set_reg_or_sp<Is64>(c, rd(insn), r.value);
  }
}
template <bool Is64>
void add_ext(Core& c, uint32_t insn) {
  add_sub_ext<Is64, false, false>(c, insn);
}
template <bool Is64>
void adds_ext(Core& c, uint32_t insn) {
  add_sub_ext<Is64, false, true>(c, insn);
}
template <bool Is64>
void sub_ext(Core& c, uint32_t insn) {
  add_sub_ext<Is64, true, false>(c, insn);
}
template <bool Is64>
void subs_ext(Core& c, uint32_t insn) {
  add_sub_ext<Is64, true, true>(c, insn);
}

// --- add/subtract with carry --------------------------------------------------

template <bool Is64, bool Sub, bool SetFlags>
inline void add_sub_carry(Core& c, uint32_t insn) {
  UInt<Is64> op2 = reg<Is64>(c, rm(insn));
  auto r = add_with_carry<Is64>(reg<Is64>(c, rn(insn)), Sub ? static_cast<UInt<Is64>>(~op2) : op2,
                                c.flag_c());
  if constexpr (SetFlags) c.nzcv = r.nzcv;
  set_reg<Is64>(c, rd(insn), r.value);
}
template <bool Is64>
void adc(Core& c, uint32_t insn) {
  add_sub_carry<Is64, false, false>(c, insn);
}
template <bool Is64>
void adcs(Core& c, uint32_t insn) {
  add_sub_carry<Is64, false, true>(c, insn);
}
template <bool Is64>
void sbc(Core& c, uint32_t insn) {
  add_sub_carry<Is64, true, false>(c, insn);
}
template <bool Is64>
void sbcs(Core& c, uint32_t insn) {
  add_sub_carry<Is64, true, true>(c, insn);
}

// --- conditional compare ---------------------------------------------------------

// CCMP (Sub) / CCMN with a register or a 5-bit immediate second operand.
template <bool Is64, bool Sub, bool Imm>
inline void cond_compare(Core& c, uint32_t insn) {
  if (!c.condition_holds(bits(insn, 15, 12))) {
    c.nzcv = static_cast<uint32_t>(bits(insn, 3, 0)) << 28;
    return;
  }
  UInt<Is64> op2 = Imm ? static_cast<UInt<Is64>>(bits(insn, 20, 16)) : reg<Is64>(c, rm(insn));
  c.nzcv =
      add_with_carry<Is64>(reg<Is64>(c, rn(insn)), Sub ? static_cast<UInt<Is64>>(~op2) : op2, Sub)
          .nzcv;
}
template <bool Is64>
void ccmn_reg(Core& c, uint32_t insn) {
  cond_compare<Is64, false, false>(c, insn);
}
template <bool Is64>
void ccmp_reg(Core& c, uint32_t insn) {
  cond_compare<Is64, true, false>(c, insn);
}
template <bool Is64>
void ccmn_imm(Core& c, uint32_t insn) {
  cond_compare<Is64, false, true>(c, insn);
}
template <bool Is64>
void ccmp_imm(Core& c, uint32_t insn) {
  cond_compare<Is64, true, true>(c, insn);
}

// --- conditional select -----------------------------------------------------------

enum class Select { kSel, kInc, kInv, kNeg };

template <bool Is64, Select S>
inline void cond_select(Core& c, uint32_t insn) {
  UInt<Is64> r;
  if (c.condition_holds(bits(insn, 15, 12))) {
    r = reg<Is64>(c, rn(insn));
  } else {
    r = reg<Is64>(c, rm(insn));
    if constexpr (S == Select::kInc) r = static_cast<UInt<Is64>>(r + 1);
    if constexpr (S == Select::kInv) r = static_cast<UInt<Is64>>(~r);
    if constexpr (S == Select::kNeg) r = static_cast<UInt<Is64>>(0 - r);
  }
  set_reg<Is64>(c, rd(insn), r);
}
template <bool Is64>
void csel(Core& c, uint32_t insn) {
  cond_select<Is64, Select::kSel>(c, insn);
}
template <bool Is64>
void csinc(Core& c, uint32_t insn) {
  cond_select<Is64, Select::kInc>(c, insn);
}
template <bool Is64>
void csinv(Core& c, uint32_t insn) {
  cond_select<Is64, Select::kInv>(c, insn);
}
template <bool Is64>
void csneg(Core& c, uint32_t insn) {
  cond_select<Is64, Select::kNeg>(c, insn);
}

// --- data-processing (1 source) ------------------------------------------------

template <bool Is64>
void rbit(Core& c, uint32_t insn) {
  uint64_t v = c.xreg(rn(insn));
  // Swap adjacent bits, pairs, nibbles, then reverse the bytes.
  v = (v >> 1 & 0x5555555555555555) | (v & 0x5555555555555555) << 1;
  v = (v >> 2 & 0x3333333333333333) | (v & 0x3333333333333333) << 2;
  v = (v >> 4 & 0x0f0f0f0f0f0f0f0f) | (v & 0x0f0f0f0f0f0f0f0f) << 4;
  v = __builtin_bswap64(v);
  set_reg<Is64>(c, rd(insn), static_cast<UInt<Is64>>(Is64 ? v : v >> 32));
}

// REV16: bytes swapped within each halfword.
template <bool Is64>
void rev16(Core& c, uint32_t insn) {
  uint64_t v = c.xreg(rn(insn));
  v = (v >> 8 & 0x00ff00ff00ff00ff) | (v & 0x00ff00ff00ff00ff) << 8;
  set_reg<Is64>(c, rd(insn), static_cast<UInt<Is64>>(v));
}

// REV32 (64-bit only): bytes reversed within each word.
void rev32(Core& c, uint32_t insn) {
  uint64_t v = __builtin_bswap64(c.xreg(rn(insn)));
  c.set_xreg(rd(insn), v >> 32 | v << 32);
}

// REV: all bytes of the register (REV Wd is the 32-bit form, opc=10).
template <bool Is64>
void rev(Core& c, uint32_t insn) {
  if constexpr (Is64)
    c.set_xreg(rd(insn), __builtin_bswap64(c.xreg(rn(insn))));
  else
    c.set_wreg(rd(insn), __builtin_bswap32(c.wreg(rn(insn))));
}

template <bool Is64>
void clz(Core& c, uint32_t insn) {
  set_reg<Is64>(c, rd(insn), static_cast<UInt<Is64>>(std::countl_zero(reg<Is64>(c, rn(insn)))));
}

// CountLeadingSignBits: leading zeros of x<N-1:1> EOR x<N-2:0>.
template <bool Is64>
void cls(Core& c, uint32_t insn) {
  using S = SInt<Is64>;
  UInt<Is64> v = reg<Is64>(c, rn(insn));
  auto t = static_cast<UInt<Is64>>(v ^ static_cast<UInt<Is64>>(static_cast<S>(v) >> 1));
  set_reg<Is64>(c, rd(insn), static_cast<UInt<Is64>>(std::countl_zero(t) - 1));
}

// --- data-processing (2 source) ------------------------------------------------

template <bool Is64>
void udiv(Core& c, uint32_t insn) {
  UInt<Is64> n = reg<Is64>(c, rn(insn)), m = reg<Is64>(c, rm(insn));
  set_reg<Is64>(c, rd(insn), m == 0 ? 0 : static_cast<UInt<Is64>>(n / m));
}

// Division by zero gives 0; INT_MIN / -1 gives INT_MIN (the truncated
// quotient 2^(N-1) wraps), which C++ leaves undefined, hence the guard.
template <bool Is64>
void sdiv(Core& c, uint32_t insn) {
  using S = SInt<Is64>;
  auto n = static_cast<S>(reg<Is64>(c, rn(insn)));
  auto m = static_cast<S>(reg<Is64>(c, rm(insn)));
  UInt<Is64> r;
  if (m == 0)
    r = 0;
  else if (m == -1)
    r = static_cast<UInt<Is64>>(UInt<Is64>{0} - static_cast<UInt<Is64>>(n));
  else
    r = static_cast<UInt<Is64>>(n / m);
  set_reg<Is64>(c, rd(insn), r);
}

// LSLV/LSRV/ASRV/RORV: the amount is Rm modulo the datasize.
template <bool Is64, Shift T>
inline void shift_variable(Core& c, uint32_t insn) {
  unsigned amount = static_cast<unsigned>(c.xreg(rm(insn))) & (kWidth<Is64> - 1);
  set_reg<Is64>(c, rd(insn),
                shift_reg<Is64>(reg<Is64>(c, rn(insn)), static_cast<unsigned>(T), amount));
}
template <bool Is64>
void lslv(Core& c, uint32_t insn) {
  shift_variable<Is64, Shift::kLsl>(c, insn);
}
template <bool Is64>
void lsrv(Core& c, uint32_t insn) {
  shift_variable<Is64, Shift::kLsr>(c, insn);
}
template <bool Is64>
void asrv(Core& c, uint32_t insn) {
  shift_variable<Is64, Shift::kAsr>(c, insn);
}
template <bool Is64>
void rorv(Core& c, uint32_t insn) {
  shift_variable<Is64, Shift::kRor>(c, insn);
}

// --- data-processing (3 source) ------------------------------------------------

template <bool Is64, bool Sub>
inline void multiply_add(Core& c, uint32_t insn) {
  UInt<Is64> prod = static_cast<UInt<Is64>>(reg<Is64>(c, rn(insn)) * reg<Is64>(c, rm(insn)));
  UInt<Is64> a = reg<Is64>(c, ra(insn));
  set_reg<Is64>(c, rd(insn), static_cast<UInt<Is64>>(Sub ? a - prod : a + prod));
}
template <bool Is64>
void madd(Core& c, uint32_t insn) {
  multiply_add<Is64, false>(c, insn);
}
template <bool Is64>
void msub(Core& c, uint32_t insn) {
  multiply_add<Is64, true>(c, insn);
}

// SMADDL/SMSUBL/UMADDL/UMSUBL: 32x32 -> 64-bit product with a 64-bit addend.
template <bool Signed, bool Sub>
void multiply_add_long(Core& c, uint32_t insn) {
  uint64_t n = c.xreg(rn(insn)), m = c.xreg(rm(insn));
  uint64_t prod = Signed ? static_cast<uint64_t>(int64_t{static_cast<int32_t>(n)} *
                                                 int64_t{static_cast<int32_t>(m)})
                         : uint64_t{static_cast<uint32_t>(n)} * static_cast<uint32_t>(m);
  uint64_t a = c.xreg(ra(insn));
  c.set_xreg(rd(insn), Sub ? a - prod : a + prod);
}

// SMULH/UMULH: the upper 64 bits of the 128-bit product.
template <bool Signed>
void multiply_high(Core& c, uint32_t insn) {
  uint64_t n = c.xreg(rn(insn)), m = c.xreg(rm(insn));
  uint64_t hi;
  if constexpr (Signed) {
    __int128 p = __int128{static_cast<int64_t>(n)} * static_cast<int64_t>(m);
    hi = static_cast<uint64_t>(static_cast<unsigned __int128>(p) >> 64);
  } else {
    hi = static_cast<uint64_t>((static_cast<unsigned __int128>(n) * m) >> 64);
  }
  c.set_xreg(rd(insn), hi);
}

}  // namespace

void register_data_processing_reg(HandlerTable& t) {
  t[Op::AND_shift] = VMAPPLE_BY_SF(and_shift);
  t[Op::BIC_shift] = VMAPPLE_BY_SF(bic_shift);
  t[Op::ORR_shift] = VMAPPLE_BY_SF(orr_shift);
  t[Op::ORN_shift] = VMAPPLE_BY_SF(orn_shift);
  t[Op::EOR_shift] = VMAPPLE_BY_SF(eor_shift);
  t[Op::EON_shift] = VMAPPLE_BY_SF(eon_shift);
  t[Op::ANDS_shift] = VMAPPLE_BY_SF(ands_shift);
  t[Op::BICS_shift] = VMAPPLE_BY_SF(bics_shift);

  t[Op::ADD_shift] = VMAPPLE_BY_SF(add_shift);
  t[Op::ADDS_shift] = VMAPPLE_BY_SF(adds_shift);
  t[Op::SUB_shift] = VMAPPLE_BY_SF(sub_shift);
  t[Op::SUBS_shift] = VMAPPLE_BY_SF(subs_shift);
  t[Op::ADD_ext] = VMAPPLE_BY_SF(add_ext);
  t[Op::ADDS_ext] = VMAPPLE_BY_SF(adds_ext);
  t[Op::SUB_ext] = VMAPPLE_BY_SF(sub_ext);
  t[Op::SUBS_ext] = VMAPPLE_BY_SF(subs_ext);

  t[Op::ADC] = VMAPPLE_BY_SF(adc);
  t[Op::ADCS] = VMAPPLE_BY_SF(adcs);
  t[Op::SBC] = VMAPPLE_BY_SF(sbc);
  t[Op::SBCS] = VMAPPLE_BY_SF(sbcs);

  t[Op::CCMN_reg] = VMAPPLE_BY_SF(ccmn_reg);
  t[Op::CCMP_reg] = VMAPPLE_BY_SF(ccmp_reg);
  t[Op::CCMN_imm] = VMAPPLE_BY_SF(ccmn_imm);
  t[Op::CCMP_imm] = VMAPPLE_BY_SF(ccmp_imm);

  t[Op::CSEL] = VMAPPLE_BY_SF(csel);
  t[Op::CSINC] = VMAPPLE_BY_SF(csinc);
  t[Op::CSINV] = VMAPPLE_BY_SF(csinv);
  t[Op::CSNEG] = VMAPPLE_BY_SF(csneg);

  t[Op::RBIT] = VMAPPLE_BY_SF(rbit);
  t[Op::REV16] = VMAPPLE_BY_SF(rev16);
  t[Op::REV32] = &rev32;
  t[Op::REV] = VMAPPLE_BY_SF(rev);
  t[Op::CLZ] = VMAPPLE_BY_SF(clz);
  t[Op::CLS] = VMAPPLE_BY_SF(cls);

  t[Op::UDIV] = VMAPPLE_BY_SF(udiv);
  t[Op::SDIV] = VMAPPLE_BY_SF(sdiv);
  t[Op::LSLV] = VMAPPLE_BY_SF(lslv);
  t[Op::LSRV] = VMAPPLE_BY_SF(lsrv);
  t[Op::ASRV] = VMAPPLE_BY_SF(asrv);
  t[Op::RORV] = VMAPPLE_BY_SF(rorv);

  t[Op::MADD] = VMAPPLE_BY_SF(madd);
  t[Op::MSUB] = VMAPPLE_BY_SF(msub);
  t[Op::SMADDL] = &multiply_add_long<true, false>;
  t[Op::SMSUBL] = &multiply_add_long<true, true>;
  t[Op::UMADDL] = &multiply_add_long<false, false>;
  t[Op::UMSUBL] = &multiply_add_long<false, true>;
  t[Op::SMULH] = &multiply_high<true>;
  t[Op::UMULH] = &multiply_high<false>;
}

}  // namespace vmapple::arm64
