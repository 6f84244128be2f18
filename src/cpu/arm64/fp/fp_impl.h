#pragma once
// Internals of the fp:: library: format parameters, FPUnpack, FPRound and the
// NaN rules of the Arm ARM, on integer significands so that every result and
// flag is exact. Private to src/cpu/arm64/fp/.
#include <bit>
#include <cstdint>

#include "cpu/arm64/fp/fp.h"

namespace vmapple::arm64::fp::detail {

using u128 = unsigned __int128;

template <class F>
struct Fmt;
template <>
struct Fmt<uint16_t> {
  static constexpr int kExpBits = 5, kFracBits = 10;
};
template <>
struct Fmt<uint32_t> {
  static constexpr int kExpBits = 8, kFracBits = 23;
};
template <>
struct Fmt<uint64_t> {
  static constexpr int kExpBits = 11, kFracBits = 52;
};

// Encodings of one format (F = uint16_t, uint32_t or uint64_t).
template <class F>
struct Format {
  static constexpr int N = sizeof(F) * 8;
  static constexpr int E = Fmt<F>::kExpBits;
  static constexpr int M = Fmt<F>::kFracBits;
  static constexpr int kBias = (1 << (E - 1)) - 1;
  static constexpr int kMinExp = 1 - kBias;  // exponent of the smallest normal
  static constexpr unsigned kExpMax = (1u << E) - 1;
  static constexpr uint64_t kSignBit = uint64_t{1} << (N - 1);
  static constexpr uint64_t kFracMask = (uint64_t{1} << M) - 1;
  static constexpr uint64_t kQuietBit = uint64_t{1} << (M - 1);

  static F pack(bool sign, uint64_t biased_exp, uint64_t frac) {
    return static_cast<F>((sign ? kSignBit : 0) | biased_exp << M | (frac & kFracMask));
  }
  static F zero(bool sign) { return pack(sign, 0, 0); }
  static F inf(bool sign) { return pack(sign, kExpMax, 0); }
  static F max_normal(bool sign) { return pack(sign, kExpMax - 1, kFracMask); }
  static F default_nan() { return pack(false, kExpMax, kQuietBit); }
  // sign:exp:frac of 1.0 * 2^k (k small enough to be normal).
  static F pow2(bool sign, int k) { return pack(sign, static_cast<uint64_t>(kBias + k), 0); }
  static bool sign_of(F x) { return (x >> (N - 1)) & 1; }
  static unsigned exp_of(F x) { return (x >> M) & kExpMax; }
};

enum class Type : uint8_t { kZero, kNonzero, kInfinity, kQNaN, kSNaN };

// FPUnpack's result. For kNonzero the value is mant * 2^(exp - 63) with bit
// 63 of mant set, i.e. 1.f * 2^exp.
struct Unpacked {
  Type type;
  bool sign;
  int exp = 0;
  uint64_t mant = 0;
  bool is_nan() const { return type == Type::kQNaN || type == Type::kSNaN; }
  bool is_inf() const { return type == Type::kInfinity; }
  bool is_zero() const { return type == Type::kZero; }
};

inline bool flush_to_zero(const Env& env) {
  return env.fpcr & fpcr::kFz;
}
inline bool default_nan_mode(const Env& env) {
  return env.fpcr & fpcr::kDn;
}

// FPUnpack: FZ flushes single/double denormals (with IDC); half precision
// (only conversions in v8.0) is never flushed. `ahp`: FPUnpackCV, the only
// form that honours FPCR.AHP (FPConvert).
template <class F>
inline Unpacked unpack(F x, Env& env, bool ahp = false) {
  using T = Format<F>;
  Unpacked u{Type::kZero, T::sign_of(x)};
  unsigned e = T::exp_of(x);
  uint64_t frac = x & T::kFracMask;
  if (e == 0) {
    if (frac == 0) return u;
    if (T::N != 16 && flush_to_zero(env)) {
      env.flags |= fpsr::kIdc;
      return u;
    }
    int lz = std::countl_zero(frac);
    u.type = Type::kNonzero;
    u.mant = frac << lz;
    u.exp = T::kMinExp - T::M + 63 - lz;
    return u;
  }
  if (e == T::kExpMax && !(T::N == 16 && ahp && (env.fpcr & fpcr::kAhp))) {
    if (frac == 0)
      u.type = Type::kInfinity;
    else
      u.type = (frac & T::kQuietBit) ? Type::kQNaN : Type::kSNaN;
    return u;
  }
  u.type = Type::kNonzero;
  u.mant = (frac | uint64_t{1} << T::M) << (63 - T::M);
  u.exp = static_cast<int>(e) - T::kBias;
  return u;
}

// FPProcessNaN: quiet a signalling NaN (Invalid), or the default NaN (DN).
template <class F>
inline F process_nan(Type type, F x, Env& env) {
  using T = Format<F>;
  if (type == Type::kSNaN) {
    x = static_cast<F>(x | T::kQuietBit);
    env.flags |= fpsr::kIoc;
  }
  return default_nan_mode(env) ? T::default_nan() : x;
}

// FPProcessNaNs: signalling NaNs first, then quiet ones, first operand first.
template <class F>
inline bool process_nans(const Unpacked& ua, const Unpacked& ub, F a, F b, Env& env, F& out) {
  if (ua.type == Type::kSNaN) {
    out = process_nan(ua.type, a, env);
  } else if (ub.type == Type::kSNaN) {
    out = process_nan(ub.type, b, env);
  } else if (ua.type == Type::kQNaN) {
    out = process_nan(ua.type, a, env);
  } else if (ub.type == Type::kQNaN) {
    out = process_nan(ub.type, b, env);
  } else {
    return false;
  }
  return true;
}

template <class F>
inline bool process_nans3(const Unpacked& ua, const Unpacked& ub, const Unpacked& uc, F a, F b, F c,
                          Env& env, F& out) {
  if (ua.type == Type::kSNaN) {
    out = process_nan(ua.type, a, env);
  } else if (ub.type == Type::kSNaN) {
    out = process_nan(ub.type, b, env);
  } else if (uc.type == Type::kSNaN) {
    out = process_nan(uc.type, c, env);
  } else if (ua.type == Type::kQNaN) {
    out = process_nan(ua.type, a, env);
  } else if (ub.type == Type::kQNaN) {
    out = process_nan(ub.type, b, env);
  } else if (uc.type == Type::kQNaN) {
    out = process_nan(uc.type, c, env);
  } else {
    return false;
  }
  return true;
}

// The rounding decision on a magnitude: `gt_half`/`eq_half` compare the
// discarded fraction with one half, `inexact` says it is non-zero and `odd`
// is the kept integer's low bit. Round-to-odd truncates here (its low bit is
// forced by the caller).
inline bool round_up(Rounding r, bool sign, bool gt_half, bool eq_half, bool inexact, bool odd) {
  switch (r) {
    case Rounding::kTieEven:
      return gt_half || (eq_half && odd);
    case Rounding::kPosInf:
      return inexact && !sign;
    case Rounding::kNegInf:
      return inexact && sign;
    case Rounding::kTieAway:
      return gt_half || eq_half;
    case Rounding::kZero:
    case Rounding::kOdd:
      return false;
  }
  return false;
}

// Splits mant (a magnitude) at `shift` bits: the integer part and how the
// discarded fraction compares with one half. shift may be 0..127.
struct Split {
  uint64_t integer;
  bool gt_half, eq_half, inexact;
};
inline Split split(uint64_t mant, unsigned shift) {
  if (shift == 0) return {mant, false, false, false};
  if (shift > 64) return {0, false, false, mant != 0};
  if (shift == 64) {
    uint64_t half = uint64_t{1} << 63;
    return {0, mant > half, mant == half, mant != 0};
  }
  uint64_t rem = mant & ((uint64_t{1} << shift) - 1), half = uint64_t{1} << (shift - 1);
  return {mant >> shift, rem > half, rem == half, rem != 0};
}

// FPRound of sign * mant * 2^(exp - 63), mant with bit 63 set and any lower
// non-zero bits of the exact value OR-ed into bit 0 (a sticky bit).
// Tininess is detected before rounding, as the Arm ARM does. `ahp`:
// FPRoundCV, the only form that honours FPCR.AHP (FPConvert).
template <class F>
inline F round_pack(bool sign, int exp, uint64_t mant, Env& env, Rounding rounding,
                    bool ahp = false) {
  using T = Format<F>;
  if (T::N != 16 && flush_to_zero(env) && exp < T::kMinExp) {
    env.flags |= fpsr::kUfc;
    return T::zero(sign);
  }
  int biased = exp - T::kMinExp + 1;
  unsigned shift = 63 - T::M;
  if (biased <= 0) {
    unsigned extra = static_cast<unsigned>(1 - biased);
    shift = extra > 64 ? 128 : shift + extra;
    biased = 0;
  }
  Split s = split(mant, shift);
  if (biased == 0 && s.inexact) env.flags |= fpsr::kUfc;
  uint64_t int_mant = s.integer;
  bool inexact = s.inexact;
  if (round_up(rounding, sign, s.gt_half, s.eq_half, inexact, int_mant & 1)) {
    ++int_mant;
    if (int_mant == uint64_t{1} << T::M) biased = 1;  // denormal rounded up to normal
    if (int_mant == uint64_t{1} << (T::M + 1)) {      // carried into the next exponent
      ++biased;
      int_mant >>= 1;
    }
  }
  if (inexact && rounding == Rounding::kOdd) int_mant |= 1;
  F result;
  if (T::N != 16 || !ahp || !(env.fpcr & fpcr::kAhp)) {
    if (biased >= static_cast<int>(T::kExpMax)) {
      bool to_inf = rounding == Rounding::kTieEven || rounding == Rounding::kTieAway ||
                    (rounding == Rounding::kPosInf && !sign) ||
                    (rounding == Rounding::kNegInf && sign);
      result = to_inf ? T::inf(sign) : T::max_normal(sign);
      env.flags |= fpsr::kOfc;
      inexact = true;
    } else {
      result = T::pack(sign, static_cast<uint64_t>(biased), int_mant);
    }
  } else {  // alternative half precision: no infinities, overflow is Invalid
    if (biased >= static_cast<int>(T::kExpMax) + 1) {
      result = static_cast<F>((sign ? T::kSignBit : 0) | (T::kSignBit - 1));
      env.flags |= fpsr::kIoc;
      inexact = false;
    } else {
      result = T::pack(sign, static_cast<uint64_t>(biased), int_mant);
    }
  }
  if (inexact) env.flags |= fpsr::kIxc;
  return result;
}

inline int clz128(u128 x) {
  uint64_t hi = static_cast<uint64_t>(x >> 64);
  return hi ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<uint64_t>(x));
}

// Normalizes a non-zero 128-bit magnitude worth r * 2^e0 into round_pack's
// form (lost bits become the sticky bit) and rounds it.
template <class F>
inline F round_wide(bool sign, u128 r, int e0, Env& env, Rounding rounding) {
  int p = 127 - clz128(r);
  uint64_t mant;
  if (p >= 63) {
    unsigned s = static_cast<unsigned>(p - 63);
    u128 lost = r & ((u128{1} << s) - 1);
    mant = static_cast<uint64_t>(r >> s) | (lost != 0);
  } else {
    mant = static_cast<uint64_t>(r) << (63 - p);
  }
  return round_pack<F>(sign, e0 + p, mant, env, rounding);
}

// Re-encodes an unpacked non-zero finite value (exact: no flags).
template <class F>
inline F repack(const Unpacked& u, Env& env) {
  return round_pack<F>(u.sign, u.exp, u.mant, env, Rounding::kZero);
}

// Orders two non-NaN values: -1, 0 or 1 (zeros of either sign are equal).
inline int compare_values(const Unpacked& a, const Unpacked& b) {
  auto rank = [](const Unpacked& u) { return u.is_zero() ? 0 : u.is_inf() ? 2 : 1; };
  bool neg_a = a.sign && !a.is_zero(), neg_b = b.sign && !b.is_zero();
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  int m = 0;
  if (rank(a) != rank(b))
    m = rank(a) < rank(b) ? -1 : 1;
  else if (rank(a) == 1)
    m = a.exp != b.exp     ? (a.exp < b.exp ? -1 : 1)
        : a.mant != b.mant ? (a.mant < b.mant ? -1 : 1)
                           : 0;
  return neg_a ? -m : m;
}

}  // namespace vmapple::arm64::fp::detail
