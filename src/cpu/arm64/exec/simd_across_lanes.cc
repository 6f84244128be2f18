// Advanced SIMD across lanes (integer forms: ADDV, SADDLV/UADDLV,
// SMAXV/SMINV/UMAXV/UMINV) and the integer scalar pairwise ADDP. The decoder
// leaves size 3 and the 2S arrangement (Q = 0, size = 2) unallocated.
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/exec/simd_int.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simd_int;

enum class Reduce { kAdd, kAddLong, kMax, kMin };

template <Reduce R, bool Signed, class U>
void reduce_lanes(Core& c, uint32_t insn) {
  unsigned count = (bit(insn, 30) ? 16 : 8) / sizeof(U);
  VReg n = vreg(c, bits(insn, 9, 5));
  Wide<U> acc = to_int<U, Signed>(n.get<U>(0));
  for (unsigned i = 1; i < count; ++i) {
    Wide<U> v = to_int<U, Signed>(n.get<U>(i));
    if (R == Reduce::kAdd || R == Reduce::kAddLong)
      acc += v;
    else if (R == Reduce::kMax)
      acc = v > acc ? v : acc;
    else
      acc = v < acc ? v : acc;
  }
  // The long sum (at most 16 lanes) fits twice the lane width.
  unsigned esize = R == Reduce::kAddLong ? 2 * kEsize<U> : kEsize<U>;
  set_vscalar(c, bits(insn, 4, 0), esize, static_cast<uint64_t>(acc));
}

template <Reduce R, bool Signed>
void across(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  by_narrow_lane_type(c, bits(insn, 23, 22),
                      [&]<class U>() { reduce_lanes<R, Signed, U>(c, insn); });
}

// ADDP (scalar): Vn.D[0] + Vn.D[1].
void addp_scalar(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  VReg n = vreg(c, bits(insn, 9, 5));
  set_vscalar(c, bits(insn, 4, 0), 64, n.get<uint64_t>(0) + n.get<uint64_t>(1));
}

}  // namespace

void register_simd_across_lanes(HandlerTable& t) {
  t[Op::ADDV] = across<Reduce::kAdd, false>;
  t[Op::SADDLV] = across<Reduce::kAddLong, true>;
  t[Op::UADDLV] = across<Reduce::kAddLong, false>;
  t[Op::SMAXV] = across<Reduce::kMax, true>;
  t[Op::SMINV] = across<Reduce::kMin, true>;
  t[Op::UMAXV] = across<Reduce::kMax, false>;
  t[Op::UMINV] = across<Reduce::kMin, false>;
  t[Op::ADDP_sisd] = addp_scalar;
}

}  // namespace vmapple::arm64
