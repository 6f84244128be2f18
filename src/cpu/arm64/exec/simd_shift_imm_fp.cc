// Advanced SIMD shift by immediate: fixed-point conversions (SCVTF, UCVTF,
// FCVTZS, FCVTZU with fbits), vector and scalar. immh selects the lane:
// 01xx S, 1xxx D (fbits = 2 * esize - immh:immb); 001x is FEAT_FP16 and
// 000x is not this group, both UNDEFINED here, as is 1xxx with Q = 0.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd_fp_lanes.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simdfp;

template <bool Unsigned>
struct FromFixed {  // SCVTF/UCVTF: FPCR rounding
  template <class F>
  F operator()(F a, unsigned fbits, fp::Env& e) const {
    return fp::from_fixed<F>(a, fbits, Unsigned, sizeof(F) * 8, e);
  }
};
template <bool Unsigned>
struct ToFixed {  // FCVTZS/FCVTZU: towards zero
  template <class F>
  F operator()(F a, unsigned fbits, fp::Env& e) const {
    return static_cast<F>(fp::to_fixed(a, fbits, Unsigned, sizeof(F) * 8, fp::Rounding::kZero, e));
  }
};

template <class Fn>
void exec_fixed(Core& c, uint32_t insn) {
  unsigned immh = bits(insn, 22, 19), immhb = bits(insn, 22, 16);
  if (immh < 4) c.undefined();  // 000x: not this group; 001x: FEAT_FP16
  bool dbl = immh >= 8;
  check_vector_size(c, insn, dbl);
  c.check_fp_enabled();
  unsigned fbits = (dbl ? 128 : 64) - immhb;
  VReg n = vreg(c, rn(insn)), r;
  dispatch_sz(dbl, [&]<class F>() {
    unsigned elements = lane_count(insn, sizeof(F) * 8);
    with_fp_env(c, [&](fp::Env& e) {
      for (unsigned i = 0; i < elements; ++i)
        r.set<F>(i, Fn{}(n.get<F>(i), fbits, e));
    });
  });
  set_vreg(c, rd(insn), r);
}

}  // namespace

void register_simd_shift_imm_fp(HandlerTable& t) {
  t[Op::SCVTF_vec_fix] = t[Op::SCVTF_sisd_fix] = &exec_fixed<FromFixed<false>>;
  t[Op::UCVTF_vec_fix] = t[Op::UCVTF_sisd_fix] = &exec_fixed<FromFixed<true>>;
  t[Op::FCVTZS_vec_fix] = t[Op::FCVTZS_sisd_fix] = &exec_fixed<ToFixed<false>>;
  t[Op::FCVTZU_vec_fix] = t[Op::FCVTZU_sisd_fix] = &exec_fixed<ToFixed<true>>;
}

}  // namespace vmapple::arm64
