// Advanced SIMD copy: DUP (element, general), DUP scalar (MOV scalar), INS
// (element, general), UMOV and SMOV (Arm ARM C4.1.96, encoding
// 0 Q op 01110000 imm5 0 imm4 1 Rn Rd). The lowest set bit of imm5 selects
// the element size and the bits above it the index; imm5 = x0000 is
// reserved, as are the Q/size pairs the decoder leaves out.
#include <bit>

#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

struct Elem {
  unsigned size;   // log2(bytes)
  unsigned index;  // of the element imm5 names
  unsigned esize() const { return 8u << size; }
};

Elem imm5_elem(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  unsigned imm5 = static_cast<unsigned>(bits(insn, 20, 16));
  unsigned size = static_cast<unsigned>(std::countr_zero(imm5));
  if (size > 3) c.undefined();
  return {size, imm5 >> (size + 1)};
}

unsigned rn(uint32_t insn) {
  return static_cast<unsigned>(bits(insn, 9, 5));
}
unsigned rd(uint32_t insn) {
  return static_cast<unsigned>(bits(insn, 4, 0));
}

// Every lane of Vd (the scalar form: lane 0 only) set to `value`: the
// element replicated over 64 bits and stored twice (Q = 0 clears the upper
// half again), so DUP costs the same for every element size.
void fill(Core& c, unsigned d, unsigned esize, uint64_t value, unsigned bytes) {
  VReg r;
  if (bytes * 8 == esize) {
    r.set_elem(0, esize, value);
  } else {
    uint64_t pattern = value & mask(esize);
    for (unsigned w = esize; w < 64; w *= 2)
      pattern |= pattern << w;
    r.set<uint64_t>(0, pattern);
    r.set<uint64_t>(1, pattern);
  }
  set_vreg(c, d, r, bytes == 16);
}

void exec_dup_elem(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  bool q = bit(insn, 30);
  if (e.size == 3 && !q) c.undefined();
  fill(c, rd(insn), e.esize(), vreg(c, rn(insn)).elem(e.index, e.esize()), q ? 16 : 8);
}

void exec_dup_scalar(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  fill(c, rd(insn), e.esize(), vreg(c, rn(insn)).elem(e.index, e.esize()), e.esize() / 8);
}

void exec_dup_gen(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  bool q = bit(insn, 30);
  if (e.size == 3 && !q) c.undefined();
  fill(c, rd(insn), e.esize(), c.xreg(rn(insn)), q ? 16 : 8);
}

void exec_ins_gen(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  VReg r = vreg(c, rd(insn));
  r.set_elem(e.index, e.esize(), c.xreg(rn(insn)));
  set_vreg(c, rd(insn), r);
}

void exec_ins_elem(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  unsigned src = static_cast<unsigned>(bits(insn, 14, 11)) >> e.size;
  VReg r = vreg(c, rd(insn));
  r.set_elem(e.index, e.esize(), vreg(c, rn(insn)).elem(src, e.esize()));
  set_vreg(c, rd(insn), r);
}

// UMOV: W form for 8/16/32-bit elements (Q = 0), X form for 64-bit (Q = 1).
void exec_umov(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  bool q = bit(insn, 30);
  if (q != (e.size == 3)) c.undefined();
  c.set_xreg(rd(insn), vreg(c, rn(insn)).elem(e.index, e.esize()));
}

// SMOV: sign-extended into W (Q = 0; 8/16-bit) or X (Q = 1; 8/16/32-bit).
void exec_smov(Core& c, uint32_t insn) {
  Elem e = imm5_elem(c, insn);
  bool q = bit(insn, 30);
  if (e.size == 3 || (!q && e.size == 2)) c.undefined();
  uint64_t v = vreg(c, rn(insn)).elem(e.index, e.esize());
  unsigned pad = 64 - e.esize();
  uint64_t s = static_cast<uint64_t>(static_cast<int64_t>(v << pad) >> pad);
  c.set_xreg(rd(insn), q ? s : s & 0xffffffffull);
}

}  // namespace

void register_simd_copy(HandlerTable& t) {
  t[Op::DUP_elem] = &exec_dup_elem;
  t[Op::DUP_elem_sisd] = &exec_dup_scalar;
  t[Op::DUP_gen] = &exec_dup_gen;
  t[Op::INS_gen] = &exec_ins_gen;
  t[Op::INS_elem] = &exec_ins_elem;
  t[Op::UMOV] = &exec_umov;
  t[Op::SMOV] = &exec_smov;
}

}  // namespace vmapple::arm64
