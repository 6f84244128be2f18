// Advanced SIMD permute (ZIP1/2, UZP1/2, TRN1/2), extract (EXT) and table
// lookup (TBL/TBX) (Arm ARM C4.1.96). Vd may be any of the sources: every
// handler reads its operands before writing.
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/exec/simd_int.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using namespace simd_int;

struct Fields {
  bool q;
  unsigned size, m, n, d;
};

Fields fields(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  return {bit(insn, 30), static_cast<unsigned>(bits(insn, 23, 22)),
          static_cast<unsigned>(bits(insn, 20, 16)), static_cast<unsigned>(bits(insn, 9, 5)),
          static_cast<unsigned>(bits(insn, 4, 0))};
}

enum class Permute { kUzp, kTrn, kZip };

// `part` is 0 for the "1" forms and 1 for the "2" forms (opcode bit 14).
template <Permute Kind>
void exec_permute(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  if (f.size == 3 && !f.q) c.undefined();
  unsigned part = static_cast<unsigned>(bit(insn, 14));
  by_lane_type(f.size, [&]<class T>() {
    VReg vn = vreg(c, f.n), vm = vreg(c, f.m), r;
    unsigned lanes = (f.q ? 16 : 8) / sizeof(T), half = lanes / 2;
    for (unsigned p = 0; p < half; ++p) {
      if constexpr (Kind == Permute::kUzp) {
        r.set<T>(p, vn.get<T>(2 * p + part));
        r.set<T>(half + p, vm.get<T>(2 * p + part));
      } else if constexpr (Kind == Permute::kTrn) {
        r.set<T>(2 * p, vn.get<T>(2 * p + part));
        r.set<T>(2 * p + 1, vm.get<T>(2 * p + part));
      } else {
        r.set<T>(2 * p, vn.get<T>(part * half + p));
        r.set<T>(2 * p + 1, vm.get<T>(part * half + p));
      }
    }
    set_vreg(c, f.d, r, f.q);
  });
}

// EXT: bytes imm4.. of the concatenation Vm:Vn (Q = 0: the low halves; an
// index beyond 7 is then reserved).
void exec_ext(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned pos = static_cast<unsigned>(bits(insn, 14, 11)), bytes = f.q ? 16 : 8;
  if (!f.q && pos >= 8) c.undefined();
  VReg vn = vreg(c, f.n), vm = vreg(c, f.m), r;
  for (unsigned i = 0; i < bytes; ++i) {
    unsigned k = pos + i;
    r.b[i] = k < bytes ? vn.b[k] : vm.b[k - bytes];
  }
  set_vreg(c, f.d, r, f.q);
}

// TBL/TBX: each byte of Vm indexes the table of len + 1 consecutive
// registers from Vn (numbers wrap past V31); an index out of the table gives
// zero (TBL) or leaves Vd's byte (TBX).
template <bool Extension>
void exec_tbl(Core& c, uint32_t insn) {
  Fields f = fields(c, insn);
  unsigned regs = static_cast<unsigned>(bits(insn, 14, 13)) + 1, bytes = f.q ? 16 : 8;
  uint8_t table[64];
  for (unsigned k = 0; k < regs; ++k)
    std::memcpy(table + 16 * k, &c.v[(f.n + k) % 32], 16);
  VReg idx = vreg(c, f.m), r = Extension ? vreg(c, f.d) : VReg{};
  for (unsigned i = 0; i < bytes; ++i)
    if (idx.b[i] < 16 * regs) r.b[i] = table[idx.b[i]];
  set_vreg(c, f.d, r, f.q);
}

}  // namespace

void register_simd_permute(HandlerTable& t) {
  t[Op::UZP1] = t[Op::UZP2] = &exec_permute<Permute::kUzp>;
  t[Op::TRN1] = t[Op::TRN2] = &exec_permute<Permute::kTrn>;
  t[Op::ZIP1] = t[Op::ZIP2] = &exec_permute<Permute::kZip>;
  t[Op::EXT] = &exec_ext;
  t[Op::TBL] = &exec_tbl<false>;
  t[Op::TBX] = &exec_tbl<true>;
}

}  // namespace vmapple::arm64
