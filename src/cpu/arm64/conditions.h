#pragma once
// ConditionHolds of the Arm ARM as one table lookup: for each condition, a
// 16-bit set of the NZCV values (N = bit 3 .. V = bit 0) for which it holds.
// Inline because B.cond, CSEL and CCMP evaluate it on the hot path.
#include <array>
#include <cstdint>

namespace vmapple::arm64 {
namespace cond_detail {

constexpr bool evaluate(unsigned cond, unsigned flags) {
  const bool n = flags & 8, z = flags & 4, c = flags & 2, v = flags & 1;
  bool r = true;  // AL / NV (both always)
  switch (cond >> 1) {
    case 0:  // EQ / NE
      r = z;
      break;
    case 1:  // CS / CC
      r = c;
      break;
    case 2:  // MI / PL
      r = n;
      break;
    case 3:  // VS / VC
      r = v;
      break;
    case 4:  // HI / LS
      r = c && !z;
      break;
    case 5:  // GE / LT
      r = n == v;
      break;
    case 6:  // GT / LE
      r = n == v && !z;
      break;
    default:
      break;
  }
  return (cond & 1) && cond != 15 ? !r : r;
}

constexpr std::array<uint16_t, 16> make_table() {
  std::array<uint16_t, 16> t{};
  for (unsigned cond = 0; cond < 16; ++cond)
    for (unsigned flags = 0; flags < 16; ++flags)
      if (evaluate(cond, flags)) t[cond] |= static_cast<uint16_t>(1u << flags);
  return t;
}

inline constexpr std::array<uint16_t, 16> kTable = make_table();

}  // namespace cond_detail

// `nzcv` as Core::nzcv holds it (flags in bits 31..28), `cond` a 4-bit field.
inline bool condition_holds(uint32_t nzcv, unsigned cond) {
  return cond_detail::kTable[cond & 15] >> (nzcv >> 28) & 1;
}

}  // namespace vmapple::arm64
