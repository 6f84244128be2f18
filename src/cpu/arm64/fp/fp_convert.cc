// FPConvert (incl. alternative half precision), FPToFixed and FixedToFP of
// the Arm ARM.
#include <algorithm>

#include "cpu/arm64/fp/fp_impl.h"

namespace vmapple::arm64::fp {
namespace {

using detail::Format;
using detail::Type;
using detail::Unpacked;

// FPConvertNaN: sign and quiet bit kept, the payload left-aligned
// (truncated or zero-extended).
template <class To, class From>
To convert_nan(From a) {
  using TF = Format<From>;
  using TT = Format<To>;
  uint64_t payload = a & (TF::kQuietBit - 1);
  if constexpr (TT::M >= TF::M)
    payload <<= TT::M - TF::M;
  else
    payload >>= TF::M - TT::M;
  return TT::pack(TF::sign_of(a), TT::kExpMax, TT::kQuietBit | payload);
}

}  // namespace

template <class To, class From>
To convert(From a, Env& env) {
  using TT = Format<To>;
  Unpacked u = detail::unpack(a, env, /*ahp=*/true);
  bool alt_hp = TT::N == 16 && (env.fpcr & fpcr::kAhp);
  if (u.is_nan()) {
    To r;
    if (alt_hp)
      r = TT::zero(u.sign);
    else if (detail::default_nan_mode(env))
      r = TT::default_nan();
    else
      r = convert_nan<To>(a);
    if (u.type == Type::kSNaN || alt_hp) env.flags |= fpsr::kIoc;
    return r;
  }
  if (u.is_inf()) {
    if (alt_hp) {
      env.flags |= fpsr::kIoc;
      return static_cast<To>((u.sign ? TT::kSignBit : 0) | (TT::kSignBit - 1));
    }
    return TT::inf(u.sign);
  }
  if (u.is_zero()) return TT::zero(u.sign);
  return detail::round_pack<To>(u.sign, u.exp, u.mant, env, env.rounding, /*ahp=*/true);
}

template <class F>
uint64_t to_fixed(F a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding rounding,
                  Env& env) {
  Unpacked u = detail::unpack(a, env);
  uint64_t mask = int_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << int_bits) - 1;
  if (u.is_nan()) {
    env.flags |= fpsr::kIoc;
    return 0;
  }
  if (u.is_zero()) return 0;
  // The magnitude rounded to an integer (saturating early when it is huge).
  bool overflow = u.is_inf();
  bool inexact = false;
  unsigned __int128 mag = 0;
  if (!overflow) {
    int exp = u.exp + static_cast<int>(fbits);  // value * 2^fbits = mant * 2^(exp - 63)
    if (exp >= 64) {
      overflow = true;
    } else {
      unsigned shift = static_cast<unsigned>(std::min(63 - exp, 128));
      detail::Split s = detail::split(u.mant, shift);
      mag = s.integer;
      if (detail::round_up(rounding, u.sign, s.gt_half, s.eq_half, s.inexact, s.integer & 1)) ++mag;
      inexact = s.inexact;
    }
  }
  // The largest magnitude representable with this sign.
  unsigned __int128 limit;
  if (is_unsigned)
    limit = u.sign ? 0 : mask;
  else
    limit = (uint64_t{1} << (int_bits - 1)) - (u.sign ? 0 : 1);
  if (overflow || mag > limit) {
    env.flags |= fpsr::kIoc;
    mag = limit;
  } else if (inexact) {
    env.flags |= fpsr::kIxc;
  }
  uint64_t r = static_cast<uint64_t>(mag);
  if (u.sign) r = 0 - r;
  return r & mask;
}

template <class F>
F from_fixed(uint64_t value, unsigned fbits, bool is_unsigned, unsigned int_bits, Env& env) {
  uint64_t mask = int_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << int_bits) - 1;
  uint64_t v = value & mask;
  bool sign = !is_unsigned && ((v >> (int_bits - 1)) & 1);
  uint64_t mag = sign ? (0 - v) & mask : v;
  if (mag == 0) return Format<F>::zero(false);
  return detail::round_wide<F>(sign, mag, -static_cast<int>(fbits), env, env.rounding);
}

#define VMAPPLE_FP_FIXED(F)                                                   \
  template uint64_t to_fixed<F>(F, unsigned, bool, unsigned, Rounding, Env&); \
  template F from_fixed<F>(uint64_t, unsigned, bool, unsigned, Env&);

VMAPPLE_FP_FIXED(uint16_t)
VMAPPLE_FP_FIXED(uint32_t)
VMAPPLE_FP_FIXED(uint64_t)

#define VMAPPLE_FP_CONV(To, From) template To convert<To, From>(From, Env&);
VMAPPLE_FP_CONV(uint16_t, uint16_t)
VMAPPLE_FP_CONV(uint16_t, uint32_t)
VMAPPLE_FP_CONV(uint16_t, uint64_t)
VMAPPLE_FP_CONV(uint32_t, uint16_t)
VMAPPLE_FP_CONV(uint32_t, uint32_t)
VMAPPLE_FP_CONV(uint32_t, uint64_t)
VMAPPLE_FP_CONV(uint64_t, uint16_t)
VMAPPLE_FP_CONV(uint64_t, uint32_t)
VMAPPLE_FP_CONV(uint64_t, uint64_t)

}  // namespace vmapple::arm64::fp
