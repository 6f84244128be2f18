// Advanced SIMD vector x indexed element, integer forms, vector and scalar:
// MUL/MLA/MLS, the widening multiplies (and their "2" forms), and the
// saturating doubling multiplies. The element is Vm[index] with index H:L:M
// and Rm in V0-V15 for 16-bit lanes, index H:L and Rm = M:Rm for 32-bit
// lanes. The decoder leaves sizes 0 and 3 unallocated; SQRDMLAH/SQRDMLSH
// (FEAT_RDM, v8.1) stay UNDEFINED (nothing registers them).
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/exec/simd_int.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simd_int;

// Vm[index] copied into every lane.
template <class U>
VReg element(const Core& c, uint32_t insn) {
  unsigned h = bit(insn, 11), l = bit(insn, 21), mb = bit(insn, 20);
  unsigned rm = bits(insn, 19, 16), index;
  if constexpr (sizeof(U) == 2) {
    index = h << 2 | l << 1 | mb;
  } else {
    index = h << 1 | l;
    rm |= mb << 4;
  }
  U e = vreg(c, rm).get<U>(index);
  VReg b;
  for (unsigned i = 0; i < 16 / sizeof(U); ++i)
    b.set<U>(i, e);
  return b;
}

struct Mul {
  template <class U>
  static U lane(U n, U m, U, bool&) {
    return mul_lo(n, m);
  }
};
struct Mla {
  template <class U>
  static U lane(U n, U m, U d, bool&) {
    return static_cast<U>(d + mul_lo(n, m));
  }
};
struct Mls {
  template <class U>
  static U lane(U n, U m, U d, bool&) {
    return static_cast<U>(d - mul_lo(n, m));
  }
};
struct Sqdmulh {
  template <class U>
  static U lane(U n, U m, U, bool& qc) {
    return doubling_mul_high<U, false>(n, m, qc);
  }
};
struct Sqrdmulh {
  template <class U>
  static U lane(U n, U m, U, bool& qc) {
    return doubling_mul_high<U, true>(n, m, qc);
  }
};

template <class Op>
void same_width(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  if (bits(insn, 23, 22) == 1)
    same_lanes<Op, uint16_t>(c, insn, element<uint16_t>(c, insn));
  else
    same_lanes<Op, uint32_t>(c, insn, element<uint32_t>(c, insn));
}

template <class Op, bool Signed>
void widening(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  if (bits(insn, 23, 22) == 1)
    long_lanes<Op, Signed, false, uint16_t>(c, insn, element<uint16_t>(c, insn));
  else
    long_lanes<Op, Signed, false, uint32_t>(c, insn, element<uint32_t>(c, insn));
}

}  // namespace

void register_simd_by_element(HandlerTable& t) {
  t[Op::MUL_elem] = same_width<Mul>;
  t[Op::MLA_elem] = same_width<Mla>;
  t[Op::MLS_elem] = same_width<Mls>;
  t[Op::SQDMULH_elem] = t[Op::SQDMULH_elem_sisd] = same_width<Sqdmulh>;
  t[Op::SQRDMULH_elem] = t[Op::SQRDMULH_elem_sisd] = same_width<Sqrdmulh>;
  t[Op::SMULL_elem] = widening<MulL, true>;
  t[Op::UMULL_elem] = widening<MulL, false>;
  t[Op::SMLAL_elem] = widening<MlaL, true>;
  t[Op::UMLAL_elem] = widening<MlaL, false>;
  t[Op::SMLSL_elem] = widening<MlsL, true>;
  t[Op::UMLSL_elem] = widening<MlsL, false>;
  t[Op::SQDMULL_elem] = t[Op::SQDMULL_elem_sisd] = widening<SqdmullL, true>;
  t[Op::SQDMLAL_elem] = t[Op::SQDMLAL_elem_sisd] = widening<SqdmlalL, true>;
  t[Op::SQDMLSL_elem] = t[Op::SQDMLSL_elem_sisd] = widening<SqdmlslL, true>;
}

}  // namespace vmapple::arm64
