#pragma once
// Integer helpers shared by the data-processing and branch handlers, named
// after the Arm ARM pseudocode functions they implement (AddWithCarry,
// ShiftReg, ExtendReg, DecodeBitMasks). All are small and inline: the
// handlers call them with the width (32/64) as a template parameter so the
// compiler folds the width-dependent masks.
#include <array>
#include <bit>
#include <cstdint>

#include "base/bits.h"
#include "cpu/arm64/core.h"

namespace vmapple::arm64::alu {

// Field accessors used by many encodings.
inline unsigned rd(uint32_t insn) {
  return insn & 31;
}
inline unsigned rn(uint32_t insn) {
  return insn >> 5 & 31;
}
inline unsigned rm(uint32_t insn) {
  return insn >> 16 & 31;
}
inline unsigned ra(uint32_t insn) {
  return insn >> 10 & 31;
}
inline bool sf(uint32_t insn) {
  return insn >> 31;
}

// A handler (captureless lambda) that dispatches on sf to the 32- or 64-bit
// instance of the handler template `fn`.
#define VMAPPLE_BY_SF(fn)                \
  [](Core& c, uint32_t insn) {           \
    if (::vmapple::arm64::alu::sf(insn)) \
      fn<true>(c, insn);                 \
    else                                 \
      fn<false>(c, insn);                \
  }

template <bool Is64>
using UInt = std::conditional_t<Is64, uint64_t, uint32_t>;
template <bool Is64>
using SInt = std::conditional_t<Is64, int64_t, int32_t>;
template <bool Is64>
inline constexpr unsigned kWidth = Is64 ? 64 : 32;

// The value of register n as a datasize-bit operand (XZR for 31).
template <bool Is64>
inline UInt<Is64> reg(const Core& c, unsigned n) {
  return static_cast<UInt<Is64>>(c.xreg(n));
}
template <bool Is64>
inline UInt<Is64> reg_or_sp(const Core& c, unsigned n) {
  return static_cast<UInt<Is64>>(c.xreg_or_sp(n));
}
// Writes a datasize-bit result; W forms zero the upper half.
template <bool Is64>
inline void set_reg(Core& c, unsigned n, UInt<Is64> v) {
  c.set_xreg(n, v);
}
template <bool Is64>
inline void set_reg_or_sp(Core& c, unsigned n, UInt<Is64> v) {
  c.set_xreg_or_sp(n, v);
}

// PSTATE.NZCV packed as Core::nzcv stores it (bits 31..28).
inline constexpr uint32_t kN = 1u << 31, kZ = 1u << 30, kC = 1u << 29, kV = 1u << 28;

template <bool Is64>
inline uint32_t nz_flags(UInt<Is64> result) {
  constexpr unsigned top = kWidth<Is64> - 1;
  return static_cast<uint32_t>(result >> top) << 31 | uint32_t{result == 0} << 30;
}

// AddWithCarry(x, y, carry_in): the sum and its NZCV.
template <bool Is64>
struct AddResult {
  UInt<Is64> value;
  uint32_t nzcv;
};

template <bool Is64>
inline AddResult<Is64> add_with_carry(UInt<Is64> x, UInt<Is64> y, bool carry_in) {
  constexpr unsigned top = kWidth<Is64> - 1;
  using Wide = std::conditional_t<Is64, unsigned __int128, uint64_t>;
  Wide wide = Wide{x} + Wide{y} + Wide{carry_in};
  auto r = static_cast<UInt<Is64>>(wide);
  uint32_t c = static_cast<uint32_t>(wide >> kWidth<Is64>);
  // Signed overflow: both operands have the same sign and the result differs.
  uint32_t v = static_cast<uint32_t>(((x ^ r) & (y ^ r)) >> top);
  return {r, nz_flags<Is64>(r) | c << 29 | v << 28};
}

// ShiftReg: shift types LSL, LSR, ASR, ROR (amount < datasize).
enum class Shift : unsigned { kLsl = 0, kLsr = 1, kAsr = 2, kRor = 3 };

template <bool Is64>
[[gnu::always_inline]] inline UInt<Is64> shift_reg(UInt<Is64> v, unsigned type, unsigned amount) {
  switch (static_cast<Shift>(type)) {
    case Shift::kLsl:
      return static_cast<UInt<Is64>>(v << amount);
    case Shift::kLsr:
      return v >> amount;
    case Shift::kAsr:
      return static_cast<UInt<Is64>>(static_cast<SInt<Is64>>(v) >> amount);
    case Shift::kRor:
      return std::rotr(v, static_cast<int>(amount));
  }
  return v;
}

// ExtendReg: option = UXTB/H/W/X, SXTB/H/W/X (0..7), then LSL by 0..4.
template <bool Is64>
inline UInt<Is64> extend_reg(uint64_t v, unsigned option, unsigned shift) {
  uint64_t e;
  switch (option) {
    case 0:
      e = static_cast<uint8_t>(v);
      break;
    case 1:
      e = static_cast<uint16_t>(v);
      break;
    case 2:
      e = static_cast<uint32_t>(v);
      break;
    case 4:
      e = static_cast<uint64_t>(static_cast<int8_t>(v));
      break;
    case 5:
      e = static_cast<uint64_t>(static_cast<int16_t>(v));
      break;
    case 6:
      e = static_cast<uint64_t>(static_cast<int32_t>(v));
      break;
    default:
      e = v;
      break;  // UXTX, SXTX
  }
  return static_cast<UInt<Is64>>(e << shift);
}

// DecodeBitMasks(N, imms, immr, immediate): the wmask/tmask pair of the
// logical-immediate and bitfield encodings, for a 64-bit datasize (callers
// truncate for 32 bits). `valid` is false for the reserved encodings, which
// are UNDEFINED.
struct BitMasks {
  uint64_t wmask;
  uint64_t tmask;
  bool valid;
};

constexpr BitMasks decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate) {
  unsigned combined = n << 6 | (~imms & 0x3f);
  if (combined < 2) return {0, 0, false};  // len < 1
  unsigned len = 31 - static_cast<unsigned>(std::countl_zero(combined));
  unsigned esize = 1u << len;
  unsigned levels = esize - 1;
  unsigned s = imms & levels;
  unsigned r = immr & levels;
  if (immediate && s == levels) return {0, 0, false};
  unsigned d = (s - r) & levels;
  uint64_t emask = mask(esize);
  uint64_t welem = mask(s + 1);
  uint64_t telem = mask(d + 1);
  // Rotate right by r within esize bits.
  uint64_t wrot = r == 0 ? welem : ((welem >> r) | (welem << (esize - r))) & emask;
  // Replicate(elem, 64 / esize) by doubling (no division on the hot path).
  for (unsigned e = esize; e < 64; e *= 2) {
    wrot |= wrot << e;
    telem |= telem << e;
  }
  return {wrot, telem, true};
}

// The immediate of AND/ORR/EOR/ANDS (immediate) for every N:immr:imms
// (instruction bits [22:10]), computed at compile time; 0 marks a reserved
// encoding (a valid mask is never 0).
inline constexpr auto kLogicalImmediates = [] {
  std::array<uint64_t, 1u << 13> t{};
  for (unsigned f = 0; f < t.size(); ++f) {
    BitMasks m = decode_bit_masks(f >> 12, f & 0x3f, f >> 6 & 0x3f, true);
    t[f] = m.valid ? m.wmask : 0;
  }
  return t;
}();

inline uint64_t logical_immediate(uint32_t insn) {
  return kLogicalImmediates[insn >> 10 & 0x1fff];
}

}  // namespace vmapple::arm64::alu
