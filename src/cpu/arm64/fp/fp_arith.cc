// FPAdd, FPSub, FPMul, FPMulX, FPDiv, FPSqrt, FPMulAdd, the fused Newton-
// Raphson steps, FPMax/FPMin(Num), FPCompare* and FPRoundInt of the Arm ARM,
// computed exactly on integer significands.
#include <algorithm>
#include <cmath>
#include <optional>

#include "cpu/arm64/fp/fp_host.h"
#include "cpu/arm64/fp/fp_impl.h"

namespace vmapple::arm64::fp {

namespace detail {
std::atomic<bool> g_host_fast_path{true};
}  // namespace detail

void set_host_fast_path(bool enabled) {
  detail::g_host_fast_path.store(enabled, std::memory_order_relaxed);
}

namespace {

using detail::Format;
using detail::Type;
using detail::u128;
using detail::Unpacked;

// A finite value sig * 2^(exp - 126) with bit 126 of sig set (or sig = 0):
// wide enough for an exact product of two 64-bit significands.
struct Wide {
  bool sign;
  int exp;
  u128 sig;
};

Wide widen(const Unpacked& u) {
  if (u.is_zero()) return {u.sign, 0, 0};
  return {u.sign, u.exp, u128{u.mant} << 63};
}

Wide product(const Unpacked& a, const Unpacked& b) {
  bool sign = a.sign != b.sign;
  if (a.is_zero() || b.is_zero()) return {sign, 0, 0};
  u128 p = u128{a.mant} * b.mant;  // in [2^126, 2^128)
  int exp = a.exp + b.exp;
  if (p >> 127) {
    p = (p >> 1) | (p & 1);
    ++exp;
  }
  return {sign, exp, p};
}

// The rounded sum of two wide values, times 2^scale; an exact zero sum is
// +0 (-0 when rounding towards minus infinity), as FPAdd/FPMulAdd say.
template <class F>
F add_wide(Wide a, Wide b, int scale, Env& env) {
  if (a.sig == 0 && b.sig == 0) {
    if (a.sign == b.sign) return Format<F>::zero(a.sign);
    return Format<F>::zero(env.rounding == Rounding::kNegInf);
  }
  if (a.sig == 0 || (b.sig != 0 && (b.exp > a.exp || (b.exp == a.exp && b.sig > a.sig)))) {
    Wide t = a;
    a = b;
    b = t;
  }
  if (b.sig != 0) {
    unsigned d = static_cast<unsigned>(a.exp - b.exp);
    if (d >= 127) {
      b.sig = 1;  // only stickiness remains
    } else if (d > 0) {
      u128 lost = b.sig & ((u128{1} << d) - 1);
      b.sig = (b.sig >> d) | (lost != 0);
    }
  }
  u128 r = a.sign == b.sign ? a.sig + b.sig : a.sig - b.sig;
  if (r == 0) return Format<F>::zero(env.rounding == Rounding::kNegInf);
  return detail::round_wide<F>(a.sign, r, a.exp - 126 + scale, env, env.rounding);
}

template <class F>
F add_sub(F a, F b, bool subtract, Env& env) {
  using T = Format<F>;
  F fast;
  if (detail::fast_path_applies<F>(env) && detail::normal(a) && detail::normal(b) &&
      detail::host_add(a, subtract ? neg(b) : b, env, fast))
    return fast;
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  F nan;
  if (detail::process_nans(ua, ub, a, b, env, nan)) return nan;
  if (subtract) ub.sign = !ub.sign;
  if (ua.is_inf() && ub.is_inf() && ua.sign != ub.sign) {
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  if (ua.is_inf()) return T::inf(ua.sign);
  if (ub.is_inf()) return T::inf(ub.sign);
  return add_wide<F>(widen(ua), widen(ub), 0, env);
}

template <class F>
F mul_impl(F a, F b, bool mulx, Env& env) {
  using T = Format<F>;
  F fast;
  if (detail::fast_path_applies<F>(env) && detail::normal(a) && detail::normal(b) &&
      detail::host_mul(a, b, env, fast))
    return fast;
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  F nan;
  if (detail::process_nans(ua, ub, a, b, env, nan)) return nan;
  bool sign = ua.sign != ub.sign;
  if ((ua.is_inf() && ub.is_zero()) || (ua.is_zero() && ub.is_inf())) {
    if (mulx) return T::pow2(sign, 1);
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  if (ua.is_inf() || ub.is_inf()) return T::inf(sign);
  if (ua.is_zero() || ub.is_zero()) return T::zero(sign);
  Wide p = product(ua, ub);
  return detail::round_wide<F>(sign, p.sig, p.exp - 126, env, env.rounding);
}

// Integer square root of r (r < 2^127) and whether it was exact.
uint64_t isqrt(u128 r, bool& exact) {
  uint64_t x = static_cast<uint64_t>(std::sqrt(static_cast<double>(r)));
  if (x != 0) x = static_cast<uint64_t>((u128{x} + r / x) >> 1);  // one Newton step
  while (u128{x} * x > r)
    --x;
  while (u128{x + 1} * (x + 1) <= r)
    ++x;
  exact = u128{x} * x == r;
  return x;
}

// FPMulAdd-style fused sum addend + a * b (a, b, addend not NaN), with the
// infinity rules left to the caller. Scaled by 2^scale before rounding.
template <class F>
F fused(const Unpacked& addend, const Unpacked& a, const Unpacked& b, int scale, Env& env) {
  return add_wide<F>(widen(addend), product(a, b), scale, env);
}

// FPRecipStepFused (two = 2.0, scale 0) and FPRSqrtStepFused (three, -1):
// constant - a * b with one rounding.
template <class F>
F step_fused(F a, F b, bool rsqrt, Env& env) {
  using T = Format<F>;
  a = static_cast<F>(a ^ T::kSignBit);  // the NaN rules see the negated operand
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  F nan;
  if (detail::process_nans(ua, ub, a, b, env, nan)) return nan;
  if ((ua.is_inf() && ub.is_zero()) || (ua.is_zero() && ub.is_inf()))
    return rsqrt ? T::pack(false, T::kBias, uint64_t{1} << (T::M - 1)) : T::pow2(false, 1);
  if (ua.is_inf() || ub.is_inf()) return T::inf(ua.sign != ub.sign);
  Unpacked constant{Type::kNonzero, false, 1, rsqrt ? uint64_t{3} << 62 : uint64_t{1} << 63};
  return fused<F>(constant, ua, ub, rsqrt ? -1 : 0, env);
}

// FPMax/FPMin: the larger/smaller value; zeros compare equal and pick the
// sign that is most positive/negative.
template <class F>
F max_min(F a, F b, bool is_max, Env& env) {
  using T = Format<F>;
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  F nan;
  if (detail::process_nans(ua, ub, a, b, env, nan)) return nan;
  int c = detail::compare_values(ua, ub);
  bool pick_a = is_max ? c > 0 : c < 0;
  const Unpacked& u = pick_a ? ua : ub;
  if (u.is_inf()) return T::inf(u.sign);
  if (u.is_zero()) return T::zero(is_max ? (ua.sign && ub.sign) : (ua.sign || ub.sign));
  return detail::repack<F>(u, env);
}

// FPMaxNum/FPMinNum: one quiet NaN loses against a number.
template <class F>
F max_min_num(F a, F b, bool is_max, Env& env) {
  using T = Format<F>;
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  if (ua.type == Type::kQNaN && ub.type != Type::kQNaN)
    a = T::inf(is_max);
  else if (ua.type != Type::kQNaN && ub.type == Type::kQNaN)
    b = T::inf(is_max);
  return max_min(a, b, is_max, env);
}

}  // namespace

template <class F>
F add(F a, F b, Env& env) {
  return add_sub(a, b, false, env);
}
template <class F>
F sub(F a, F b, Env& env) {
  return add_sub(a, b, true, env);
}
template <class F>
F mul(F a, F b, Env& env) {
  return mul_impl(a, b, false, env);
}
template <class F>
F mulx(F a, F b, Env& env) {
  return mul_impl(a, b, true, env);
}

template <class F>
F div(F a, F b, Env& env) {
  using T = Format<F>;
  F fast;
  if (detail::fast_path_applies<F>(env) && detail::normal(a) && detail::normal(b) &&
      detail::host_div(a, b, env, fast))
    return fast;
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  F nan;
  if (detail::process_nans(ua, ub, a, b, env, nan)) return nan;
  bool sign = ua.sign != ub.sign;
  if ((ua.is_inf() && ub.is_inf()) || (ua.is_zero() && ub.is_zero())) {
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  if (ua.is_inf() || ub.is_zero()) {
    if (!ua.is_inf()) env.flags |= fpsr::kDzc;
    return T::inf(sign);
  }
  if (ua.is_zero() || ub.is_inf()) return T::zero(sign);
  u128 num = u128{ua.mant} << 64;
  u128 q = num / ub.mant;
  bool rem = num % ub.mant != 0;
  return detail::round_wide<F>(sign, q | rem, ua.exp - ub.exp - 64, env, env.rounding);
}

template <class F>
F sqrt(F a, Env& env) {
  using T = Format<F>;
  F fast;
  if (detail::fast_path_applies<F>(env) && detail::normal(a) && detail::host_sqrt(a, env, fast))
    return fast;
  Unpacked u = detail::unpack(a, env);
  if (u.is_nan()) return detail::process_nan(u.type, a, env);
  if (u.is_zero()) return T::zero(u.sign);
  if (u.is_inf() && !u.sign) return T::inf(false);
  if (u.sign) {
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  // value = mant * 2^(exp - 63); shift mant left so the exponent is even.
  unsigned k = (u.exp & 1) ? 62 : 63;
  int e = u.exp - 63 - static_cast<int>(k);
  bool exact;
  uint64_t root = isqrt(u128{u.mant} << k, exact);
  return detail::round_wide<F>(false, u128{root} | !exact, e / 2, env, env.rounding);
}

template <class F>
F muladd(F addend, F a, F b, Env& env) {
  using T = Format<F>;
  if constexpr (sizeof(F) == 4) {
    F fast;
    if (detail::fast_path_applies<F>(env) && detail::normal(addend) && detail::normal(a) &&
        detail::normal(b) && detail::host_muladd32(addend, a, b, env, fast))
      return fast;
  }
  Unpacked uc = detail::unpack(addend, env);
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  bool inf_times_zero = (ua.is_inf() && ub.is_zero()) || (ua.is_zero() && ub.is_inf());
  F nan;
  bool done = detail::process_nans3(uc, ua, ub, addend, a, b, env, nan);
  if (uc.type == Type::kQNaN && inf_times_zero) {
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  if (done) return nan;
  bool sign_p = ua.sign != ub.sign, inf_p = ua.is_inf() || ub.is_inf();
  if (inf_times_zero || (uc.is_inf() && inf_p && uc.sign != sign_p)) {
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  if ((uc.is_inf() && !uc.sign) || (inf_p && !sign_p)) return T::inf(false);
  if (uc.is_inf() || inf_p) return T::inf(true);
  return fused<F>(uc, ua, ub, 0, env);
}

template <class F>
F recip_step(F a, F b, Env& env) {
  return step_fused(a, b, false, env);
}
template <class F>
F rsqrt_step(F a, F b, Env& env) {
  return step_fused(a, b, true, env);
}

template <class F>
F max(F a, F b, Env& env) {
  return max_min(a, b, true, env);
}
template <class F>
F min(F a, F b, Env& env) {
  return max_min(a, b, false, env);
}
template <class F>
F maxnm(F a, F b, Env& env) {
  return max_min_num(a, b, true, env);
}
template <class F>
F minnm(F a, F b, Env& env) {
  return max_min_num(a, b, false, env);
}

template <class F>
F abs(F a) {
  return static_cast<F>(a & ~Format<F>::kSignBit);
}
template <class F>
F neg(F a) {
  return static_cast<F>(a ^ Format<F>::kSignBit);
}

// compare_values(a, b), or nullopt for an unordered pair (a NaN operand),
// which raises Invalid Operation if a NaN signals or `signal_nans` is set.
template <class F>
std::optional<int> ordered_compare(F a, F b, bool signal_nans, Env& env) {
  Unpacked ua = detail::unpack(a, env), ub = detail::unpack(b, env);
  if (ua.is_nan() || ub.is_nan()) {
    if (ua.type == Type::kSNaN || ub.type == Type::kSNaN || signal_nans) env.flags |= fpsr::kIoc;
    return std::nullopt;
  }
  return detail::compare_values(ua, ub);
}

template <class F>
uint32_t compare(F a, F b, bool signal_nans, Env& env) {
  std::optional<int> c = ordered_compare(a, b, signal_nans, env);
  if (!c) return 0x3u << 28;
  return *c == 0 ? 0x6u << 28 : *c < 0 ? 0x8u << 28 : 0x2u << 28;
}

// FCMEQ is quiet; FCMGE and FCMGT signal on every NaN.
template <class F>
bool compare_eq(F a, F b, Env& env) {
  std::optional<int> c = ordered_compare(a, b, false, env);
  return c && *c == 0;
}
template <class F>
bool compare_ge(F a, F b, Env& env) {
  std::optional<int> c = ordered_compare(a, b, true, env);
  return c && *c >= 0;
}
template <class F>
bool compare_gt(F a, F b, Env& env) {
  std::optional<int> c = ordered_compare(a, b, true, env);
  return c && *c > 0;
}

template <class F>
F round_int(F a, Rounding rounding, bool exact, Env& env) {
  using T = Format<F>;
  Unpacked u = detail::unpack(a, env);
  if (u.is_nan()) return detail::process_nan(u.type, a, env);
  if (u.is_inf()) return T::inf(u.sign);
  if (u.is_zero()) return T::zero(u.sign);
  if (u.exp >= T::M) return detail::repack<F>(u, env);  // already an integer
  // value = mant * 2^(exp - 63): the integer part is mant >> (63 - exp).
  unsigned shift = static_cast<unsigned>(std::min(63 - u.exp, 128));
  detail::Split s = detail::split(u.mant, shift);
  uint64_t i = s.integer;
  if (detail::round_up(rounding, u.sign, s.gt_half, s.eq_half, s.inexact, i & 1)) ++i;
  if (s.inexact && exact) env.flags |= fpsr::kIxc;
  if (i == 0) return T::zero(u.sign);
  Env quiet(env.fpcr);  // the integer is exactly representable
  return detail::round_wide<F>(u.sign, i, 0, quiet, Rounding::kZero);
}

#define VMAPPLE_FP_ARITH(F)                         \
  template F add<F>(F, F, Env&);                    \
  template F sub<F>(F, F, Env&);                    \
  template F mul<F>(F, F, Env&);                    \
  template F mulx<F>(F, F, Env&);                   \
  template F div<F>(F, F, Env&);                    \
  template F sqrt<F>(F, Env&);                      \
  template F muladd<F>(F, F, F, Env&);              \
  template F max<F>(F, F, Env&);                    \
  template F min<F>(F, F, Env&);                    \
  template F maxnm<F>(F, F, Env&);                  \
  template F minnm<F>(F, F, Env&);                  \
  template F abs<F>(F);                             \
  template F neg<F>(F);                             \
  template uint32_t compare<F>(F, F, bool, Env&);   \
  template bool compare_eq<F>(F, F, Env&);          \
  template bool compare_ge<F>(F, F, Env&);          \
  template bool compare_gt<F>(F, F, Env&);          \
  template F round_int<F>(F, Rounding, bool, Env&); \
  template F recip_step<F>(F, F, Env&);             \
  template F rsqrt_step<F>(F, F, Env&);

VMAPPLE_FP_ARITH(uint32_t)
VMAPPLE_FP_ARITH(uint64_t)

}  // namespace vmapple::arm64::fp
