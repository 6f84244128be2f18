// Unit tests of the fp:: library: corners of the Arm ARM pseudocode that
// random differential testing rarely reaches, and a comparison with the
// host's IEEE arithmetic over many random normal operands in
// round-to-nearest (where host float/double is exact and Arm agrees).
#include "cpu/arm64/fp/fp.h"

#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <random>

namespace vmapple::arm64::fp {
namespace {

constexpr uint32_t kRne = 0, kRp = 1u << 22, kRm = 2u << 22, kRz = 3u << 22;

uint32_t f2u(float f) {
  return std::bit_cast<uint32_t>(f);
}
uint64_t d2u(double d) {
  return std::bit_cast<uint64_t>(d);
}

// --- rounding ---------------------------------------------------------------

TEST(FpRound, TiesInEveryMode) {
  // 1 + 2^-24 is exactly half an ulp above 1.0f; 1 + 3*2^-24 half an ulp
  // above the odd 1 + 2^-23.
  uint32_t one = f2u(1.0f), half_ulp = f2u(0x1p-24f), three_half = f2u(0x3p-24f);
  struct Case {
    uint32_t fpcr;
    uint32_t even_tie, odd_tie;
  } cases[] = {
      {kRne, f2u(1.0f), f2u(1.0f + 0x2p-23f)},
      {kRp, f2u(1.0f + 0x1p-23f), f2u(1.0f + 0x2p-23f)},
      {kRm, f2u(1.0f), f2u(1.0f + 0x1p-23f)},
      {kRz, f2u(1.0f), f2u(1.0f + 0x1p-23f)},
  };
  for (const Case& c : cases) {
    Env e(c.fpcr);
    EXPECT_EQ(add(one, half_ulp, e), c.even_tie) << c.fpcr;
    EXPECT_EQ(e.flags, fpsr::kIxc);
    Env e2(c.fpcr);
    EXPECT_EQ(add(one, three_half, e2), c.odd_tie) << c.fpcr;
    EXPECT_EQ(e2.flags, fpsr::kIxc);
  }
  // Negative ties: the directed modes mirror.
  Env e(kRp);
  EXPECT_EQ(add(f2u(-1.0f), f2u(-0x1p-24f), e), f2u(-1.0f));
  Env e2(kRm);
  EXPECT_EQ(add(f2u(-1.0f), f2u(-0x1p-24f), e2), f2u(-1.0f - 0x1p-23f));
}

TEST(FpRound, TieAwayAndOdd) {
  // Only FRINTA / FCVTA* and FCVTXN reach these modes; the conversion path
  // shares FPRound with arithmetic.
  Env e(kRne);
  e.rounding = Rounding::kTieAway;
  EXPECT_EQ(convert<uint32_t>(d2u(1.0 + 0x1p-24), e), f2u(1.0f + 0x1p-23f));
  EXPECT_EQ(e.flags, fpsr::kIxc);
  Env o(kRne);
  o.rounding = Rounding::kOdd;
  EXPECT_EQ(convert<uint32_t>(d2u(1.0 + 0x1p-30), o), f2u(1.0f + 0x1p-23f));
  EXPECT_EQ(convert<uint32_t>(d2u(1.0 + 0x1p-23), o), f2u(1.0f + 0x1p-23f));  // exact: kept
  EXPECT_EQ(convert<uint32_t>(d2u(1.0 + 0x2p-23 + 0x1p-40), o), f2u(1.0f + 0x3p-23f));
  // Overflow under round-to-odd gives the largest normal.
  Env big(kRne);
  big.rounding = Rounding::kOdd;
  EXPECT_EQ(convert<uint32_t>(d2u(0x1p200), big), 0x7f7fffffu);
  EXPECT_EQ(big.flags, fpsr::kOfc | fpsr::kIxc);
}

TEST(FpRound, OverflowPerRoundingMode) {
  uint32_t max = 0x7f7fffff;
  struct Case {
    uint32_t fpcr;
    uint32_t pos, neg;
  } cases[] = {{kRne, 0x7f800000, 0xff800000},
               {kRp, 0x7f800000, 0xff7fffff},
               {kRm, 0x7f7fffff, 0xff800000},
               {kRz, 0x7f7fffff, 0xff7fffff}};
  for (const Case& c : cases) {
    Env e(c.fpcr);
    EXPECT_EQ(mul(max, f2u(2.0f), e), c.pos);
    EXPECT_EQ(e.flags, fpsr::kOfc | fpsr::kIxc);
    EXPECT_EQ(mul(max, f2u(-2.0f), e), c.neg);
  }
  // Rounding up into overflow: max + half an ulp rounds to inf in RNE.
  Env e(kRne);
  EXPECT_EQ(add(max, f2u(0x1p103f), e), 0x7f800000u);
  EXPECT_EQ(e.flags, fpsr::kOfc | fpsr::kIxc);
  Env e2(kRne);
  EXPECT_EQ(add(max, f2u(0x1p102f), e2), max);  // below the tie: inexact only
  EXPECT_EQ(e2.flags, fpsr::kIxc);
}

// --- underflow and flush-to-zero ---------------------------------------------

TEST(FpUnderflow, TininessBeforeRounding) {
  // (2^-126 - 2^-150 ...) is tiny before rounding and rounds up to the
  // smallest normal: Arm raises Underflow (x86 would not).
  uint32_t a = f2u(0x1.fffffep-1f), b = f2u(0x1p-126f);  // a*b = 2^-126 - 2^-150
  Env e(kRne);
  EXPECT_EQ(mul(a, b, e), f2u(0x1p-126f));
  EXPECT_EQ(e.flags, fpsr::kUfc | fpsr::kIxc);
  // Exact denormal results raise nothing.
  Env e2(kRne);
  EXPECT_EQ(mul(f2u(0x1p-126f), f2u(0.5f), e2), f2u(0x1p-127f));
  EXPECT_EQ(e2.flags, 0u);
  // Inexact denormal results raise Underflow and Inexact.
  Env e3(kRne);
  EXPECT_EQ(mul(f2u(0x1.000002p-126f), f2u(0.5f), e3), f2u(0x1p-127f));
  EXPECT_EQ(e3.flags, fpsr::kUfc | fpsr::kIxc);
}

TEST(FpUnderflow, FlushToZeroOnResultsAndInputs) {
  uint32_t fz = fpcr::kFz;
  // Tiny before rounding is flushed even if rounding would give a normal;
  // UFC without IXC.
  Env e(fz);
  EXPECT_EQ(mul(f2u(0x1.fffffep-1f), f2u(0x1p-126f), e), 0u);
  EXPECT_EQ(e.flags, fpsr::kUfc);
  Env n(fz);
  EXPECT_EQ(mul(f2u(-0x1p-126f), f2u(0.5f), n), 0x80000000u);
  EXPECT_EQ(n.flags, fpsr::kUfc);
  // A denormal input is flushed (IDC) before use: x + denormal = x exactly.
  Env i(fz);
  EXPECT_EQ(add(f2u(1.0f), 0x00000001u, i), f2u(1.0f));
  EXPECT_EQ(i.flags, fpsr::kIdc);
  Env i2(kRne);
  EXPECT_EQ(add(f2u(1.0f), 0x00000001u, i2), f2u(1.0f));
  EXPECT_EQ(i2.flags, fpsr::kIxc);
  // Double precision too.
  Env d(fz);
  EXPECT_EQ(mul(d2u(0x1p-1022), d2u(0.75), d), 0u);
  EXPECT_EQ(d.flags, fpsr::kUfc);
  // Denormal x 0 under FZ: IDC only.
  Env z(fz);
  EXPECT_EQ(mul(0x00000001u, 0x80000000u, z), 0x80000000u);
  EXPECT_EQ(z.flags, fpsr::kIdc);
}

// --- NaNs ---------------------------------------------------------------------

TEST(FpNaN, PropagationOrderAndQuieting) {
  uint32_t qa = 0x7fc00001, qb = 0xffc00002, sa = 0x7f800003, sb = 0xff800004;
  Env e(kRne);
  EXPECT_EQ(add(qa, qb, e), qa);  // first quiet NaN
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(add(qa, sb, e), sb | 0x00400000u);  // the signalling one wins, quieted
  EXPECT_EQ(e.flags, fpsr::kIoc);
  Env e2(kRne);
  EXPECT_EQ(mul(sa, sb, e2), sa | 0x00400000u);
  EXPECT_EQ(sub(f2u(1.0f), qb, e2), qb);  // sub does not flip a NaN's sign
  // Default NaN mode.
  Env dn(fpcr::kDn);
  EXPECT_EQ(add(qa, f2u(1.0f), dn), 0x7fc00000u);
  EXPECT_EQ(dn.flags, 0u);
  EXPECT_EQ(add(f2u(1.0f), sb, dn), 0x7fc00000u);
  EXPECT_EQ(dn.flags, fpsr::kIoc);
  // Invalid operations give the default NaN.
  Env inv(kRne);
  EXPECT_EQ(add(0x7f800000u, 0xff800000u, inv), 0x7fc00000u);
  EXPECT_EQ(div(0u, 0x80000000u, inv), 0x7fc00000u);
  EXPECT_EQ(sqrt(f2u(-1.0f), inv), 0x7fc00000u);
  EXPECT_EQ(sqrt(0x80000000u, inv), 0x80000000u);  // sqrt(-0) = -0
  EXPECT_EQ(inv.flags, fpsr::kIoc);
  // Double: payload kept.
  Env d(kRne);
  EXPECT_EQ(mul<uint64_t>(d2u(2.0), 0x7ff0000000000123ull, d), 0x7ff8000000000123ull);
  EXPECT_EQ(d.flags, fpsr::kIoc);
}

TEST(FpNaN, MulAddRules) {
  uint32_t inf = 0x7f800000, zero = 0, qn = 0x7fc0abcd, sn = 0x7f80abcd;
  // addend qNaN with inf * 0: default NaN and Invalid (not the addend).
  Env e(kRne);
  EXPECT_EQ(muladd(qn, inf, zero, e), 0x7fc00000u);
  EXPECT_EQ(e.flags, fpsr::kIoc);
  Env e2(kRne);
  EXPECT_EQ(muladd(qn, zero, 0xff800000u, e2), 0x7fc00000u);
  EXPECT_EQ(e2.flags, fpsr::kIoc);
  // addend sNaN with inf * 0: the quieted addend.
  Env e3(kRne);
  EXPECT_EQ(muladd(sn, inf, zero, e3), sn | 0x00400000u);
  EXPECT_EQ(e3.flags, fpsr::kIoc);
  // Order: addend, then op1, then op2; signalling first.
  Env e4(kRne);
  EXPECT_EQ(muladd(qn, f2u(1.0f), 0x7f800001u, e4), 0x7fc00001u);
  EXPECT_EQ(muladd(qn, 0x7fc00002u, f2u(1.0f), e4), qn);
  // qNaN addend with a normal product: the addend, no Invalid.
  Env e5(kRne);
  EXPECT_EQ(muladd(qn, f2u(2.0f), f2u(3.0f), e5), qn);
  EXPECT_EQ(e5.flags, 0u);
  // inf - inf through the product: Invalid.
  Env e6(kRne);
  EXPECT_EQ(muladd(inf, 0xff800000u, f2u(1.0f), e6), 0x7fc00000u);
  EXPECT_EQ(e6.flags, fpsr::kIoc);
  // Exact zero sum: +0, or -0 when rounding to minus infinity.
  Env z(kRne), zm(kRm);
  EXPECT_EQ(muladd(f2u(-6.0f), f2u(2.0f), f2u(3.0f), z), 0u);
  EXPECT_EQ(muladd(f2u(-6.0f), f2u(2.0f), f2u(3.0f), zm), 0x80000000u);
  EXPECT_EQ(muladd(0x80000000u, 0x80000000u, zero, z), 0x80000000u);  // -0 + -0
  EXPECT_EQ(muladd(0x80000000u, zero, zero, z), 0u);  // -0 + +0  // -0 + (-0 * 0)... = +0
  EXPECT_EQ(muladd(0x80000000u, 0x80000000u, 0x3f800000u, z), 0x80000000u);  // -0 + -0
}

TEST(FpNaN, MaxMinAndNum) {
  Env e(kRne);
  EXPECT_EQ(max(0u, 0x80000000u, e), 0u);
  EXPECT_EQ(min(0u, 0x80000000u, e), 0x80000000u);
  EXPECT_EQ(max(0x7fc00005u, f2u(1.0f), e), 0x7fc00005u);
  EXPECT_EQ(maxnm(0x7fc00005u, f2u(1.0f), e), f2u(1.0f));
  EXPECT_EQ(minnm(f2u(1.0f), 0xffc00005u, e), f2u(1.0f));
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(maxnm(0x7f800005u, f2u(1.0f), e), 0x7fc00005u);  // sNaN still propagates
  EXPECT_EQ(e.flags, fpsr::kIoc);
  Env fz(fpcr::kFz);
  EXPECT_EQ(max(0x00000001u, f2u(-1.0f), fz), 0u);  // flushed input
  EXPECT_EQ(fz.flags, fpsr::kIdc);
  Env no_fz(kRne);
  EXPECT_EQ(max(0x00000001u, f2u(-1.0f), no_fz), 1u);
  EXPECT_EQ(no_fz.flags, 0u);
}

TEST(FpCompare, FlagsAndNzcv) {
  Env e(kRne);
  EXPECT_EQ(compare(f2u(1.0f), f2u(2.0f), false, e), 0x8u << 28);
  EXPECT_EQ(compare(f2u(2.0f), f2u(1.0f), false, e), 0x2u << 28);
  EXPECT_EQ(compare(0u, 0x80000000u, false, e), 0x6u << 28);
  EXPECT_EQ(compare(0x7fc00000u, 0u, false, e), 0x3u << 28);
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(compare(0x7fc00000u, 0u, true, e), 0x3u << 28);
  EXPECT_EQ(e.flags, fpsr::kIoc);
  Env s(kRne);
  EXPECT_EQ(compare(0u, 0x7f800001u, false, s), 0x3u << 28);
  EXPECT_EQ(s.flags, fpsr::kIoc);
  Env q(kRne);
  EXPECT_FALSE(compare_eq(0x7fc00000u, 0x7fc00000u, q));
  EXPECT_EQ(q.flags, 0u);
  EXPECT_FALSE(compare_ge(0x7fc00000u, 0u, q));
  EXPECT_EQ(q.flags, fpsr::kIoc);
  EXPECT_TRUE(compare_ge(0x80000000u, 0u, q));
  EXPECT_FALSE(compare_gt(0x80000000u, 0u, q));
}

// --- integers and fixed point ---------------------------------------------------

TEST(FpFixed, SaturationAndTies) {
  Env e(kRne);
  auto tf = [&](double d, bool u, unsigned bits, Rounding r, unsigned fbits = 0) {
    return to_fixed(d2u(d), fbits, u, bits, r, e);
  };
  EXPECT_EQ(tf(-0.5, false, 32, Rounding::kTieEven), 0u);
  EXPECT_EQ(tf(0.5, false, 32, Rounding::kTieEven), 0u);
  EXPECT_EQ(tf(1.5, false, 32, Rounding::kTieEven), 2u);
  EXPECT_EQ(tf(-0.5, false, 32, Rounding::kTieAway), 0xffffffffu);
  EXPECT_EQ(tf(0.5, false, 32, Rounding::kTieAway), 1u);
  EXPECT_EQ(tf(-0.5, false, 64, Rounding::kNegInf), ~0ull);
  EXPECT_EQ(tf(-0.5, false, 64, Rounding::kPosInf), 0u);
  EXPECT_EQ(e.flags, fpsr::kIxc);
  // -0.5 to unsigned rounds to 0 (inexact), -1.0 saturates (invalid).
  Env u(kRne);
  EXPECT_EQ(to_fixed(d2u(-0.5), 0, true, 32, Rounding::kTieEven, u), 0u);
  EXPECT_EQ(u.flags, fpsr::kIxc);
  Env u2(kRne);
  EXPECT_EQ(to_fixed(d2u(-1.0), 0, true, 32, Rounding::kZero, u2), 0u);
  EXPECT_EQ(u2.flags, fpsr::kIoc);
  // The limits: exactly representable extremes are fine, one beyond saturates.
  Env l(kRne);
  EXPECT_EQ(to_fixed(d2u(-0x1p31), 0, false, 32, Rounding::kZero, l), 0x80000000u);
  EXPECT_EQ(to_fixed(d2u(0x1p31 - 1), 0, false, 32, Rounding::kZero, l), 0x7fffffffu);
  EXPECT_EQ(to_fixed(d2u(0x1p32 - 1), 0, true, 32, Rounding::kZero, l), 0xffffffffu);
  EXPECT_EQ(to_fixed(d2u(-0x1p63), 0, false, 64, Rounding::kZero, l), 0x8000000000000000u);
  EXPECT_EQ(l.flags, 0u);
  EXPECT_EQ(to_fixed(d2u(0x1p31 - 0.5), 0, false, 32, Rounding::kTieEven, l), 0x7fffffffu);
  EXPECT_EQ(l.flags, fpsr::kIoc);  // rounds up to 2^31: saturates, no IXC
  Env l2(kRne);
  EXPECT_EQ(to_fixed(d2u(0x1p64), 0, true, 64, Rounding::kZero, l2), ~0ull);
  EXPECT_EQ(to_fixed(f2u(-INFINITY), 0, false, 64, Rounding::kZero, l2), 1ull << 63);
  EXPECT_EQ(to_fixed(0x7fc00000u, 0, false, 32, Rounding::kZero, l2), 0u);
  EXPECT_EQ(l2.flags, fpsr::kIoc);
  // Fixed point: fbits scale before rounding.
  Env f(kRne);
  EXPECT_EQ(to_fixed(d2u(1.25), 2, false, 32, Rounding::kZero, f), 5u);
  EXPECT_EQ(to_fixed(d2u(-1.25), 64, false, 64, Rounding::kZero, f), 1ull << 63);
  EXPECT_EQ(f.flags, fpsr::kIoc);
}

TEST(FpFixed, FromFixed) {
  Env e(kRne);
  EXPECT_EQ(from_fixed<uint32_t>(0x80000000u, 0, false, 32, e), f2u(-0x1p31f));
  EXPECT_EQ(from_fixed<uint32_t>(0x80000000u, 0, true, 32, e), f2u(0x1p31f));
  EXPECT_EQ(from_fixed<uint64_t>(~0ull, 0, true, 64, e), d2u(0x1p64));
  EXPECT_EQ(e.flags, fpsr::kIxc);
  Env x(kRne);
  EXPECT_EQ(from_fixed<uint64_t>(~0ull, 0, false, 64, x), d2u(-1.0));
  EXPECT_EQ(from_fixed<uint64_t>(1, 64, false, 64, x), d2u(0x1p-64));
  EXPECT_EQ(from_fixed<uint32_t>(0, 3, false, 32, x), 0u);
  EXPECT_EQ(x.flags, 0u);
  Env z(kRz);
  EXPECT_EQ(from_fixed<uint32_t>(0x7fffffffu, 0, false, 32, z), f2u(0x1.fffffep30f));
}

TEST(FpRoundInt, ModesAndExact) {
  struct Case {
    double in;
    Rounding r;
    double out;
  } cases[] = {{2.5, Rounding::kTieEven, 2.0},   {3.5, Rounding::kTieEven, 4.0},
               {-2.5, Rounding::kTieEven, -2.0}, {2.5, Rounding::kTieAway, 3.0},
               {-2.5, Rounding::kTieAway, -3.0}, {-0.3, Rounding::kZero, -0.0},
               {-0.3, Rounding::kPosInf, -0.0},  {0.3, Rounding::kNegInf, 0.0},
               {-0.3, Rounding::kNegInf, -1.0},  {0x1p52 + 1, Rounding::kTieEven, 0x1p52 + 1},
               {0.5, Rounding::kTieEven, 0.0},   {0.5000001, Rounding::kTieEven, 1.0}};
  for (const Case& c : cases) {
    Env e(kRne);
    EXPECT_EQ(round_int(d2u(c.in), c.r, true, e), d2u(c.out)) << c.in;
    EXPECT_EQ(e.flags, c.in == c.out ? 0u : fpsr::kIxc) << c.in;
    Env n(kRne);
    round_int(d2u(c.in), c.r, false, n);
    EXPECT_EQ(n.flags, 0u);
  }
}

// --- conversions between precisions ------------------------------------------------

TEST(FpConvert, HalfIeeeAndAlternative) {
  Env e(kRne);
  EXPECT_EQ(convert<uint32_t>(uint16_t{0x3c00}, e), f2u(1.0f));
  EXPECT_EQ(convert<uint32_t>(uint16_t{0x0001}, e), f2u(0x1p-24f));
  EXPECT_EQ(convert<uint32_t>(uint16_t{0x7c00}, e), 0x7f800000u);
  EXPECT_EQ(convert<uint64_t>(uint16_t{0xfe01}, e), 0xfff8040000000000ull);  // quiet NaN payload
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(convert<uint16_t>(f2u(65520.0f), e), uint16_t{0x7c00});  // rounds to inf
  EXPECT_EQ(e.flags, fpsr::kOfc | fpsr::kIxc);
  Env fz(fpcr::kFz);  // FZ does not flush half precision
  EXPECT_EQ(convert<uint32_t>(uint16_t{0x0001}, fz), f2u(0x1p-24f));
  EXPECT_EQ(convert<uint16_t>(f2u(0x1p-24f), fz), uint16_t{0x0001});
  EXPECT_EQ(fz.flags, 0u);
  EXPECT_EQ(convert<uint16_t>(0x00000001u, fz), uint16_t{0});  // but the single input is
  EXPECT_EQ(fz.flags, fpsr::kIdc);
  // AHP: exponent 31 is a normal number; no NaN or infinity.
  Env a(fpcr::kAhp);
  EXPECT_EQ(convert<uint32_t>(uint16_t{0x7c00}, a), f2u(65536.0f));
  EXPECT_EQ(convert<uint32_t>(uint16_t{0x7fff}, a), f2u(131008.0f));
  EXPECT_EQ(a.flags, 0u);
  EXPECT_EQ(convert<uint16_t>(f2u(65536.0f), a), uint16_t{0x7c00});
  EXPECT_EQ(convert<uint16_t>(f2u(131008.0f), a), uint16_t{0x7fff});
  EXPECT_EQ(a.flags, 0u);
  EXPECT_EQ(convert<uint16_t>(f2u(131072.0f), a), uint16_t{0x7fff});  // overflow: Invalid
  EXPECT_EQ(a.flags, fpsr::kIoc);
  Env a2(fpcr::kAhp);
  EXPECT_EQ(convert<uint16_t>(0xff800000u, a2), uint16_t{0xffff});
  EXPECT_EQ(convert<uint16_t>(0xffc00001u, a2), uint16_t{0x8000});  // NaN -> zero
  EXPECT_EQ(a2.flags, fpsr::kIoc);
  // Double to single NaN: payload truncated, sNaN quieted.
  Env d(kRne);
  EXPECT_EQ((convert<uint32_t, uint64_t>(0x7ff0000020000001ull, d)), 0x7fc00001u);
  EXPECT_EQ(d.flags, fpsr::kIoc);
}

// --- estimates --------------------------------------------------------------------

TEST(FpEstimate, ReciprocalSpecialRanges) {
  Env e(kRne);
  EXPECT_EQ(recip_estimate(f2u(1.0f), e), 0x3f7f8000u);  // 511/512 per RecipEstimate(256)
  EXPECT_EQ(recip_estimate(f2u(2.0f), e), 0x3eff8000u);
  EXPECT_EQ(recip_estimate(0x7f800000u, e), 0u);
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(recip_estimate(0x80000000u, e), 0xff800000u);
  EXPECT_EQ(e.flags, fpsr::kDzc);
  // |x| < 2^-128: overflow per rounding mode.
  Env t(kRz);
  EXPECT_EQ(recip_estimate(0x00100000u, t), 0x7f7fffffu);
  EXPECT_EQ(t.flags, fpsr::kOfc | fpsr::kIxc);
  Env t2(kRne);
  EXPECT_EQ(recip_estimate(0x80100000u, t2), 0xff800000u);
  // Denormals just above 2^-128 give a normal-range result with the
  // large exponent.
  Env dn(kRne);
  uint32_t r = recip_estimate(0x00400000u, dn);  // 2^-127
  EXPECT_EQ(r, 0x7eff8000u);
  // FZ: |x| >= 2^126 flushes the (denormal) result to zero with UFC.
  Env fz(fpcr::kFz);
  EXPECT_EQ(recip_estimate(f2u(0x1p126f), fz), 0u);
  EXPECT_EQ(fz.flags, fpsr::kUfc);
  Env nofz(kRne);
  EXPECT_EQ(recip_estimate(f2u(0x1p126f), nofz), 0x007fc000u);  // denormal result
  EXPECT_EQ(nofz.flags, 0u);
  Env d(kRne);
  EXPECT_EQ(recip_estimate(d2u(1.0), d), 0x3feff00000000000ull);
}

TEST(FpEstimate, RsqrtAndUnsigned) {
  Env e(kRne);
  EXPECT_EQ(rsqrt_estimate(f2u(1.0f), e), 0x3f7f8000u);
  EXPECT_EQ(rsqrt_estimate(f2u(4.0f), e), 0x3eff8000u);
  EXPECT_EQ(rsqrt_estimate(0x7f800000u, e), 0u);
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(rsqrt_estimate(f2u(-1.0f), e), 0x7fc00000u);
  EXPECT_EQ(e.flags, fpsr::kIoc);
  Env z(kRne);
  EXPECT_EQ(rsqrt_estimate(0x80000000u, z), 0xff800000u);
  EXPECT_EQ(z.flags, fpsr::kDzc);
  // A denormal input: 2^-149 -> 1/sqrt = 2^74.5.
  Env dn(kRne);
  uint32_t r = rsqrt_estimate(1u, dn);
  EXPECT_EQ(r >> 23, 127u + 74);
  EXPECT_EQ(unsigned_recip_estimate(0x7fffffffu), 0xffffffffu);
  EXPECT_EQ(unsigned_recip_estimate(0x80000000u), 0xff800000u);
  EXPECT_EQ(unsigned_rsqrt_estimate(0x3fffffffu), 0xffffffffu);
  EXPECT_EQ(unsigned_rsqrt_estimate(0x40000000u), 0xff800000u);
  EXPECT_EQ(unsigned_rsqrt_estimate(0xffffffffu), 0x80000000u);
}

TEST(FpEstimate, StepsAndRecpx) {
  Env e(kRne);
  EXPECT_EQ(recip_step(f2u(2.0f), f2u(0.5f), e), f2u(1.0f));
  EXPECT_EQ(rsqrt_step(f2u(2.0f), f2u(0.5f), e), f2u(1.0f));
  EXPECT_EQ(recip_step(0x7f800000u, 0x80000000u, e), f2u(2.0f));
  EXPECT_EQ(rsqrt_step(0u, 0xff800000u, e), f2u(1.5f));
  EXPECT_EQ(recip_step(0x7f800000u, f2u(1.0f), e), 0xff800000u);
  EXPECT_EQ(e.flags, 0u);
  // The first operand's NaN comes out negated.
  EXPECT_EQ(recip_step(0x7fc00001u, f2u(1.0f), e), 0xffc00001u);
  EXPECT_EQ(recpx(f2u(3.0f), e), f2u(1.0f));  // exponent 128 -> NOT = 127
  EXPECT_EQ(recpx(0x00000001u, e), 0x7f000000u);
  EXPECT_EQ(recpx(0x80000000u, e), 0xff000000u);
  EXPECT_EQ(recpx(0x7f800000u, e), 0u);
  EXPECT_EQ(e.flags, 0u);
}

// --- host comparison --------------------------------------------------------------

template <class T>
T random_normal(std::mt19937_64& g) {
  for (;;) {
    uint64_t bits = g();
    if constexpr (sizeof(T) == 4) {
      uint32_t b = static_cast<uint32_t>(bits);
      unsigned ex = (b >> 23) & 0xff;
      if ((bits >> 40) % 4 == 0) b = (b & 0x807fffffu) | ((127 - 20 + (bits >> 44) % 40) << 23);
      ex = (b >> 23) & 0xff;
      if (ex != 0 && ex != 0xff) return std::bit_cast<float>(b);
    } else {
      unsigned ex = (bits >> 52) & 0x7ff;
      if (ex != 0 && ex != 0x7ff) return std::bit_cast<double>(bits);
    }
  }
}

// Host flags that Arm also defines the same way for normal results.
uint32_t host_flags() {
  uint32_t f = 0;
  if (std::fetestexcept(FE_INEXACT)) f |= fpsr::kIxc;
  if (std::fetestexcept(FE_OVERFLOW)) f |= fpsr::kOfc;
  if (std::fetestexcept(FE_INVALID)) f |= fpsr::kIoc;
  if (std::fetestexcept(FE_DIVBYZERO)) f |= fpsr::kDzc;
  return f;
}

// The software path against the host (the fast path would compare the host
// with itself).
struct SoftwareOnly {
  SoftwareOnly() { set_host_fast_path(false); }
  ~SoftwareOnly() { set_host_fast_path(true); }
};

template <class T, class U>
void compare_with_host(int n) {
  SoftwareOnly software;
  std::mt19937_64 g(12345);
  auto bits = [](T x) { return std::bit_cast<U>(x); };
  for (int i = 0; i < n; ++i) {
    volatile T a = random_normal<T>(g), b = random_normal<T>(g), c = random_normal<T>(g);
    int op = i % 5;
    std::feclearexcept(FE_ALL_EXCEPT);
    volatile T r;
    switch (op) {
      case 0:
        r = a + b;
        break;
      case 1:
        r = a * b;
        break;
      case 2:
        r = a / b;
        break;
      case 3:
        r = std::sqrt(std::fabs(a));
        break;
      default:
        r = std::fma(a, b, c);
        break;
    }
    uint32_t hf = host_flags();
    T rv = r;
    // Only where the host's result is normal or infinite (tininess and
    // denormal results are where x86 and Arm differ).
    if (rv != 0 && std::fpclassify(rv) != FP_NORMAL && !std::isinf(rv)) continue;
    if (rv == 0) continue;
    Env e(kRne);
    U got;
    switch (op) {
      case 0:
        got = add<U>(bits(a), bits(b), e);
        break;
      case 1:
        got = mul<U>(bits(a), bits(b), e);
        break;
      case 2:
        got = div<U>(bits(a), bits(b), e);
        break;
      case 3:
        got = sqrt<U>(bits(std::fabs(a)), e);
        break;
      default:
        got = muladd<U>(bits(c), bits(a), bits(b), e);
        break;
    }
    ASSERT_EQ(got, bits(rv)) << "op " << op << " a " << a << " b " << b << " c " << c;
    ASSERT_EQ(e.flags, hf) << "op " << op << " a " << a << " b " << b << " c " << c;
  }
}

TEST(FpHost, SingleMatchesHostRoundToNearest) {
  compare_with_host<float, uint32_t>(1000000);
}
TEST(FpHost, DoubleMatchesHostRoundToNearest) {
  compare_with_host<double, uint64_t>(1000000);
}

// Conversions double -> single and integer -> FP against the host.
TEST(FpHost, ConversionsMatchHost) {
  SoftwareOnly software;
  std::mt19937_64 g(777);
  for (int i = 0; i < 1000000; ++i) {
    double d = random_normal<double>(g);
    if (i % 2) d = std::ldexp(std::fmod(d, 1.0), static_cast<int>(g() % 200) - 100);
    float f = static_cast<float>(d);
    if (std::fpclassify(f) != FP_NORMAL) continue;
    Env e(kRne);
    ASSERT_EQ(convert<uint32_t>(d2u(d), e), f2u(f)) << d;
    ASSERT_EQ(convert<uint64_t>(f2u(f), e), d2u(static_cast<double>(f)));
    int64_t v = static_cast<int64_t>(g()) >> (g() % 64);
    Env c(kRne);
    ASSERT_EQ(from_fixed<uint64_t>(static_cast<uint64_t>(v), 0, false, 64, c),
              d2u(static_cast<double>(v)));
    ASSERT_EQ(from_fixed<uint32_t>(static_cast<uint64_t>(v), 0, false, 64, c),
              f2u(static_cast<float>(v)));
    Env t(kRne);
    if (std::fabs(d) < 0x1p62) {
      ASSERT_EQ(to_fixed(d2u(d), 0, false, 64, Rounding::kZero, t),
                static_cast<uint64_t>(static_cast<int64_t>(d)));
    }
  }
}

// --- the host fast path against the software path ------------------------------------

// Operand bits biased towards where the fast path's conditions switch:
// results near the smallest normal and the overflow threshold, exact and
// inexact results, ties, and every special class.
template <class U>
U edge_operand(std::mt19937_64& g) {
  constexpr int kM = sizeof(U) == 4 ? 23 : 52, kE = sizeof(U) == 4 ? 8 : 11;
  constexpr uint64_t kEmax = (1u << kE) - 1, kBias = kEmax >> 1;
  uint64_t sign = (g() & 1) << (kM + kE);
  uint64_t frac = g() & ((uint64_t{1} << kM) - 1);
  switch (g() % 8) {
    case 0:  // few significant bits: exact products and quotients
      frac &= ~((uint64_t{1} << (kM - g() % 6)) - 1);
      break;
    case 1:
      frac = 0;
      break;
    default:
      break;
  }
  uint64_t e;
  switch (g() % 8) {
    case 0:
      e = g() % 4;  // zero, denormal, the smallest normals
      break;
    case 1:
      e = kEmax - g() % 3;  // NaN/inf, the largest normals
      break;
    case 2:
      e = kBias / 2 + g() % 8;  // squares and products near underflow
      break;
    case 3:
      e = kBias + kBias / 2 - g() % 8;  // products near overflow
      break;
    case 4:
      e = g() % (kEmax + 1);
      break;
    default:
      e = kBias - 8 + g() % 16;
      break;
  }
  return static_cast<U>(sign | e << kM | frac);
}

template <class U>
void compare_fast_with_software(int n) {
  std::mt19937_64 g(sizeof(U) * 1000 + 7);
  static constexpr uint32_t kFpcr[] = {0, fpcr::kFz, fpcr::kDn, fpcr::kFz | fpcr::kDn, kRp, kRz};
  for (int i = 0; i < n; ++i) {
    U a = edge_operand<U>(g), b = edge_operand<U>(g), c = edge_operand<U>(g);
    uint32_t fpcr_value = kFpcr[g() % std::size(kFpcr)];
    int op = static_cast<int>(g() % 6);
    auto run = [&](bool fast, uint32_t& flags) {
      set_host_fast_path(fast);
      Env e(fpcr_value);
      U r;
      switch (op) {
        case 0:
          r = add(a, b, e);
          break;
        case 1:
          r = sub(a, b, e);
          break;
        case 2:
          r = mul(a, b, e);
          break;
        case 3:
          r = div(a, b, e);
          break;
        case 4:
          r = sqrt(a, e);
          break;
        default:
          r = muladd(c, a, b, e);
          break;
      }
      flags = e.flags;
      return r;
    };
    uint32_t fast_flags, soft_flags;
    U fast = run(true, fast_flags), soft = run(false, soft_flags);
    set_host_fast_path(true);
    ASSERT_EQ(fast, soft) << "op " << op << std::hex << " a " << a << " b " << b << " c " << c
                          << " fpcr " << fpcr_value;
    ASSERT_EQ(fast_flags, soft_flags) << "op " << op << std::hex << " a " << a << " b " << b
                                      << " c " << c << " fpcr " << fpcr_value;
  }
}

TEST(FpFastPath, SingleMatchesSoftware) {
  compare_fast_with_software<uint32_t>(2000000);
}
TEST(FpFastPath, DoubleMatchesSoftware) {
  compare_fast_with_software<uint64_t>(2000000);
}

TEST(FpFastPath, MulAddDoubleRoundingMidpoint) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a single-precision midpoint; an
  // addend of +-2^-60 is lost when the sum is rounded to double, and then
  // rounding to single would tie to even. The exact value is above (below)
  // the midpoint, so the result rounds up (down).
  uint32_t a = f2u(1.0f + 0x1p-12f);
  Env up(kRne);
  EXPECT_EQ(muladd(f2u(0x1p-60f), a, a, up), f2u(1.0f + 0x1p-11f + 0x1p-23f));
  EXPECT_EQ(up.flags, fpsr::kIxc);
  Env down(kRne);
  EXPECT_EQ(muladd(f2u(-0x1p-60f), a, a, down), f2u(1.0f + 0x1p-11f));
  EXPECT_EQ(down.flags, fpsr::kIxc);
  Env exact(kRne);  // no addend below: a true tie, to even
  EXPECT_EQ(muladd(f2u(0x1p-11f), a, a, exact), f2u(1.0f + 0x2p-11f));
  EXPECT_EQ(exact.flags, fpsr::kIxc);
}

}  // namespace
}  // namespace vmapple::arm64::fp
