// Advanced SIMD across lanes (FMAXNMV, FMAXV, FMINNMV, FMINV: 4S only) and
// scalar pairwise (FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP), floating-point
// forms. Both reduce in the order of the Arm ARM's Reduce(): halves first,
// op(lower, upper), which decides which NaN propagates. The FEAT_FP16
// encodings (U = 0) are UNDEFINED.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd_fp_lanes.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simdfp;

#define VMAPPLE_FP_REDUCE_OP(Name, fn)           \
  struct Name {                                  \
    template <class F>                           \
    F operator()(F lo, F hi, fp::Env& e) const { \
      return fp::fn(lo, hi, e);                  \
    }                                            \
  };
VMAPPLE_FP_REDUCE_OP(Add, add)
VMAPPLE_FP_REDUCE_OP(Max, max)
VMAPPLE_FP_REDUCE_OP(Min, min)
VMAPPLE_FP_REDUCE_OP(MaxNm, maxnm)
VMAPPLE_FP_REDUCE_OP(MinNm, minnm)
#undef VMAPPLE_FP_REDUCE_OP

// FMAXV and friends: S lanes of a 128-bit register (the decoder admits
// only Q = 1, sz = 0 besides the FP16 form).
template <class Fn>
void exec_across(Core& c, uint32_t insn) {
  if (!bit(insn, 29) || !q_bit(insn) || bit(insn, 22)) c.undefined();
  c.check_fp_enabled();
  VReg n = vreg(c, rn(insn));
  uint32_t result;
  with_fp_env(c, [&](fp::Env& e) {
    Fn op;
    uint32_t lo = op(n.get<uint32_t>(0), n.get<uint32_t>(1), e);
    uint32_t hi = op(n.get<uint32_t>(2), n.get<uint32_t>(3), e);
    result = op(lo, hi, e);
  });
  set_vscalar(c, rd(insn), 32, result);
}

// Scalar pairwise: op(Vn[0], Vn[1]) of two S or D lanes.
template <class Fn>
void exec_pairwise_scalar(Core& c, uint32_t insn) {
  if (!bit(insn, 29)) c.undefined();  // FEAT_FP16 encoding
  c.check_fp_enabled();
  VReg n = vreg(c, rn(insn)), r;
  dispatch_sz(bit(insn, 22), [&]<class F>() {
    with_fp_env(c, [&](fp::Env& e) { r.set<F>(0, Fn{}(n.get<F>(0), n.get<F>(1), e)); });
  });
  set_vreg(c, rd(insn), r);
}

}  // namespace

void register_simd_across_lanes_fp(HandlerTable& t) {
  t[Op::FMAXNMV] = &exec_across<MaxNm>;
  t[Op::FMAXV] = &exec_across<Max>;
  t[Op::FMINNMV] = &exec_across<MinNm>;
  t[Op::FMINV] = &exec_across<Min>;
  t[Op::FADDP_sisd] = &exec_pairwise_scalar<Add>;
  t[Op::FMAXP_sisd] = &exec_pairwise_scalar<Max>;
  t[Op::FMINP_sisd] = &exec_pairwise_scalar<Min>;
  t[Op::FMAXNMP_sisd] = &exec_pairwise_scalar<MaxNm>;
  t[Op::FMINNMP_sisd] = &exec_pairwise_scalar<MinNm>;
}

}  // namespace vmapple::arm64
