// Advanced SIMD vector x indexed element, floating-point forms: FMLA, FMLS,
// FMUL and FMULX by element, vector and scalar. size<1> = 1; sz = size<0>
// selects S (index H:L) or D (index H, L = 1 reserved); Rm is M:Rm. The
// FEAT_FP16 encodings (size = 00) are UNDEFINED.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd_fp_lanes.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simdfp;

struct Mul {
  template <class F>
  F operator()(F a, F b, F, fp::Env& e) const {
    return fp::mul(a, b, e);
  }
};
struct MulX {
  template <class F>
  F operator()(F a, F b, F, fp::Env& e) const {
    return fp::mulx(a, b, e);
  }
};
struct MulAdd {
  template <class F>
  F operator()(F a, F b, F d, fp::Env& e) const {
    return fp::muladd(d, a, b, e);
  }
};
struct MulSub {  // the first multiplicand is negated, NaN or not
  template <class F>
  F operator()(F a, F b, F d, fp::Env& e) const {
    return fp::muladd(d, fp::neg(a), b, e);
  }
};

template <class Fn>
void exec_by_element(Core& c, uint32_t insn) {
  if (!bit(insn, 23)) c.undefined();  // FEAT_FP16 encoding
  bool sz = bit(insn, 22), l = bit(insn, 21), h = bit(insn, 11);
  if (sz && l) c.undefined();
  check_vector_size(c, insn, sz);
  c.check_fp_enabled();
  unsigned index = sz ? h : (h << 1 | l);
  unsigned m = bits(insn, 20, 16);  // M:Rm
  VReg n = vreg(c, rn(insn)), d = vreg(c, rd(insn)), r;
  VReg vm = vreg(c, m);
  dispatch_sz(sz, [&]<class F>() {
    unsigned elements = lane_count(insn, sizeof(F) * 8);
    F element2 = vm.get<F>(index);
    with_fp_env(c, [&](fp::Env& e) {
      for (unsigned i = 0; i < elements; ++i)
        r.set<F>(i, Fn{}(n.get<F>(i), element2, d.get<F>(i), e));
    });
  });
  set_vreg(c, rd(insn), r);
}

}  // namespace

void register_simd_by_element_fp(HandlerTable& t) {
  t[Op::FMLA_elem] = t[Op::FMLA_elem_sisd] = &exec_by_element<MulAdd>;
  t[Op::FMLS_elem] = t[Op::FMLS_elem_sisd] = &exec_by_element<MulSub>;
  t[Op::FMUL_elem] = t[Op::FMUL_elem_sisd] = &exec_by_element<Mul>;
  t[Op::FMULX_elem] = t[Op::FMULX_elem_sisd] = &exec_by_element<MulX>;
}

}  // namespace vmapple::arm64
