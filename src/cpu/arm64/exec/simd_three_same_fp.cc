// Advanced SIMD three same, floating-point forms (vector and scalar): the
// lane-wise arithmetic, compares, steps and the pairwise forms. FP ops use
// size<1> as part of the opcode and size<0> as sz (S or D lanes); the
// FEAT_FP16 encodings (bit 21 clear) are UNDEFINED.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd_fp_lanes.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simdfp;

// --- lane operations: (Vn lane, Vm lane, Vd lane) -> result lane ---------------

#define VMAPPLE_FP_BINOP(Name, expr)                \
  struct Name {                                     \
    template <class F>                              \
    F operator()(F a, F b, F d, fp::Env& e) const { \
      (void)d;                                      \
      return expr;                                  \
    }                                               \
  };

VMAPPLE_FP_BINOP(Add, fp::add(a, b, e))
VMAPPLE_FP_BINOP(Sub, fp::sub(a, b, e))
VMAPPLE_FP_BINOP(Mul, fp::mul(a, b, e))
VMAPPLE_FP_BINOP(MulX, fp::mulx(a, b, e))
VMAPPLE_FP_BINOP(Div, fp::div(a, b, e))
VMAPPLE_FP_BINOP(Max, fp::max(a, b, e))
VMAPPLE_FP_BINOP(Min, fp::min(a, b, e))
VMAPPLE_FP_BINOP(MaxNm, fp::maxnm(a, b, e))
VMAPPLE_FP_BINOP(MinNm, fp::minnm(a, b, e))
VMAPPLE_FP_BINOP(Abd, fp::abs(fp::sub(a, b, e)))
VMAPPLE_FP_BINOP(RecipStep, fp::recip_step(a, b, e))
VMAPPLE_FP_BINOP(RsqrtStep, fp::rsqrt_step(a, b, e))
VMAPPLE_FP_BINOP(MulAdd, fp::muladd(d, a, b, e))
// FMLS negates the first multiplicand before anything else (also a NaN's sign).
VMAPPLE_FP_BINOP(MulSub, fp::muladd(d, fp::neg(a), b, e))
VMAPPLE_FP_BINOP(CmpEq, lane_mask<F>(fp::compare_eq(a, b, e)))
VMAPPLE_FP_BINOP(CmpGe, lane_mask<F>(fp::compare_ge(a, b, e)))
VMAPPLE_FP_BINOP(CmpGt, lane_mask<F>(fp::compare_gt(a, b, e)))
VMAPPLE_FP_BINOP(AbsGe, lane_mask<F>(fp::compare_ge(fp::abs(a), fp::abs(b), e)))
VMAPPLE_FP_BINOP(AbsGt, lane_mask<F>(fp::compare_gt(fp::abs(a), fp::abs(b), e)))

#undef VMAPPLE_FP_BINOP

// Shared decode: FP16 and the reserved sz=1/Q=0 vector form are UNDEFINED
// (decode-time, so before the FP access check).
inline bool decode_sz(Core& c, uint32_t insn) {
  if (!bit(insn, 21)) c.undefined();  // FEAT_FP16 encoding
  bool sz = bit(insn, 22);
  check_vector_size(c, insn, sz);
  c.check_fp_enabled();
  return sz;
}

// Lane-wise: result[e] = op(Vn[e], Vm[e], Vd[e]) (vector or scalar).
template <class Fn>
void exec_same(Core& c, uint32_t insn) {
  bool sz = decode_sz(c, insn);
  VReg n = vreg(c, rn(insn)), m = vreg(c, rm(insn)), d = vreg(c, rd(insn)), r;
  dispatch_sz(sz, [&]<class F>() {
    unsigned elements = lane_count(insn, sizeof(F) * 8);
    with_fp_env(c, [&](fp::Env& e) {
      for (unsigned i = 0; i < elements; ++i)
        r.set<F>(i, Fn{}(n.get<F>(i), m.get<F>(i), d.get<F>(i), e));
    });
  });
  set_vreg(c, rd(insn), r);
}

// Pairwise: the lanes of Vm:Vn (Vn low) taken two at a time.
template <class Fn>
void exec_pairwise(Core& c, uint32_t insn) {
  bool sz = decode_sz(c, insn);
  VReg n = vreg(c, rn(insn)), m = vreg(c, rm(insn)), r;
  dispatch_sz(sz, [&]<class F>() {
    unsigned elements = lane_count(insn, sizeof(F) * 8);
    auto concat = [&](unsigned i) { return i < elements ? n.get<F>(i) : m.get<F>(i - elements); };
    with_fp_env(c, [&](fp::Env& e) {
      for (unsigned i = 0; i < elements; ++i)
        r.set<F>(i, Fn{}(concat(2 * i), concat(2 * i + 1), F{0}, e));
    });
  });
  set_vreg(c, rd(insn), r);
}

}  // namespace

void register_simd_three_same_fp(HandlerTable& t) {
  t[Op::FMAXNM_vec] = &exec_same<MaxNm>;
  t[Op::FMLA_vec] = &exec_same<MulAdd>;
  t[Op::FADD_vec] = &exec_same<Add>;
  t[Op::FMULX_vec] = &exec_same<MulX>;
  t[Op::FMULX_sisd] = &exec_same<MulX>;
  t[Op::FCMEQ_reg] = &exec_same<CmpEq>;
  t[Op::FCMEQ_reg_sisd] = &exec_same<CmpEq>;
  t[Op::FMAX_vec] = &exec_same<Max>;
  t[Op::FRECPS_vec] = &exec_same<RecipStep>;
  t[Op::FRECPS_sisd] = &exec_same<RecipStep>;
  t[Op::FMINNM_vec] = &exec_same<MinNm>;
  t[Op::FMLS_vec] = &exec_same<MulSub>;
  t[Op::FSUB_vec] = &exec_same<Sub>;
  t[Op::FMIN_vec] = &exec_same<Min>;
  t[Op::FRSQRTS_vec] = &exec_same<RsqrtStep>;
  t[Op::FRSQRTS_sisd] = &exec_same<RsqrtStep>;
  t[Op::FMAXNMP_vec] = &exec_pairwise<MaxNm>;
  t[Op::FADDP_vec] = &exec_pairwise<Add>;
  t[Op::FMUL_vec] = &exec_same<Mul>;
  t[Op::FCMGE_reg] = &exec_same<CmpGe>;
  t[Op::FCMGE_reg_sisd] = &exec_same<CmpGe>;
  t[Op::FACGE_vec] = &exec_same<AbsGe>;
  t[Op::FACGE_sisd] = &exec_same<AbsGe>;
  t[Op::FMAXP_vec] = &exec_pairwise<Max>;
  t[Op::FDIV_vec] = &exec_same<Div>;
  t[Op::FMINNMP_vec] = &exec_pairwise<MinNm>;
  t[Op::FABD_vec] = &exec_same<Abd>;
  t[Op::FABD_sisd] = &exec_same<Abd>;
  t[Op::FCMGT_reg] = &exec_same<CmpGt>;
  t[Op::FCMGT_reg_sisd] = &exec_same<CmpGt>;
  t[Op::FACGT_vec] = &exec_same<AbsGt>;
  t[Op::FACGT_sisd] = &exec_same<AbsGt>;
  t[Op::FMINP_vec] = &exec_pairwise<Min>;
}

}  // namespace vmapple::arm64
