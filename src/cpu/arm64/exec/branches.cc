// A64 branches: unconditional (immediate and register), conditional,
// compare-and-branch and test-and-branch. A branch writes Core::next_pc; the
// run loop checks the target's alignment when it fetches from it. The PAuth
// register branches (BRAA, RETAA, ...) and BC.cond (FEAT_HBC) stay
// UNDEFINED because ID_AA64ISAR1/2 hide those features.
#include "base/bits.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/alu.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

// SignExtend(imm:'00') of an immediate field [hi:lo] as a byte offset.
template <unsigned Hi, unsigned Lo>
inline uint64_t branch_offset(uint32_t insn) {
  constexpr unsigned width = Hi - Lo + 1;
  uint64_t imm = bits(insn, Hi, Lo);
  return static_cast<uint64_t>(static_cast<int64_t>(imm << (64 - width)) >> (62 - width));
}

void exec_b(Core& c, uint32_t insn) {
  c.next_pc = c.pc + branch_offset<25, 0>(insn);
}

void exec_bl(Core& c, uint32_t insn) {
  c.x[30] = c.pc + 4;
  c.next_pc = c.pc + branch_offset<25, 0>(insn);
}

void exec_b_cond(Core& c, uint32_t insn) {
  if (c.condition_holds(insn & 15)) c.next_pc = c.pc + branch_offset<23, 5>(insn);
}

template <bool NonZero>
void compare_branch(Core& c, uint32_t insn) {
  uint64_t v = c.xreg(alu::rd(insn));
  if (!alu::sf(insn)) v = static_cast<uint32_t>(v);
  if ((v != 0) == NonZero) c.next_pc = c.pc + branch_offset<23, 5>(insn);
}

template <bool NonZero>
void test_branch(Core& c, uint32_t insn) {
  unsigned bit_pos = static_cast<unsigned>(bit(insn, 31) << 5 | bits(insn, 23, 19));
  if (bit(c.xreg(alu::rd(insn)), bit_pos) == NonZero) c.next_pc = c.pc + branch_offset<18, 5>(insn);
}

void exec_br(Core& c, uint32_t insn) {
  c.next_pc = c.xreg(alu::rn(insn));
}

void exec_blr(Core& c, uint32_t insn) {
  uint64_t target = c.xreg(alu::rn(insn));  // read before the link (BLR X30)
  c.x[30] = c.pc + 4;
  c.next_pc = target;
}

}  // namespace

void register_branches(HandlerTable& t) {
  t[Op::B] = &exec_b;
  t[Op::BL] = &exec_bl;
  t[Op::B_cond] = &exec_b_cond;
  t[Op::CBZ] = &compare_branch<false>;
  t[Op::CBNZ] = &compare_branch<true>;
  t[Op::TBZ] = &test_branch<false>;
  t[Op::TBNZ] = &test_branch<true>;
  t[Op::BR] = &exec_br;
  t[Op::BLR] = &exec_blr;
  t[Op::RET] = &exec_br;  // RET differs from BR only in its branch-type hint
}

}  // namespace vmapple::arm64
