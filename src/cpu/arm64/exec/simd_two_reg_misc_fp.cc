// Advanced SIMD two-register miscellaneous, floating-point forms (vector and
// scalar): FRINT*, FCVT[NMAPZ][SU] and SCVTF/UCVTF to and from same-width
// integers, compares against zero, FABS/FNEG/FSQRT, the estimates (FRECPE,
// FRSQRTE, FRECPX, URECPE, URSQRTE) and the narrowing/widening conversions
// FCVTN, FCVTL and FCVTXN. The FEAT_FP16 encodings (bit 19 set, size<0> as
// part of 0b1111) are UNDEFINED.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd_fp_lanes.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simdfp;
using fp::Rounding;

// --- lane operations: Vn lane -> result lane --------------------------------------

template <Rounding R>
struct RoundInt {  // FRINTN/M/P/Z/A
  template <class F>
  F operator()(F a, fp::Env& e) const {
    return fp::round_int(a, R, false, e);
  }
};
template <bool Exact>
struct RoundIntFpcr {  // FRINTX (exact) and FRINTI
  template <class F>
  F operator()(F a, fp::Env& e) const {
    return fp::round_int(a, e.rounding, Exact, e);
  }
};

// FCVT*S/U: to a signed/unsigned integer of the lane's width.
template <Rounding R, bool Unsigned>
struct ToInt {
  template <class F>
  F operator()(F a, fp::Env& e) const {
    return static_cast<F>(fp::to_fixed(a, 0, Unsigned, sizeof(F) * 8, R, e));
  }
};
template <bool Unsigned>
struct FromInt {  // SCVTF/UCVTF
  template <class F>
  F operator()(F a, fp::Env& e) const {
    return fp::from_fixed<F>(a, 0, Unsigned, sizeof(F) * 8, e);
  }
};

enum class Cmp { kGt, kGe, kEq, kLe, kLt };
template <Cmp C>
struct CmpZero {  // FCMLE/FCMLT compare the other way round: 0 >= a, 0 > a
  template <class F>
  F operator()(F a, fp::Env& e) const {
    F z{0};
    switch (C) {
      case Cmp::kGt:
        return lane_mask<F>(fp::compare_gt(a, z, e));
      case Cmp::kGe:
        return lane_mask<F>(fp::compare_ge(a, z, e));
      case Cmp::kEq:
        return lane_mask<F>(fp::compare_eq(a, z, e));
      case Cmp::kLe:
        return lane_mask<F>(fp::compare_ge(z, a, e));
      case Cmp::kLt:
        return lane_mask<F>(fp::compare_gt(z, a, e));
    }
    return z;
  }
};

#define VMAPPLE_FP_UNOP(Name, expr)       \
  struct Name {                           \
    template <class F>                    \
    F operator()(F a, fp::Env& e) const { \
      (void)e;                            \
      return expr;                        \
    }                                     \
  };
VMAPPLE_FP_UNOP(Abs, fp::abs(a))
VMAPPLE_FP_UNOP(Neg, fp::neg(a))
VMAPPLE_FP_UNOP(Sqrt, fp::sqrt(a, e))
VMAPPLE_FP_UNOP(RecipEstimate, fp::recip_estimate(a, e))
VMAPPLE_FP_UNOP(RsqrtEstimate, fp::rsqrt_estimate(a, e))
VMAPPLE_FP_UNOP(RecpX, fp::recpx(a, e))
#undef VMAPPLE_FP_UNOP

// Lane-wise result[e] = op(Vn[e]) for S/D lanes (vector or scalar).
template <class Fn>
void exec_unary(Core& c, uint32_t insn) {
  if (bit(insn, 19)) c.undefined();  // FEAT_FP16 encoding
  bool sz = bit(insn, 22);
  check_vector_size(c, insn, sz);
  c.check_fp_enabled();
  VReg n = vreg(c, rn(insn)), r;
  dispatch_sz(sz, [&]<class F>() {
    unsigned elements = lane_count(insn, sizeof(F) * 8);
    with_fp_env(c, [&](fp::Env& e) {
      for (unsigned i = 0; i < elements; ++i)
        r.set<F>(i, Fn{}(n.get<F>(i), e));
    });
  });
  set_vreg(c, rd(insn), r);
}

// URECPE / URSQRTE: 32-bit integer lanes (size = 10), no FP exceptions.
template <uint32_t (*Estimate)(uint32_t)>
void exec_unsigned_estimate(Core& c, uint32_t insn) {
  if (bit(insn, 22)) c.undefined();  // size = 11
  c.check_fp_enabled();
  VReg n = vreg(c, rn(insn)), r;
  unsigned elements = q_bit(insn) ? 4 : 2;
  for (unsigned i = 0; i < elements; ++i)
    r.set<uint32_t>(i, Estimate(n.get<uint32_t>(i)));
  set_vreg(c, rd(insn), r);
}

// --- narrowing and widening conversions -------------------------------------------

// Narrowing (FCVTN/FCVTXN): the 128-bit Vn's wide lanes into the lower
// (Q = 0, upper half cleared) or upper (Q = 1, lower half kept) half of Vd.
// The scalar FCVTXN writes one single lane.
template <class To, class From>
void narrow(Core& c, uint32_t insn, bool round_odd) {
  VReg n = vreg(c, rn(insn)), d = vreg(c, rd(insn)), r;
  bool scalar = is_scalar(insn), upper = !scalar && q_bit(insn);
  unsigned elements = scalar ? 1 : 8 / sizeof(To);
  if (upper) std::memcpy(r.b, d.b, 8);
  with_fp_env(c, [&](fp::Env& e) {
    if (round_odd) e.rounding = Rounding::kOdd;
    for (unsigned i = 0; i < elements; ++i)
      r.set<To>(i + (upper ? elements : 0), fp::convert<To, From>(n.get<From>(i), e));
  });
  set_vreg(c, rd(insn), r);
}

void exec_fcvtn(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  if (bit(insn, 22))
    narrow<uint32_t, uint64_t>(c, insn, false);
  else
    narrow<uint16_t, uint32_t>(c, insn, false);
}

void exec_fcvtxn(Core& c, uint32_t insn) {
  if (!bit(insn, 22)) c.undefined();  // only double -> single exists
  c.check_fp_enabled();
  narrow<uint32_t, uint64_t>(c, insn, true);
}

// Widening (FCVTL/FCVTL2): the lower (Q = 0) or upper (Q = 1) half of Vn.
template <class To, class From>
void widen(Core& c, uint32_t insn) {
  VReg n = vreg(c, rn(insn)), r;
  unsigned elements = 8 / sizeof(From), first = q_bit(insn) ? elements : 0;
  with_fp_env(c, [&](fp::Env& e) {
    for (unsigned i = 0; i < elements; ++i)
      r.set<To>(i, fp::convert<To, From>(n.get<From>(first + i), e));
  });
  set_vreg(c, rd(insn), r);
}

void exec_fcvtl(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  if (bit(insn, 22))
    widen<uint64_t, uint32_t>(c, insn);
  else
    widen<uint32_t, uint16_t>(c, insn);
}

template <Rounding R, bool U>
void to_int(HandlerTable& t, Op vec, Op sisd) {
  t[vec] = t[sisd] = &exec_unary<ToInt<R, U>>;
}

}  // namespace

void register_simd_two_reg_misc_fp(HandlerTable& t) {
  t[Op::FRINTN_vec] = &exec_unary<RoundInt<Rounding::kTieEven>>;
  t[Op::FRINTM_vec] = &exec_unary<RoundInt<Rounding::kNegInf>>;
  t[Op::FRINTP_vec] = &exec_unary<RoundInt<Rounding::kPosInf>>;
  t[Op::FRINTZ_vec] = &exec_unary<RoundInt<Rounding::kZero>>;
  t[Op::FRINTA_vec] = &exec_unary<RoundInt<Rounding::kTieAway>>;
  t[Op::FRINTX_vec] = &exec_unary<RoundIntFpcr<true>>;
  t[Op::FRINTI_vec] = &exec_unary<RoundIntFpcr<false>>;

  to_int<Rounding::kTieEven, false>(t, Op::FCVTNS_vec, Op::FCVTNS_sisd);
  to_int<Rounding::kTieEven, true>(t, Op::FCVTNU_vec, Op::FCVTNU_sisd);
  to_int<Rounding::kNegInf, false>(t, Op::FCVTMS_vec, Op::FCVTMS_sisd);
  to_int<Rounding::kNegInf, true>(t, Op::FCVTMU_vec, Op::FCVTMU_sisd);
  to_int<Rounding::kTieAway, false>(t, Op::FCVTAS_vec, Op::FCVTAS_sisd);
  to_int<Rounding::kTieAway, true>(t, Op::FCVTAU_vec, Op::FCVTAU_sisd);
  to_int<Rounding::kPosInf, false>(t, Op::FCVTPS_vec, Op::FCVTPS_sisd);
  to_int<Rounding::kPosInf, true>(t, Op::FCVTPU_vec, Op::FCVTPU_sisd);
  to_int<Rounding::kZero, false>(t, Op::FCVTZS_vec, Op::FCVTZS_sisd);
  to_int<Rounding::kZero, true>(t, Op::FCVTZU_vec, Op::FCVTZU_sisd);
  t[Op::SCVTF_vec] = t[Op::SCVTF_sisd] = &exec_unary<FromInt<false>>;
  t[Op::UCVTF_vec] = t[Op::UCVTF_sisd] = &exec_unary<FromInt<true>>;

  t[Op::FCMGT_zero] = t[Op::FCMGT_zero_sisd] = &exec_unary<CmpZero<Cmp::kGt>>;
  t[Op::FCMGE_zero] = t[Op::FCMGE_zero_sisd] = &exec_unary<CmpZero<Cmp::kGe>>;
  t[Op::FCMEQ_zero] = t[Op::FCMEQ_zero_sisd] = &exec_unary<CmpZero<Cmp::kEq>>;
  t[Op::FCMLE_zero] = t[Op::FCMLE_zero_sisd] = &exec_unary<CmpZero<Cmp::kLe>>;
  t[Op::FCMLT_zero] = t[Op::FCMLT_zero_sisd] = &exec_unary<CmpZero<Cmp::kLt>>;

  t[Op::FABS_vec] = &exec_unary<Abs>;
  t[Op::FNEG_vec] = &exec_unary<Neg>;
  t[Op::FSQRT_vec] = &exec_unary<Sqrt>;
  t[Op::FRECPE] = t[Op::FRECPE_sisd] = &exec_unary<RecipEstimate>;
  t[Op::FRSQRTE] = t[Op::FRSQRTE_sisd] = &exec_unary<RsqrtEstimate>;
  t[Op::FRECPX_sisd] = &exec_unary<RecpX>;
  t[Op::URECPE] = &exec_unsigned_estimate<&fp::unsigned_recip_estimate>;
  t[Op::URSQRTE] = &exec_unsigned_estimate<&fp::unsigned_rsqrt_estimate>;

  t[Op::FCVTN] = &exec_fcvtn;
  t[Op::FCVTL] = &exec_fcvtl;
  t[Op::FCVTXN] = t[Op::FCVTXN_sisd] = &exec_fcvtxn;
}

}  // namespace vmapple::arm64
