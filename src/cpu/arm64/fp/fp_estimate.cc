// FPRecipEstimate, FPRSqrtEstimate, FPRecpX and the unsigned integer
// estimates (URECPE, URSQRTE) with the Arm ARM's RecipEstimate and
// RecipSqrtEstimate integer algorithms.
#include <array>

#include "cpu/arm64/fp/fp_impl.h"

namespace vmapple::arm64::fp {
namespace {

using detail::Format;
using detail::Type;
using detail::Unpacked;

// RecipEstimate: a in [256, 512) (a fixed-point 0.5 <= x < 1.0 in steps of
// 1/512) to the estimate of 1/x in [256, 512) (1.0 <= r < 2.0).
constexpr unsigned recip_estimate_int(unsigned a) {
  a = a * 2 + 1;
  unsigned b = (1u << 19) / a;
  return (b + 1) / 2;
}

// RecipSqrtEstimate: a in [128, 512) (0.25 <= x < 1.0) to the estimate of
// 1/sqrt(x) in [256, 512).
constexpr unsigned rsqrt_estimate_int(unsigned a) {
  if (a < 256) {
    a = a * 2 + 1;
  } else {
    a = (a >> 1) << 1;
    a = (a + 1) * 2;
  }
  unsigned b = 512;
  while (uint64_t{a} * (b + 1) * (b + 1) < (uint64_t{1} << 28))
    ++b;
  return (b + 1) / 2;
}

constexpr auto kRecipTable = [] {
  std::array<uint16_t, 256> t{};
  for (unsigned a = 256; a < 512; ++a)
    t[a - 256] = static_cast<uint16_t>(recip_estimate_int(a));
  return t;
}();

constexpr auto kRsqrtTable = [] {
  std::array<uint16_t, 384> t{};
  for (unsigned a = 128; a < 512; ++a)
    t[a - 128] = static_cast<uint16_t>(rsqrt_estimate_int(a));
  return t;
}();

unsigned recip_lookup(unsigned a) {
  return kRecipTable[a - 256];
}
unsigned rsqrt_lookup(unsigned a) {
  return kRsqrtTable[a - 128];
}

// The operand's fraction as 52 bits (single fractions left-aligned) and its
// biased exponent, as the estimate pseudocode works on them.
template <class F>
void fraction_and_exp(F a, uint64_t& fraction, int& exp) {
  using T = Format<F>;
  fraction = (a & T::kFracMask) << (52 - T::M);
  exp = static_cast<int>(T::exp_of(a));
}

}  // namespace

template <class F>
F recip_estimate(F a, Env& env) {
  using T = Format<F>;
  Unpacked u = detail::unpack(a, env);
  if (u.is_nan()) return detail::process_nan(u.type, a, env);
  if (u.is_inf()) return T::zero(u.sign);
  if (u.is_zero()) {
    env.flags |= fpsr::kDzc;
    return T::inf(u.sign);
  }
  constexpr int kTinyExp = T::N == 32 ? -128 : -1024;  // |value| < 2^kTinyExp overflows
  if (u.exp < kTinyExp) {
    bool to_inf = env.rounding == Rounding::kTieEven || env.rounding == Rounding::kTieAway ||
                  (env.rounding == Rounding::kPosInf && !u.sign) ||
                  (env.rounding == Rounding::kNegInf && u.sign);
    env.flags |= fpsr::kOfc | fpsr::kIxc;
    return to_inf ? T::inf(u.sign) : T::max_normal(u.sign);
  }
  if (detail::flush_to_zero(env) && u.exp >= T::kBias - 1) {
    env.flags |= fpsr::kUfc;
    return T::zero(u.sign);
  }
  uint64_t fraction;
  int exp;
  fraction_and_exp(a, fraction, exp);
  constexpr uint64_t kMask52 = (uint64_t{1} << 52) - 1;
  if (exp == 0) {
    if (!((fraction >> 51) & 1)) {
      exp = -1;
      fraction = (fraction << 2) & kMask52;
    } else {
      fraction = (fraction << 1) & kMask52;
    }
  }
  unsigned scaled = 256 | static_cast<unsigned>(fraction >> 44);
  int result_exp = (T::N == 32 ? 253 : 2045) - exp;
  uint64_t estimate = recip_lookup(scaled);
  fraction = (estimate & 0xff) << 44;
  if (result_exp == 0) {
    fraction = uint64_t{1} << 51 | fraction >> 1;
  } else if (result_exp == -1) {
    fraction = uint64_t{1} << 50 | fraction >> 2;
    result_exp = 0;
  }
  return T::pack(u.sign, static_cast<uint64_t>(result_exp), fraction >> (52 - T::M));
}

template <class F>
F rsqrt_estimate(F a, Env& env) {
  using T = Format<F>;
  Unpacked u = detail::unpack(a, env);
  if (u.is_nan()) return detail::process_nan(u.type, a, env);
  if (u.is_zero()) {
    env.flags |= fpsr::kDzc;
    return T::inf(u.sign);
  }
  if (u.sign) {
    env.flags |= fpsr::kIoc;
    return T::default_nan();
  }
  if (u.is_inf()) return T::zero(false);
  uint64_t fraction;
  int exp;
  fraction_and_exp(a, fraction, exp);
  constexpr uint64_t kMask52 = (uint64_t{1} << 52) - 1;
  if (exp == 0) {
    while (!((fraction >> 51) & 1)) {
      fraction = (fraction << 1) & kMask52;
      --exp;
    }
    fraction = (fraction << 1) & kMask52;
  }
  // An even biased exponent (odd true exponent) scales into [0.5, 1.0),
  // an odd one into [0.25, 0.5), keeping the exponent's parity.
  unsigned scaled = (exp & 1) ? 128 | static_cast<unsigned>(fraction >> 45)
                              : 256 | static_cast<unsigned>(fraction >> 44);
  // Floor division: exp may be negative for denormals, the dividend is not.
  int result_exp = ((T::N == 32 ? 380 : 3068) - exp) / 2;
  uint64_t estimate = rsqrt_lookup(scaled);
  return T::pack(false, static_cast<uint64_t>(result_exp), (estimate & 0xff) << (T::M - 8));
}

template <class F>
F recpx(F a, Env& env) {
  using T = Format<F>;
  Unpacked u = detail::unpack(a, env);
  if (u.is_nan()) return detail::process_nan(u.type, a, env);
  unsigned exp = T::exp_of(a);
  unsigned result_exp = exp == 0 ? T::kExpMax - 1 : ~exp & T::kExpMax;
  return T::pack(u.sign, result_exp, 0);
}

uint32_t unsigned_recip_estimate(uint32_t a) {
  if (!(a >> 31)) return ~uint32_t{0};
  return static_cast<uint32_t>(recip_lookup(a >> 23)) << 23;
}

uint32_t unsigned_rsqrt_estimate(uint32_t a) {
  if (!(a >> 30)) return ~uint32_t{0};
  unsigned scaled = (a >> 31) ? 256 | ((a >> 23) & 0xff) : 128 | ((a >> 23) & 0x7f);
  return static_cast<uint32_t>(rsqrt_lookup(scaled)) << 23;
}

#define VMAPPLE_FP_ESTIMATE(F)           \
  template F recip_estimate<F>(F, Env&); \
  template F rsqrt_estimate<F>(F, Env&); \
  template F recpx<F>(F, Env&);

VMAPPLE_FP_ESTIMATE(uint32_t)
VMAPPLE_FP_ESTIMATE(uint64_t)

}  // namespace vmapple::arm64::fp
