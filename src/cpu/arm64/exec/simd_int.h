#pragma once
// Integer lane arithmetic of the Advanced SIMD integer groups. The Arm ARM
// computes in unbounded integers and then truncates or saturates; we compute
// in a type wide enough for every intermediate (64-bit for lanes up to 32
// bits, 128-bit for 64-bit lanes, with a rounding constant or a left shift
// by up to 63), so nothing overflows in C++.
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "base/bits.h"
#include "cpu/arm64/exec/simd.h"

namespace vmapple::arm64::simd_int {

using i128 = __int128;
using u128 = unsigned __int128;

template <class U>
inline constexpr unsigned kEsize = sizeof(U) * 8;

// The signed lane type of unsigned lane type U.
template <class U>
using S = std::make_signed_t<U>;

// The lane type twice as wide as U (U up to 32 bits).
template <class U>
using Twice = std::conditional_t<sizeof(U) == 1, uint16_t,
                                 std::conditional_t<sizeof(U) == 2, uint32_t, uint64_t>>;

// A signed type that holds any sum, difference or product of two lanes
// (and the doubled products of the saturating multiplies).
template <class U>
using Wide = std::conditional_t<(sizeof(U) < 4), int64_t, i128>;

// Int(x, unsigned) of a lane: signed (SInt) or unsigned (UInt).
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

// The lane as a 128-bit integer, signed or unsigned.
template <class U, bool Signed>
inline i128 to_i128(U v) {
  return to_int<U, Signed>(v);
}

// v << sh without the signed-shift pitfalls (v and the result fit in i128).
constexpr i128 shl(i128 v, unsigned sh) {
  return static_cast<i128>(static_cast<u128>(v) << sh);
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
    return shl(v, static_cast<unsigned>(shift));
  }
  unsigned s = static_cast<unsigned>(-shift);
  // |v| < 2^64, so past 65 bits a rounded shift is 0 and a plain one the sign.
  if (s > 65) return round ? 0 : (v < 0 ? -1 : 0);
  if (round) v += i128{1} << (s - 1);
  return v >> s;
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

template <class W>
inline W abs_diff(W a, W b) {
  return a > b ? a - b : b - a;
}

// Calls fn.template operator()<U>() with U = uint8_t, uint16_t, uint32_t or
// uint64_t for the Arm `size` field 0..3: one dispatch per instruction.
template <class Fn>
inline void by_lane_type(unsigned size, Fn&& fn) {
  switch (size) {
    case 0:
      fn.template operator()<uint8_t>();
      break;
    case 1:
      fn.template operator()<uint16_t>();
      break;
    case 2:
      fn.template operator()<uint32_t>();
      break;
    default:
      fn.template operator()<uint64_t>();
      break;
  }
}

// by_lane_type for the forms without 64-bit lanes (the widening and
// narrowing ones, whose other lanes are twice as wide, and the reductions):
// size 3 is reserved.
template <class Fn>
inline void by_narrow_lane_type(Core& c, unsigned size, Fn&& fn) {
  if (size == 3) c.undefined();
  by_lane_type(size, [&]<class U>() {
    if constexpr (sizeof(U) < 8) fn.template operator()<U>();
  });
}

// The lane-wise forms: Vd[i] = op(Vn[i], Vd[i], qc) over the vector (Q
// selects 64 or 128 bits) or the one lane of a scalar encoding; QC is set
// if any lane saturated.
template <class U, class Op>
inline void map_lanes(Core& c, bool scalar, bool q, unsigned n, unsigned d, Op op) {
  VReg vn = vreg(c, n), vd = vreg(c, d), r;
  unsigned count = scalar ? 1 : (q ? 16 : 8) / sizeof(U);
  bool qc = false;
  for (unsigned i = 0; i < count; ++i)
    r.set<U>(i, op(vn.get<U>(i), vd.get<U>(i), qc));
  if (qc) set_qc(c);
  set_vreg(c, d, r, q && !scalar);
}

// The three-same shape: Vd[i] = Op::lane(Vn[i], m[i], Vd[i], qc) (m is Vm
// or a replicated element), vector or scalar (bit 28).
template <class Op, class U>
inline void same_lanes(Core& c, uint32_t insn, const VReg& m) {
  bool scalar = bit(insn, 28), q = bit(insn, 30) && !scalar;
  unsigned count = scalar ? 1 : (q ? 16 : 8) / sizeof(U);
  VReg n = vreg(c, bits(insn, 9, 5)), d = vreg(c, bits(insn, 4, 0)), r;
  bool qc = false;
  for (unsigned i = 0; i < count; ++i)
    r.set<U>(i, Op::template lane<U>(n.get<U>(i), m.get<U>(i), d.get<U>(i), qc));
  set_vreg(c, bits(insn, 4, 0), r, q);
  if (qc) set_qc(c);
}

// How a narrowing form turns the wide value into a lane: truncated, or
// saturated from a signed or unsigned source to a signed or unsigned lane.
enum class Narrow { kTruncate, kSigned, kUnsigned, kSignedToUnsigned };

template <Narrow K>
inline constexpr bool kNarrowFromSigned = K == Narrow::kSigned || K == Narrow::kSignedToUnsigned;

template <class U, Narrow K>
inline U narrow(i128 v, bool& qc) {
  if constexpr (K == Narrow::kTruncate)
    return trunc<U>(v);
  else
    return sat<U, K == Narrow::kSigned>(v, qc);
}

// The narrowing forms: lane i of Vn (twice U's width) through op(wide, qc)
// into lane i of Vpart(d, Q): the lower half (upper cleared) for Q = 0 and
// the scalar forms (one lane), the upper half ("2" forms, lower kept) else.
template <class U, class Op>
inline void narrow_lanes(Core& c, bool scalar, bool q, unsigned n, unsigned d, Op op) {
  VReg vn = vreg(c, n), r;
  unsigned count = scalar ? 1 : 8 / sizeof(U);
  bool qc = false;
  for (unsigned i = 0; i < count; ++i)
    r.set<U>(i, op(vn.get<Twice<U>>(i), qc));
  if (qc) set_qc(c);
  if (scalar || !q) {
    set_vreg(c, d, r, false);
  } else {
    VReg out = vreg(c, d);
    std::memcpy(out.b + 8, r.b, 8);
    set_vreg(c, d, out);
  }
}

// Vpart(n, part) as a register: part 1 is the upper 64 bits moved down.
inline VReg vpart(const VReg& r, bool part) {
  VReg p;
  std::memcpy(p.b, r.b + (part ? 8 : 0), 8);
  return p;
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

}  // namespace vmapple::arm64::simd_int
