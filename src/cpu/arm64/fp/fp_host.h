#pragma once
// The host-FP fast path of the fp:: library. The host's float/double
// arithmetic is IEEE-754 with correct rounding to nearest-even (SSE2 or
// AArch64 FP, default MXCSR/FPCR, no contraction with -std=c++20), so where
// the Arm result is the IEEE result it can be used:
//   - the rounding mode is ties-to-even,
//   - every operand is normal (no NaN, infinity, zero or denormal: no NaN
//     rules, no input flushing, no IDC),
//   - the result's biased exponent is in [2, max - 1]: not tiny before
//     rounding (no Underflow, nothing for FZ to flush) and no overflow.
// The only flag left is Inexact, which each operation derives exactly
// (error-free transformations or integer significand checks). Otherwise the
// caller falls back to the software path.
#include <atomic>
#include <bit>
#include <cmath>

#include "cpu/arm64/fp/fp_impl.h"

namespace vmapple::arm64::fp::detail {

extern std::atomic<bool> g_host_fast_path;

template <class F>
struct HostType;
template <>
struct HostType<uint32_t> {
  using type = float;
};
template <>
struct HostType<uint64_t> {
  using type = double;
};
template <class F>
using Host = typename HostType<F>::type;

template <class F>
inline bool fast_path_applies(const Env& env) {
  return env.rounding == Rounding::kTieEven && g_host_fast_path.load(std::memory_order_relaxed);
}
template <class F>
inline bool normal(F x) {
  unsigned e = Format<F>::exp_of(x);
  return e != 0 && e != Format<F>::kExpMax;
}
template <class F>
inline bool safe_result(F r) {
  unsigned e = Format<F>::exp_of(r);
  return e >= 2 && e != Format<F>::kExpMax;
}

// The significand with its implicit bit, and with trailing zeros removed.
template <class F>
inline uint64_t significand(F x) {
  return (x & Format<F>::kFracMask) | uint64_t{1} << Format<F>::M;
}
inline u128 odd_part(u128 v) {
  uint64_t lo = static_cast<uint64_t>(v);
  int tz = lo ? std::countr_zero(lo) : 64 + std::countr_zero(static_cast<uint64_t>(v >> 64));
  return v >> tz;
}

// a + b (b already negated for FSUB). Inexact from TwoSum's error term.
template <class F>
inline bool host_add(F a, F b, Env& env, F& out) {
  using H = Host<F>;
  H x = std::bit_cast<H>(a), y = std::bit_cast<H>(b);
  H r = x + y;
  F rb = std::bit_cast<F>(r);
  if (!safe_result(rb)) return false;
  H yy = r - x;
  H err = (x - (r - yy)) + (y - yy);
  if (err != 0) env.flags |= fpsr::kIxc;
  out = rb;
  return true;
}

// a * b: exact iff the product of the significands has no more significant
// bits than the format.
template <class F>
inline bool host_mul(F a, F b, Env& env, F& out) {
  using H = Host<F>;
  H r = std::bit_cast<H>(a) * std::bit_cast<H>(b);
  F rb = std::bit_cast<F>(r);
  if (!safe_result(rb)) return false;
  u128 p = odd_part(u128{significand(a)} * significand(b));
  if (p >> (Format<F>::M + 1)) env.flags |= fpsr::kIxc;
  out = rb;
  return true;
}

// a / b = r exactly iff r * b = a, i.e. the significands' odd parts agree
// (r approximates a / b to within an ulp, so no power of two can differ).
template <class F>
inline bool host_div(F a, F b, Env& env, F& out) {
  using H = Host<F>;
  H r = std::bit_cast<H>(a) / std::bit_cast<H>(b);
  F rb = std::bit_cast<F>(r);
  if (!safe_result(rb)) return false;
  if (odd_part(u128{significand(rb)} * significand(b)) != odd_part(significand(a)))
    env.flags |= fpsr::kIxc;
  out = rb;
  return true;
}

template <class F>
inline bool host_sqrt(F a, Env& env, F& out) {
  using H = Host<F>;
  if (Format<F>::sign_of(a)) return false;
  H r = std::sqrt(std::bit_cast<H>(a));
  F rb = std::bit_cast<F>(r);
  if (!safe_result(rb)) return false;
  if (odd_part(u128{significand(rb)} * significand(rb)) != odd_part(significand(a)))
    env.flags |= fpsr::kIxc;
  out = rb;
  return true;
}

// Single-precision addend + a * b through double: the product is exact in
// double and the sum is rounded once to double; rounding that to single is
// the correctly rounded result unless the double sum is inexact and sits on
// a single-precision midpoint (then the software path decides).
inline bool host_muladd32(uint32_t addend, uint32_t a, uint32_t b, Env& env, uint32_t& out) {
  double p = static_cast<double>(std::bit_cast<float>(a)) * std::bit_cast<float>(b);
  double z = std::bit_cast<float>(addend);
  double s = p + z;
  double ss = s - p;
  double err = (p - (s - ss)) + (z - ss);
  uint64_t sb = std::bit_cast<uint64_t>(s);
  constexpr uint64_t kBelow = (uint64_t{1} << 29) - 1, kHalf = uint64_t{1} << 28;
  if (err != 0 && (sb & kBelow) == kHalf) return false;
  float f = static_cast<float>(s);
  uint32_t fb = std::bit_cast<uint32_t>(f);
  if (!safe_result(fb)) return false;
  if (err != 0 || static_cast<double>(f) != s) env.flags |= fpsr::kIxc;
  out = fb;
  return true;
}

}  // namespace vmapple::arm64::fp::detail
