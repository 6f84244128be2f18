// Advanced SIMD three different: the long (L), wide (W) and narrowing-high
// (HN) forms, their upper-half "2" variants (Q = 1), and the scalar
// saturating doubling multiplies. PMULL/PMULL2 are the crypto group's
// (simd_crypto.cc). The decoder leaves size 3 (and size 0 of the SQDM*
// forms) unallocated.
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/exec/simd_int.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simd_int;

// Long and wide forms: the second operand is Vpart(m, Q).
template <class Op, bool Signed, bool WideN>
void widening(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  bool part = bit(insn, 30) && !bit(insn, 28);
  VReg m = vpart(vreg(c, bits(insn, 20, 16)), part);
  by_narrow_lane_type(c, bits(insn, 23, 22),
                      [&]<class U>() { long_lanes<Op, Signed, WideN, U>(c, insn, m); });
}

// ADDHN, RADDHN, SUBHN, RSUBHN: the high halves of the wide sums or
// differences, into Vpart(d, Q) (the "2" forms keep Vd's lower half).
template <bool Sub, bool Round, class U>
void high_narrow_lanes(Core& c, uint32_t insn) {
  using T = Twice<U>;
  constexpr unsigned kCount = 8 / sizeof(U);
  bool part = bit(insn, 30);
  unsigned d = bits(insn, 4, 0);
  VReg n = vreg(c, bits(insn, 9, 5)), m = vreg(c, bits(insn, 20, 16));
  VReg r = part ? vreg(c, d) : VReg{};
  for (unsigned i = 0; i < kCount; ++i) {
    i128 v = Sub ? i128{n.get<T>(i)} - i128{m.get<T>(i)} : i128{n.get<T>(i)} + i128{m.get<T>(i)};
    if (Round) v += i128{1} << (kEsize<U> - 1);
    r.set<U>(i + (part ? kCount : 0), trunc<U>(v >> kEsize<U>));
  }
  set_vreg(c, d, r);
}

template <bool Sub, bool Round>
void high_narrow(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  by_narrow_lane_type(c, bits(insn, 23, 22),
                      [&]<class U>() { high_narrow_lanes<Sub, Round, U>(c, insn); });
}

}  // namespace

void register_simd_three_different(HandlerTable& t) {
  t[Op::SADDL] = widening<AddL, true, false>;
  t[Op::UADDL] = widening<AddL, false, false>;
  t[Op::SADDW] = widening<AddL, true, true>;
  t[Op::UADDW] = widening<AddL, false, true>;
  t[Op::SSUBL] = widening<SubL, true, false>;
  t[Op::USUBL] = widening<SubL, false, false>;
  t[Op::SSUBW] = widening<SubL, true, true>;
  t[Op::USUBW] = widening<SubL, false, true>;
  t[Op::SABAL] = widening<AbaL, true, false>;
  t[Op::UABAL] = widening<AbaL, false, false>;
  t[Op::SABDL] = widening<AbdL, true, false>;
  t[Op::UABDL] = widening<AbdL, false, false>;
  t[Op::SMLAL_vec] = widening<MlaL, true, false>;
  t[Op::UMLAL_vec] = widening<MlaL, false, false>;
  t[Op::SMLSL_vec] = widening<MlsL, true, false>;
  t[Op::UMLSL_vec] = widening<MlsL, false, false>;
  t[Op::SMULL_vec] = widening<MulL, true, false>;
  t[Op::UMULL_vec] = widening<MulL, false, false>;
  t[Op::SQDMULL_vec] = t[Op::SQDMULL_sisd] = widening<SqdmullL, true, false>;
  t[Op::SQDMLAL_vec] = t[Op::SQDMLAL_sisd] = widening<SqdmlalL, true, false>;
  t[Op::SQDMLSL_vec] = t[Op::SQDMLSL_sisd] = widening<SqdmlslL, true, false>;
  t[Op::ADDHN] = high_narrow<false, false>;
  t[Op::RADDHN] = high_narrow<false, true>;
  t[Op::SUBHN] = high_narrow<true, false>;
  t[Op::RSUBHN] = high_narrow<true, true>;
}

}  // namespace vmapple::arm64
