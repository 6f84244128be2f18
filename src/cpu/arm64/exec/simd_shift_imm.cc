// Advanced SIMD shift by immediate (integer forms), vector and scalar (Arm
// ARM C4.1.96 "Advanced SIMD shift by immediate" / "Advanced SIMD scalar
// shift by immediate"). immh:immb encodes both the element size (the highest
// set bit of immh: esize = 8 << HighestSetBit(immh)) and the shift: right
// shifts are 2 * esize - immh:immb (1..esize), left shifts immh:immb - esize
// (0..esize-1). Narrowing and widening forms take esize from the narrow lanes.
// The decoder rejects immh = 0 (modified immediate), Q = 0 with 64-bit lanes,
// immh<3> = 0 for the 64-bit-only scalar forms and immh<3> = 1 for the
// narrowing/widening forms; the fixed-point conversions are simd_shift_imm_fp.cc's.
#include <bit>

#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/exec/simd_int.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simd_int;

struct Fields {
  bool q, scalar;
  unsigned size;  // log2(esize / 8)
  unsigned imm;   // immh:immb
  unsigned n, d;
};

Fields fields(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  unsigned immh = static_cast<unsigned>(bits(insn, 22, 19));
  if (immh == 0) c.undefined();
  return {bit(insn, 30),
          bit(insn, 28),
          static_cast<unsigned>(std::bit_width(immh) - 1),
          static_cast<unsigned>(bits(insn, 22, 16)),
          static_cast<unsigned>(bits(insn, 9, 5)),
          static_cast<unsigned>(bits(insn, 4, 0))};
}

unsigned esize_of(const Fields& f) {
  return 8u << f.size;
}
unsigned right_shift(const Fields& f) {
  return 2 * esize_of(f) - f.imm;
}
unsigned left_shift(const Fields& f) {
  return f.imm - esize_of(f);
}

// Lane-wise d[i] = op(n[i], d[i], sat) over the vector or the scalar lane.
template <class Op>
void elementwise(Core& c, const Fields& f, Op op) {
  if (!f.scalar && !f.q && f.size == 3) c.undefined();
  by_lane_type(f.size, [&]<class T>() { map_lanes<T>(c, f.scalar, f.q, f.n, f.d, op); });
}

// SSHR/USHR/SRSHR/URSHR and the accumulating SSRA/USRA/SRSRA/URSRA.
template <bool Signed, bool Round, bool Accumulate>
void exec_shr(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = right_shift(f);
  elementwise(c, f, [sh](auto x, decltype(x) acc, bool&) {
    using T = decltype(x);
    i128 v = to_i128<T, Signed>(x);
    if (Round) v += i128{1} << (sh - 1);
    T r = static_cast<T>(v >> sh);
    return Accumulate ? static_cast<T>(acc + r) : r;
  });
}

void exec_shl(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = left_shift(f);
  elementwise(c, f, [sh](auto x, decltype(x), bool&) {
    return static_cast<decltype(x)>(uint64_t{x} << sh);
  });
}

// SLI: Vn << shift inserted into Vd, keeping Vd's low `shift` bits.
void exec_sli(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = left_shift(f);
  elementwise(c, f, [sh](auto x, decltype(x) acc, bool&) {
    using T = decltype(x);
    T m = static_cast<T>(uint64_t{static_cast<T>(~T{0})} << sh);
    return static_cast<T>((acc & ~m) | (uint64_t{x} << sh));
  });
}

// SRI: Vn >> shift inserted into Vd, keeping Vd's high `shift` bits (all of
// them for shift = esize).
void exec_sri(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = right_shift(f);
  elementwise(c, f, [sh](auto x, decltype(x) acc, bool&) {
    using T = decltype(x);
    if (sh >= 8 * sizeof(T)) return acc;
    T m = static_cast<T>(static_cast<T>(~T{0}) >> sh);
    return static_cast<T>((acc & ~m) | (x >> sh));
  });
}

// SQSHL/UQSHL (immediate) and SQSHLU: a left shift saturated to the signed
// or unsigned lane range.
template <bool SrcSigned, bool DstSigned>
void exec_qshl(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = left_shift(f);
  elementwise(c, f, [sh](auto x, decltype(x), bool& qc) {
    using T = decltype(x);
    return sat<T, DstSigned>(shl(to_i128<T, SrcSigned>(x), sh), qc);
  });
}

// SHRN/RSHRN/SQ(R)SHRN/UQ(R)SHRN/SQ(R)SHRUN: lanes of twice the width
// shifted right (rounded), then narrowed.
template <Narrow Kind, bool Round>
void exec_shrn(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = right_shift(f);
  by_narrow_lane_type(c, f.size, [&]<class T>() {
    narrow_lanes<T>(c, f.scalar, f.q, f.n, f.d, [sh](Twice<T> w, bool& qc) {
      i128 v = to_i128<Twice<T>, kNarrowFromSigned<Kind>>(w);
      if (Round) v += i128{1} << (sh - 1);
      return narrow<T, Kind>(v >> sh, qc);
    });
  });
}

// SSHLL/USHLL (SXTL/UXTL for shift 0): the lower (Q = 0) or upper half's
// lanes widened and shifted left.
template <bool Signed>
void exec_shll(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned sh = left_shift(f);
  by_narrow_lane_type(c, f.size, [&]<class T>() {
    using W = Twice<T>;
    VReg vn = vpart(vreg(c, f.n), f.q), r;
    for (unsigned i = 0; i < 8 / sizeof(T); ++i)
      r.set<W>(i, trunc<W>(shl(to_i128<T, Signed>(vn.get<T>(i)), sh)));
    set_vreg(c, f.d, r);
  });
}

}  // namespace

void register_simd_shift_imm(HandlerTable& t) {
  t[Op::SSHR_vec] = t[Op::SSHR_sisd] = &exec_shr<true, false, false>;
  t[Op::USHR_vec] = t[Op::USHR_sisd] = &exec_shr<false, false, false>;
  t[Op::SRSHR_vec] = t[Op::SRSHR_sisd] = &exec_shr<true, true, false>;
  t[Op::URSHR_vec] = t[Op::URSHR_sisd] = &exec_shr<false, true, false>;
  t[Op::SSRA_vec] = t[Op::SSRA_sisd] = &exec_shr<true, false, true>;
  t[Op::USRA_vec] = t[Op::USRA_sisd] = &exec_shr<false, false, true>;
  t[Op::SRSRA_vec] = t[Op::SRSRA_sisd] = &exec_shr<true, true, true>;
  t[Op::URSRA_vec] = t[Op::URSRA_sisd] = &exec_shr<false, true, true>;
  t[Op::SHL_vec] = t[Op::SHL_sisd] = &exec_shl;
  t[Op::SLI_vec] = t[Op::SLI_sisd] = &exec_sli;
  t[Op::SRI_vec] = t[Op::SRI_sisd] = &exec_sri;
  t[Op::SQSHL_imm] = t[Op::SQSHL_imm_sisd] = &exec_qshl<true, true>;
  t[Op::UQSHL_imm] = t[Op::UQSHL_imm_sisd] = &exec_qshl<false, false>;
  t[Op::SQSHLU_vec] = t[Op::SQSHLU_sisd] = &exec_qshl<true, false>;
  t[Op::SHRN_vec] = &exec_shrn<Narrow::kTruncate, false>;
  t[Op::RSHRN_vec] = &exec_shrn<Narrow::kTruncate, true>;
  t[Op::SQSHRN_vec] = t[Op::SQSHRN_sisd] = &exec_shrn<Narrow::kSigned, false>;
  t[Op::SQRSHRN_vec] = t[Op::SQRSHRN_sisd] = &exec_shrn<Narrow::kSigned, true>;
  t[Op::UQSHRN_vec] = t[Op::UQSHRN_sisd] = &exec_shrn<Narrow::kUnsigned, false>;
  t[Op::UQRSHRN_vec] = t[Op::UQRSHRN_sisd] = &exec_shrn<Narrow::kUnsigned, true>;
  t[Op::SQSHRUN_vec] = t[Op::SQSHRUN_sisd] = &exec_shrn<Narrow::kSignedToUnsigned, false>;
  t[Op::SQRSHRUN_vec] = t[Op::SQRSHRUN_sisd] = &exec_shrn<Narrow::kSignedToUnsigned, true>;
  t[Op::SSHLL_vec] = &exec_shll<true>;
  t[Op::USHLL_vec] = &exec_shll<false>;
}

}  // namespace vmapple::arm64
