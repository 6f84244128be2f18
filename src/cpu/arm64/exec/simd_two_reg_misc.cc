// Advanced SIMD two-register miscellaneous (integer forms), vector and scalar
// (Arm ARM C4.1.96, "Advanced SIMD two-register miscellaneous" and "Advanced
// SIMD scalar two-register miscellaneous"). Bit 28 tells the scalar encoding
// (01U11110...) from the vector one (0QU01110...). The decoder already rejects
// the reserved size/Q combinations of each Op; the FP forms of the group are
// registered by simd_two_reg_misc_fp.cc.
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
  unsigned size, n, d;
};

Fields fields(uint32_t insn) {
  return {bit(insn, 30), bit(insn, 28), static_cast<unsigned>(bits(insn, 23, 22)),
          static_cast<unsigned>(bits(insn, 9, 5)), static_cast<unsigned>(bits(insn, 4, 0))};
}

template <class Op>
void elementwise(Core& c, uint32_t insn, Op op) {
  c.check_fp_enabled();
  Fields f = fields(insn);
  by_lane_type(f.size, [&]<class T>() { map_lanes<T>(c, f.scalar, f.q, f.n, f.d, op); });
}

#define VMAPPLE_LANE_HANDLER(name, ...)                                                          \
  void name(Core& c, uint32_t insn) {                                                            \
    elementwise(                                                                                 \
        c, insn,                                                                                 \
        [](auto x, [[maybe_unused]] decltype(x) acc, [[maybe_unused]] bool& qc) -> decltype(x) { \
          using T = decltype(x);                                                                 \
          [[maybe_unused]] constexpr T kOnes = static_cast<T>(~T{0});                            \
          return static_cast<T>(__VA_ARGS__);                                                    \
        });                                                                                      \
  }

// CLS: leading bits equal to the sign bit, not counting the sign bit.
VMAPPLE_LANE_HANDLER(exec_cls, std::countl_zero(static_cast<T>(static_cast<T>(x ^ (x << 1)) | 1)))
VMAPPLE_LANE_HANDLER(exec_clz, std::countl_zero(x))
VMAPPLE_LANE_HANDLER(exec_cnt, std::popcount(x))
VMAPPLE_LANE_HANDLER(exec_not, ~x)
VMAPPLE_LANE_HANDLER(exec_abs, sn(x) < 0 ? T{0} - x : x)
VMAPPLE_LANE_HANDLER(exec_neg, T{0} - x)
VMAPPLE_LANE_HANDLER(exec_sqabs, sat<T, true>(sn(x) < 0 ? -sn(x) : sn(x), qc))
VMAPPLE_LANE_HANDLER(exec_sqneg, sat<T, true>(-sn(x), qc))
// SUQADD: signed accumulator plus unsigned operand; USQADD the other way.
VMAPPLE_LANE_HANDLER(exec_suqadd, sat<T, true>(sn(acc) + un(x), qc))
VMAPPLE_LANE_HANDLER(exec_usqadd, sat<T, false>(un(acc) + sn(x), qc))
VMAPPLE_LANE_HANDLER(exec_cmgt_zero, sn(x) > 0 ? kOnes : T{0})
VMAPPLE_LANE_HANDLER(exec_cmge_zero, sn(x) >= 0 ? kOnes : T{0})
VMAPPLE_LANE_HANDLER(exec_cmeq_zero, x == 0 ? kOnes : T{0})
VMAPPLE_LANE_HANDLER(exec_cmle_zero, sn(x) <= 0 ? kOnes : T{0})
VMAPPLE_LANE_HANDLER(exec_cmlt_zero, sn(x) < 0 ? kOnes : T{0})

#undef VMAPPLE_LANE_HANDLER

// RBIT (vector): bit order reversed within each byte (size is fixed 01).
void exec_rbit(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  Fields f = fields(insn);
  VReg vn = vreg(c, f.n), r;
  for (unsigned i = 0; i < 16; ++i) {
    uint8_t b = vn.b[i], o = 0;
    for (unsigned k = 0; k < 8; ++k)
      o = static_cast<uint8_t>(o | ((b >> k) & 1) << (7 - k));
    r.b[i] = o;
  }
  set_vreg(c, f.d, r, f.q);
}

// REV16/REV32/REV64: the order of the 2^size-byte elements reversed within
// each container of `container` bytes.
template <unsigned Container>
void exec_rev(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  Fields f = fields(insn);
  unsigned esize = 1u << f.size, per = Container / esize;
  VReg vn = vreg(c, f.n), r;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned base = i / Container * Container, e = i % Container / esize, b = i % esize;
    r.b[base + (per - 1 - e) * esize + b] = vn.b[i];
  }
  set_vreg(c, f.d, r, f.q);
}

// SADDLP/UADDLP/SADALP/UADALP: adjacent pairs added into lanes of twice the
// width, optionally accumulated into Vd.
template <bool Signed, bool Accumulate>
void exec_addlp(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  Fields f = fields(insn);
  by_narrow_lane_type(c, f.size, [&]<class T>() {
    using W = Twice<T>;
    VReg vn = vreg(c, f.n), vd = vreg(c, f.d), r;
    unsigned lanes = (f.q ? 16 : 8) / sizeof(W);
    for (unsigned i = 0; i < lanes; ++i) {
      i128 sum = to_i128<T, Signed>(vn.get<T>(2 * i)) + to_i128<T, Signed>(vn.get<T>(2 * i + 1));
      if (Accumulate) sum += vd.get<W>(i);
      r.set<W>(i, trunc<W>(sum));
    }
    set_vreg(c, f.d, r, f.q);
  });
}

// XTN/SQXTN/UQXTN/SQXTUN: lanes of twice the width narrowed.
template <Narrow Kind>
void exec_xtn(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  Fields f = fields(insn);
  by_narrow_lane_type(c, f.size, [&]<class T>() {
    narrow_lanes<T>(c, f.scalar, f.q, f.n, f.d, [](Twice<T> w, bool& qc) {
      return narrow<T, Kind>(to_i128<Twice<T>, kNarrowFromSigned<Kind>>(w), qc);
    });
  });
}

// SHLL/SHLL2: the lower (Q = 0) or upper half's lanes widened and shifted
// left by their width.
void exec_shll(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  Fields f = fields(insn);
  by_narrow_lane_type(c, f.size, [&]<class T>() {
    using W = Twice<T>;
    VReg vn = vpart(vreg(c, f.n), f.q), r;
    for (unsigned i = 0; i < 8 / sizeof(T); ++i)
      r.set<W>(i, static_cast<W>(W{vn.get<T>(i)} << kEsize<T>));
    set_vreg(c, f.d, r);
  });
}

}  // namespace

void register_simd_two_reg_misc(HandlerTable& t) {
  t[Op::REV16_vec] = &exec_rev<2>;
  t[Op::REV32_vec] = &exec_rev<4>;
  t[Op::REV64] = &exec_rev<8>;
  t[Op::SADDLP] = &exec_addlp<true, false>;
  t[Op::UADDLP] = &exec_addlp<false, false>;
  t[Op::SADALP] = &exec_addlp<true, true>;
  t[Op::UADALP] = &exec_addlp<false, true>;
  t[Op::SUQADD] = t[Op::SUQADD_sisd] = &exec_suqadd;
  t[Op::USQADD] = t[Op::USQADD_sisd] = &exec_usqadd;
  t[Op::CLS_vec] = &exec_cls;
  t[Op::CLZ_vec] = &exec_clz;
  t[Op::CNT] = &exec_cnt;
  t[Op::NOT] = &exec_not;
  t[Op::RBIT_vec] = &exec_rbit;
  t[Op::SQABS] = t[Op::SQABS_sisd] = &exec_sqabs;
  t[Op::SQNEG] = t[Op::SQNEG_sisd] = &exec_sqneg;
  t[Op::ABS] = t[Op::ABS_sisd] = &exec_abs;
  t[Op::NEG_vec] = t[Op::NEG_sisd] = &exec_neg;
  t[Op::CMGT_zero] = t[Op::CMGT_zero_sisd] = &exec_cmgt_zero;
  t[Op::CMGE_zero] = t[Op::CMGE_zero_sisd] = &exec_cmge_zero;
  t[Op::CMEQ_zero] = t[Op::CMEQ_zero_sisd] = &exec_cmeq_zero;
  t[Op::CMLE_zero] = t[Op::CMLE_zero_sisd] = &exec_cmle_zero;
  t[Op::CMLT_zero] = t[Op::CMLT_zero_sisd] = &exec_cmlt_zero;
  t[Op::XTN] = &exec_xtn<Narrow::kTruncate>;
  t[Op::SQXTN] = t[Op::SQXTN_sisd] = &exec_xtn<Narrow::kSigned>;
  t[Op::UQXTN] = t[Op::UQXTN_sisd] = &exec_xtn<Narrow::kUnsigned>;
  t[Op::SQXTUN] = t[Op::SQXTUN_sisd] = &exec_xtn<Narrow::kSignedToUnsigned>;
  t[Op::SHLL] = &exec_shll;
}

}  // namespace vmapple::arm64
