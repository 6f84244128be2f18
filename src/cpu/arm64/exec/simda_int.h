#pragma once
// Integer lane arithmetic shared by the simda Advanced SIMD integer groups
// (three same, three different, by element, across lanes): the Arm ARM
// computes these in unbounded integers and then truncates or saturates; we
// compute in a type wide enough for every intermediate (64-bit for lanes up
// to 32 bits, 128-bit for 64-bit lanes), so nothing overflows in C++.
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "base/bits.h"
#include "cpu/arm64/exec/simd.h"

namespace vmapple::arm64::simda {

using i128 = __int128;
using u128 = unsigned __int128;

template <class U>
inline constexpr unsigned kEsize = sizeof(U) * 8;

// The signed lane type of unsigned lane type U.
template <class U>
using S = std::make_signed_t<U>;

// A signed type that holds any sum, difference or product of two lanes
// (and the doubled products of the saturating multiplies).
template <class U>
using Wide = std::conditional_t<(sizeof(U) < 4), int64_t, i128>;

// The lane as an integer: signed (SInt) or unsigned (UInt).
template <class U, bool Signed>
inline Wide<U> to_int(U v) {
  if constexpr (Signed)
    return static_cast<S<U>>(v);
  else
    return v;
}
template <class U>
inline Wide<U> sn(U v) {
  return to_int<U, true>(v);
}
template <class U>
inline Wide<U> un(U v) {
  return to_int<U, false>(v);
}

// SignedSatQ / UnsignedSatQ: clamps to the lane's range, noting saturation.
template <class U, bool Signed, class W>
inline U sat(W v, bool& qc) {
  constexpr W lo = Signed ? W{std::numeric_limits<S<U>>::min()} : W{0};
  constexpr W hi = Signed ? W{std::numeric_limits<S<U>>::max()} : W{std::numeric_limits<U>::max()};
  if (v < lo) {
    qc = true;
    v = lo;
  } else if (v > hi) {
    qc = true;
    v = hi;
  }
  return static_cast<U>(v);
}

// Truncation of an unbounded integer to the lane (two's complement).
template <class U, class W>
inline U trunc(W v) {
  if constexpr (std::is_same_v<W, i128>)
    return static_cast<U>(static_cast<u128>(v));
  else
    return static_cast<U>(static_cast<uint64_t>(v));
}

// The shift of SSHL..UQRSHL: `shift` is the signed low byte of the second
// operand; a left shift keeps every bit (saturation and truncation happen
// later), a right shift floors, rounding adds half of the last bit shifted
// out first. Large left shifts of a non-zero value give a value out of every
// lane range whose low 64 bits are zero (so truncation yields 0).
inline i128 shift_int(i128 v, int shift, bool round) {
  if (shift >= 0) {
    if (v == 0) return 0;
    if (shift >= 64) return v > 0 ? i128{1} << 100 : -(i128{1} << 100);
    return static_cast<i128>(static_cast<u128>(v) << shift);
  }
  unsigned s = static_cast<unsigned>(-shift);
  // |v| < 2^64, so past 65 bits a rounded shift is 0 and a plain one the sign.
  if (s > 65) return round ? 0 : (v < 0 ? -1 : 0);
  if (round) v += i128{1} << (s - 1);
  return v >> s;
}

// A lane-type dispatch on the Arm `size` field: runs `call` with U =
// uint8_t..uint64_t.
#define VMAPPLE_SIMDA_BY_SIZE(size, call) \
  switch (size) {                         \
    case 0: {                             \
      using U = uint8_t;                  \
      call;                               \
      break;                              \
    }                                     \
    case 1: {                             \
      using U = uint16_t;                 \
      call;                               \
      break;                              \
    }                                     \
    case 2: {                             \
      using U = uint32_t;                 \
      call;                               \
      break;                              \
    }                                     \
    default: {                            \
      using U = uint64_t;                 \
      call;                               \
      break;                              \
    }                                     \
  }

// The lane type twice as wide as U (U up to 32 bits).
template <class U>
using Twice = std::conditional_t<sizeof(U) == 1, uint16_t,
                                 std::conditional_t<sizeof(U) == 2, uint32_t, uint64_t>>;

// Vpart(n, part) as a register: part 1 is the upper 64 bits moved down.
inline VReg vpart(const VReg& r, bool part) {
  VReg p;
  std::memcpy(p.b, r.b + (part ? 8 : 0), 8);
  return p;
}

// The lane as a 128-bit integer, signed or unsigned.
template <class U, bool Signed>
inline i128 to_i128(U v) {
  if constexpr (Signed)
    return static_cast<S<U>>(v);
  else
    return v;
}

// The low half of a product (no C++ promotion to int for narrow lanes).
template <class U>
inline U mul_lo(U a, U b) {
  using M = std::conditional_t<(sizeof(U) < 4), uint32_t, U>;
  return static_cast<U>(static_cast<M>(a) * static_cast<M>(b));
}

// SQDMULH / SQRDMULH: the high half of 2*n*m (+ rounding), saturated.
template <class U, bool Round>
inline U doubling_mul_high(U n, U m, bool& qc) {
  i128 p = 2 * to_i128<U, true>(n) * to_i128<U, true>(m);
  if (Round) p += i128{1} << (kEsize<U> - 1);
  return sat<U, true>(p >> kEsize<U>, qc);
}

inline i128 abs_diff(i128 a, i128 b) {
  return a > b ? a - b : b - a;
}

// Widening lane operations: a and b are the (sign- or zero-extended) source
// lanes, d the destination lane of type T (twice the source width).
struct AddL {
  template <class T>
  static T lane(i128 a, i128 b, T, bool&) {
    return trunc<T>(a + b);
  }
};
struct SubL {
  template <class T>
  static T lane(i128 a, i128 b, T, bool&) {
    return trunc<T>(a - b);
  }
};
struct AbaL {
  template <class T>
  static T lane(i128 a, i128 b, T d, bool&) {
    return trunc<T>(i128{d} + abs_diff(a, b));
  }
};
struct AbdL {
  template <class T>
  static T lane(i128 a, i128 b, T, bool&) {
    return trunc<T>(abs_diff(a, b));
  }
};
struct MlaL {
  template <class T>
  static T lane(i128 a, i128 b, T d, bool&) {
    return trunc<T>(i128{d} + a * b);
  }
};
struct MlsL {
  template <class T>
  static T lane(i128 a, i128 b, T d, bool&) {
    return trunc<T>(i128{d} - a * b);
  }
};
struct MulL {
  template <class T>
  static T lane(i128 a, i128 b, T, bool&) {
    return trunc<T>(a * b);
  }
};
// SQDMULL, SQDMLAL, SQDMLSL: the doubled product saturates first, then the
// accumulation (each saturation sets QC).
struct SqdmullL {
  template <class T>
  static T lane(i128 a, i128 b, T, bool& qc) {
    return sat<T, true>(2 * a * b, qc);
  }
};
struct SqdmlalL {
  template <class T>
  static T lane(i128 a, i128 b, T d, bool& qc) {
    i128 p = to_i128<T, true>(sat<T, true>(2 * a * b, qc));
    return sat<T, true>(to_i128<T, true>(d) + p, qc);
  }
};
struct SqdmlslL {
  template <class T>
  static T lane(i128 a, i128 b, T d, bool& qc) {
    i128 p = to_i128<T, true>(sat<T, true>(2 * a * b, qc));
    return sat<T, true>(to_i128<T, true>(d) - p, qc);
  }
};

// The widening forms: lane i of the result (twice U's width) combines lane
// i of Vn (Vpart(n, Q) of U lanes, or with WideN the whole Vn of wide
// lanes) with lane i of `m` (U lanes, the caller selected the half or the
// element). The scalar encodings (bit 28) compute lane 0 only.
template <class Op, bool Signed, bool WideN, class U>
inline void long_lanes(Core& c, uint32_t insn, const VReg& m) {
  using T = Twice<U>;
  bool scalar = bit(insn, 28), part = bit(insn, 30) && !scalar;
  unsigned count = scalar ? 1 : 8 / sizeof(U);
  VReg n = vreg(c, bits(insn, 9, 5)), d = vreg(c, bits(insn, 4, 0)), r;
  if (!WideN) n = vpart(n, part);
  bool qc = false;
  for (unsigned i = 0; i < count; ++i) {
    i128 a = WideN ? to_i128<T, Signed>(n.get<T>(i)) : to_i128<U, Signed>(n.get<U>(i));
    r.set<T>(i, Op::template lane<T>(a, to_i128<U, Signed>(m.get<U>(i)), d.get<T>(i), qc));
  }
  set_vreg(c, bits(insn, 4, 0), r);
  if (qc) set_qc(c);
}

}  // namespace vmapple::arm64::simda
