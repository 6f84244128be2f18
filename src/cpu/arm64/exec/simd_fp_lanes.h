#pragma once
// Shared pieces of the Advanced SIMD floating-point handlers: the register
// fields, the vector/scalar shape of an instruction and the lane loops. Lane
// types are the raw bit patterns fp:: works on (uint32_t single, uint64_t
// double); the integer conversions reuse them as same-width integers.
#include <cstdint>

#include "base/bits.h"
#include "cpu/arm64/exec/simd.h"

namespace vmapple::arm64::simdfp {

inline unsigned rd(uint32_t insn) {
  return bits(insn, 4, 0);
}
inline unsigned rn(uint32_t insn) {
  return bits(insn, 9, 5);
}
inline unsigned rm(uint32_t insn) {
  return bits(insn, 20, 16);
}
// The scalar (SISD) encodings have bit 28 set: 01 U 11110 / 01 U 11111.
inline bool is_scalar(uint32_t insn) {
  return bit(insn, 28);
}
inline bool q_bit(uint32_t insn) {
  return bit(insn, 30);
}

// Lanes of `esize` bits an instruction processes: one for the scalar
// forms, 64 or 128 bits' worth for the vector forms.
inline unsigned lane_count(uint32_t insn, unsigned esize) {
  return is_scalar(insn) ? 1 : (q_bit(insn) ? 128 : 64) / esize;
}

// UNDEFINED for the vector encodings with 64-bit lanes in a 64-bit register.
inline void check_vector_size(Core& c, uint32_t insn, bool sz) {
  if (!is_scalar(insn) && sz && !q_bit(insn)) c.undefined();
}

// All-ones or zero lane of a compare.
template <class F>
constexpr F lane_mask(bool v) {
  return v ? static_cast<F>(~F{0}) : F{0};
}

// Calls body.template operator()<F>() with F = uint64_t when `dbl`, else
// uint32_t: the one dispatch on the element size per instruction.
template <class Body>
inline void dispatch_sz(bool dbl, Body&& body) {
  if (dbl)
    body.template operator()<uint64_t>();
  else
    body.template operator()<uint32_t>();
}

}  // namespace vmapple::arm64::simdfp
