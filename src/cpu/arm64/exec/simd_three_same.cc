// Advanced SIMD three same (integer forms) and their scalar (SISD) encodings:
// halving, saturating, compare, shift-by-register, min/max, absolute
// difference, add/sub, multiply(-accumulate), polynomial multiply, pairwise,
// doubling multiply high, and the bitwise register forms. The decoder leaves
// the reserved sizes (size 3 where no 64-bit lanes exist, Q = 0 with 64-bit
// lanes, the scalar sizes each page forbids) unallocated.
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/exec/simd_int.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simd_int;

// One lane function: U f(U n, U m, U d, bool& qc) as a template member.
#define VMAPPLE_LANE_OP(Name, expr)                                                 \
  struct Name {                                                                     \
    template <class U>                                                              \
    static U lane([[maybe_unused]] U n, [[maybe_unused]] U m, [[maybe_unused]] U d, \
                  [[maybe_unused]] bool& qc) {                                      \
      return expr;                                                                  \
    }                                                                               \
  };

template <class U>
U all_ones(bool b) {
  return b ? static_cast<U>(~U{0}) : U{0};
}
// The low byte of the shift operand as a signed count.
template <class U>
int shift_of(U m) {
  return static_cast<int8_t>(static_cast<uint8_t>(m));
}
template <class U, bool Signed, bool Round, bool Saturate>
U shift_lane(U n, U m, bool& qc) {
  i128 r = shift_int(to_int<U, Signed>(n), shift_of(m), Round);
  if constexpr (Saturate)
    return sat<U, Signed>(r, qc);
  else
    return trunc<U>(r);
}
// Polynomial (carry-less) multiply of two bytes, low 8 bits.
template <class U>
U pmul8(U n, U m) {
  unsigned r = 0;
  for (unsigned i = 0; i < 8; ++i)
    if (m >> i & 1) r ^= static_cast<unsigned>(n) << i;
  return static_cast<U>(r);
}

VMAPPLE_LANE_OP(Shadd, trunc<U>((sn(n) + sn(m)) >> 1))
VMAPPLE_LANE_OP(Uhadd, trunc<U>((un(n) + un(m)) >> 1))
VMAPPLE_LANE_OP(Srhadd, trunc<U>((sn(n) + sn(m) + 1) >> 1))
VMAPPLE_LANE_OP(Urhadd, trunc<U>((un(n) + un(m) + 1) >> 1))
VMAPPLE_LANE_OP(Shsub, trunc<U>((sn(n) - sn(m)) >> 1))
VMAPPLE_LANE_OP(Uhsub, trunc<U>((un(n) - un(m)) >> 1))
VMAPPLE_LANE_OP(Sqadd, (sat<U, true>(sn(n) + sn(m), qc)))
VMAPPLE_LANE_OP(Uqadd, (sat<U, false>(un(n) + un(m), qc)))
VMAPPLE_LANE_OP(Sqsub, (sat<U, true>(sn(n) - sn(m), qc)))
VMAPPLE_LANE_OP(Uqsub, (sat<U, false>(un(n) - un(m), qc)))
VMAPPLE_LANE_OP(Cmgt, all_ones<U>(sn(n) > sn(m)))
VMAPPLE_LANE_OP(Cmge, all_ones<U>(sn(n) >= sn(m)))
VMAPPLE_LANE_OP(Cmhi, all_ones<U>(n > m))
VMAPPLE_LANE_OP(Cmhs, all_ones<U>(n >= m))
VMAPPLE_LANE_OP(Cmeq, all_ones<U>(n == m))
VMAPPLE_LANE_OP(Cmtst, all_ones<U>((n & m) != 0))
VMAPPLE_LANE_OP(Sshl, (shift_lane<U, true, false, false>(n, m, qc)))
VMAPPLE_LANE_OP(Ushl, (shift_lane<U, false, false, false>(n, m, qc)))
VMAPPLE_LANE_OP(Srshl, (shift_lane<U, true, true, false>(n, m, qc)))
VMAPPLE_LANE_OP(Urshl, (shift_lane<U, false, true, false>(n, m, qc)))
VMAPPLE_LANE_OP(Sqshl, (shift_lane<U, true, false, true>(n, m, qc)))
VMAPPLE_LANE_OP(Uqshl, (shift_lane<U, false, false, true>(n, m, qc)))
VMAPPLE_LANE_OP(Sqrshl, (shift_lane<U, true, true, true>(n, m, qc)))
VMAPPLE_LANE_OP(Uqrshl, (shift_lane<U, false, true, true>(n, m, qc)))
VMAPPLE_LANE_OP(Smax, sn(n) >= sn(m) ? n : m)
VMAPPLE_LANE_OP(Smin, sn(n) <= sn(m) ? n : m)
VMAPPLE_LANE_OP(Umax, n >= m ? n : m)
VMAPPLE_LANE_OP(Umin, n <= m ? n : m)
VMAPPLE_LANE_OP(Sabd, trunc<U>(abs_diff(sn(n), sn(m))))
VMAPPLE_LANE_OP(Uabd, trunc<U>(abs_diff(un(n), un(m))))
VMAPPLE_LANE_OP(Saba, static_cast<U>(d + trunc<U>(abs_diff(sn(n), sn(m)))))
VMAPPLE_LANE_OP(Uaba, static_cast<U>(d + trunc<U>(abs_diff(un(n), un(m)))))
VMAPPLE_LANE_OP(Add, static_cast<U>(n + m))
VMAPPLE_LANE_OP(Sub, static_cast<U>(n - m))
VMAPPLE_LANE_OP(Mla, static_cast<U>(d + mul_lo(n, m)))
VMAPPLE_LANE_OP(Mls, static_cast<U>(d - mul_lo(n, m)))
VMAPPLE_LANE_OP(Mul, mul_lo(n, m))
VMAPPLE_LANE_OP(Pmul, pmul8(n, m))
VMAPPLE_LANE_OP(Sqdmulh, (doubling_mul_high<U, false>(n, m, qc)))
VMAPPLE_LANE_OP(Sqrdmulh, (doubling_mul_high<U, true>(n, m, qc)))
// Pairwise reductions (a = the lower-numbered element of the pair).
VMAPPLE_LANE_OP(Smaxp, sn(n) >= sn(m) ? n : m)
VMAPPLE_LANE_OP(Sminp, sn(n) <= sn(m) ? n : m)
VMAPPLE_LANE_OP(Umaxp, n >= m ? n : m)
VMAPPLE_LANE_OP(Uminp, n <= m ? n : m)
VMAPPLE_LANE_OP(Addp, static_cast<U>(n + m))

template <class Op>
void three_same(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  by_lane_type(bits(insn, 23, 22),
               [&]<class U>() { same_lanes<Op, U>(c, insn, vreg(c, bits(insn, 20, 16))); });
}

// Pairwise: the pairs of the concatenation Vm:Vn, Vn's pairs first.
template <class Op, class U>
void pairs(Core& c, uint32_t insn) {
  bool q = bit(insn, 30);
  unsigned count = (q ? 16 : 8) / sizeof(U), half = count / 2;
  VReg n = vreg(c, bits(insn, 9, 5)), m = vreg(c, bits(insn, 20, 16)), r;
  bool qc = false;
  for (unsigned i = 0; i < count; ++i) {
    const VReg& src = i < half ? n : m;
    unsigned j = 2 * (i % half);
    r.set<U>(i, Op::template lane<U>(src.get<U>(j), src.get<U>(j + 1), U{0}, qc));
  }
  set_vreg(c, bits(insn, 4, 0), r, q);
}

template <class Op>
void pairwise(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  by_lane_type(bits(insn, 23, 22), [&]<class U>() { pairs<Op, U>(c, insn); });
}

// The bitwise forms, on 64-bit halves; opc2 = size selects the operation.
template <unsigned Opc, bool U1>
void logical(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  bool q = bit(insn, 30);
  VReg n = vreg(c, bits(insn, 9, 5)), m = vreg(c, bits(insn, 20, 16));
  VReg d = vreg(c, bits(insn, 4, 0)), r;
  for (unsigned i = 0; i < 2; ++i) {
    uint64_t a = n.get<uint64_t>(i), b = m.get<uint64_t>(i), x = d.get<uint64_t>(i), v;
    if constexpr (!U1)
      v = Opc == 0 ? a & b : Opc == 1 ? a & ~b : Opc == 2 ? a | b : a | ~b;
    else if constexpr (Opc == 0)
      v = a ^ b;  // EOR
    else if constexpr (Opc == 1)
      v = b ^ ((b ^ a) & x);  // BSL
    else if constexpr (Opc == 2)
      v = x ^ ((x ^ a) & b);  // BIT
    else
      v = x ^ ((x ^ a) & ~b);  // BIF
    r.set<uint64_t>(i, v);
  }
  set_vreg(c, bits(insn, 4, 0), r, q);
}

}  // namespace

void register_simd_three_same(HandlerTable& t) {
  t[Op::SHADD_vec] = three_same<Shadd>;
  t[Op::UHADD_vec] = three_same<Uhadd>;
  t[Op::SRHADD_vec] = three_same<Srhadd>;
  t[Op::URHADD_vec] = three_same<Urhadd>;
  t[Op::SHSUB_vec] = three_same<Shsub>;
  t[Op::UHSUB_vec] = three_same<Uhsub>;
  t[Op::SQADD_vec] = t[Op::SQADD_sisd] = three_same<Sqadd>;
  t[Op::UQADD_vec] = t[Op::UQADD_sisd] = three_same<Uqadd>;
  t[Op::SQSUB_vec] = t[Op::SQSUB_sisd] = three_same<Sqsub>;
  t[Op::UQSUB_vec] = t[Op::UQSUB_sisd] = three_same<Uqsub>;
  t[Op::CMGT_reg] = t[Op::CMGT_reg_sisd] = three_same<Cmgt>;
  t[Op::CMGE_reg] = t[Op::CMGE_reg_sisd] = three_same<Cmge>;
  t[Op::CMHI_reg] = t[Op::CMHI_reg_sisd] = three_same<Cmhi>;
  t[Op::CMHS_reg] = t[Op::CMHS_reg_sisd] = three_same<Cmhs>;
  t[Op::CMEQ_reg] = t[Op::CMEQ_reg_sisd] = three_same<Cmeq>;
  t[Op::CMTST_vec] = t[Op::CMTST_sisd] = three_same<Cmtst>;
  t[Op::SSHL_vec] = t[Op::SSHL_sisd] = three_same<Sshl>;
  t[Op::USHL_vec] = t[Op::USHL_sisd] = three_same<Ushl>;
  t[Op::SRSHL_vec] = t[Op::SRSHL_sisd] = three_same<Srshl>;
  t[Op::URSHL_vec] = t[Op::URSHL_sisd] = three_same<Urshl>;
  t[Op::SQSHL_reg] = t[Op::SQSHL_reg_sisd] = three_same<Sqshl>;
  t[Op::UQSHL_reg] = t[Op::UQSHL_reg_sisd] = three_same<Uqshl>;
  t[Op::SQRSHL_vec] = t[Op::SQRSHL_sisd] = three_same<Sqrshl>;
  t[Op::UQRSHL_vec] = t[Op::UQRSHL_sisd] = three_same<Uqrshl>;
  t[Op::SMAX_vec] = three_same<Smax>;
  t[Op::SMIN_vec] = three_same<Smin>;
  t[Op::UMAX_vec] = three_same<Umax>;
  t[Op::UMIN_vec] = three_same<Umin>;
  t[Op::SABD_vec] = three_same<Sabd>;
  t[Op::UABD_vec] = three_same<Uabd>;
  t[Op::SABA_vec] = three_same<Saba>;
  t[Op::UABA_vec] = three_same<Uaba>;
  t[Op::ADD_vec] = t[Op::ADD_sisd] = three_same<Add>;
  t[Op::SUB_vec] = t[Op::SUB_sisd] = three_same<Sub>;
  t[Op::MLA_vec] = three_same<Mla>;
  t[Op::MLS_vec] = three_same<Mls>;
  t[Op::MUL_vec] = three_same<Mul>;
  t[Op::PMUL_vec] = three_same<Pmul>;
  t[Op::SQDMULH_vec] = t[Op::SQDMULH_sisd] = three_same<Sqdmulh>;
  t[Op::SQRDMULH_vec] = t[Op::SQRDMULH_sisd] = three_same<Sqrdmulh>;
  t[Op::SMAXP_vec] = pairwise<Smaxp>;
  t[Op::SMINP_vec] = pairwise<Sminp>;
  t[Op::UMAXP_vec] = pairwise<Umaxp>;
  t[Op::UMINP_vec] = pairwise<Uminp>;
  t[Op::ADDP_vec] = pairwise<Addp>;
  t[Op::AND_vec] = logical<0, false>;
  t[Op::BIC_vec] = logical<1, false>;
  t[Op::ORR_vec] = logical<2, false>;
  t[Op::ORN_vec] = logical<3, false>;
  t[Op::EOR_vec] = logical<0, true>;
  t[Op::BSL_vec] = logical<1, true>;
  t[Op::BIT_vec] = logical<2, true>;
  t[Op::BIF_vec] = logical<3, true>;
}

}  // namespace vmapple::arm64
