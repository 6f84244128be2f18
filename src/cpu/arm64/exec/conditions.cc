// ConditionHolds of the Arm ARM as one table lookup: for each condition, a
// 16-bit set of the NZCV values (N = bit 3 .. V = bit 0) for which it holds.
#include <array>

#include "cpu/arm64/core.h"

namespace vmapple::arm64 {
namespace {

constexpr bool evaluate(unsigned cond, unsigned flags) {
  bool n = flags & 8, z = flags & 4, c = flags & 2, v = flags & 1;
  bool r = false;
  switch (cond >> 1) {
    case 0:
      r = z;
      break;  // EQ / NE
    case 1:
      r = c;
      break;  // CS / CC
    case 2:
      r = n;
      break;  // MI / PL
    case 3:
      r = v;
      break;  // VS / VC
    case 4:
      r = c && !z;
      break;  // HI / LS
    case 5:
      r = n == v;
      break;  // GE / LT
    case 6:
      r = n == v && !z;
      break;  // GT / LE
    default:
      r = true;
      break;  // AL / NV (both always)
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

constexpr std::array<uint16_t, 16> kConditionTable = make_table();

}  // namespace

bool Core::condition_holds(unsigned cond) const {
  return kConditionTable[cond & 15] >> (nzcv >> 28) & 1;
}

}  // namespace vmapple::arm64
