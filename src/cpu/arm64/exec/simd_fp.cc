// Floating-point and Advanced SIMD data processing. Tier 1 of the CPU scope
// needs only FMOV between general and FP/SIMD registers; the arithmetic
// groups come with the FP/SIMD issue and stay UNDEFINED until then.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

// FMOV (general), Arm ARM C7.2.131: sf:0:0:11110:ftype:1:rmode:opcode.
void exec_fmov_gen(Core& c, uint32_t insn) {
  unsigned ftype = bits(insn, 23, 22), rmode = bits(insn, 20, 19);
  unsigned n = bits(insn, 9, 5), d = bits(insn, 4, 0);
  bool to_fp = bit(insn, 16);
  if (ftype == 3) c.undefined();  // half precision: FEAT_FP16 is not implemented
  c.check_fp_enabled();
  using u128 = unsigned __int128;
  if (rmode == 1) {  // X <-> V.D[1]: the upper half only
    if (to_fp)
      c.v[d] = (c.v[d] & ~(~u128{0} << 64)) | u128{c.xreg(n)} << 64;
    else
      c.set_xreg(d, static_cast<uint64_t>(c.v[n] >> 64));
    return;
  }
  uint64_t width_mask = ftype == 0 ? 0xffffffffull : ~0ull;
  if (to_fp)
    c.v[d] = u128{c.xreg(n) & width_mask};  // the rest of the register is zeroed
  else
    c.set_xreg(d, static_cast<uint64_t>(c.v[n]) & width_mask);
}

}  // namespace

void register_simd_fp(HandlerTable& t) {
  t[Op::FMOV_gen] = &exec_fmov_gen;
}

}  // namespace vmapple::arm64
