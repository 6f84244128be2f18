#pragma once
// Encoders for the few A64 instructions the test harnesses emit themselves
// (register load/store stubs, syscalls, branches). Written from the Arm ARM
// encoding diagrams; a64_asm_test.cc checks each against objdump.
#include <cstdint>

namespace vmapple::arm64::test::a64 {

// ADRP Xd, label (page of `target` relative to the page of `pc`).
constexpr uint32_t adrp(unsigned rd, uint64_t pc, uint64_t target) {
  int64_t pages = static_cast<int64_t>((target >> 12) - (pc >> 12));
  auto imm = static_cast<uint32_t>(pages) & 0x1fffff;
  return 0x90000000u | (imm & 3) << 29 | (imm >> 2) << 5 | rd;
}
// ADD Xd|SP, Xn|SP, #imm12
constexpr uint32_t add_imm(unsigned rd, unsigned rn, unsigned imm12) {
  return 0x91000000u | imm12 << 10 | rn << 5 | rd;
}
// LDP/STP Xt1, Xt2, [Xn|SP, #offset] (offset a multiple of 8 in [-512, 504]).
constexpr uint32_t ldp_x(unsigned rt1, unsigned rt2, unsigned rn, int offset) {
  return 0xa9400000u | (static_cast<uint32_t>(offset / 8) & 0x7f) << 15 | rt2 << 10 | rn << 5 | rt1;
}
constexpr uint32_t stp_x(unsigned rt1, unsigned rt2, unsigned rn, int offset) {
  return 0xa9000000u | (static_cast<uint32_t>(offset / 8) & 0x7f) << 15 | rt2 << 10 | rn << 5 | rt1;
}
// LDP/STP Qt1, Qt2, [Xn|SP, #offset] (offset a multiple of 16 in [-1024, 1008]).
constexpr uint32_t ldp_q(unsigned rt1, unsigned rt2, unsigned rn, int offset) {
  return 0xad400000u | (static_cast<uint32_t>(offset / 16) & 0x7f) << 15 | rt2 << 10 | rn << 5 |
         rt1;
}
constexpr uint32_t stp_q(unsigned rt1, unsigned rt2, unsigned rn, int offset) {
  return 0xad000000u | (static_cast<uint32_t>(offset / 16) & 0x7f) << 15 | rt2 << 10 | rn << 5 |
         rt1;
}
// LDR/STR Xt, [Xn|SP, #offset] (unsigned offset, a multiple of 8).
constexpr uint32_t ldr_x(unsigned rt, unsigned rn, unsigned offset) {
  return 0xf9400000u | (offset / 8) << 10 | rn << 5 | rt;
}
constexpr uint32_t str_x(unsigned rt, unsigned rn, unsigned offset) {
  return 0xf9000000u | (offset / 8) << 10 | rn << 5 | rt;
}
// LDR/STR Wt, [Xn|SP, #offset] (unsigned offset, a multiple of 4).
constexpr uint32_t ldr_w(unsigned rt, unsigned rn, unsigned offset) {
  return 0xb9400000u | (offset / 4) << 10 | rn << 5 | rt;
}
constexpr uint32_t str_w(unsigned rt, unsigned rn, unsigned offset) {
  return 0xb9000000u | (offset / 4) << 10 | rn << 5 | rt;
}
// MOVZ/MOVK Xd, #imm16, LSL #(16 * hw)
constexpr uint32_t movz(unsigned rd, unsigned imm16, unsigned hw = 0) {
  return 0xd2800000u | hw << 21 | (imm16 & 0xffff) << 5 | rd;
}
constexpr uint32_t movk(unsigned rd, unsigned imm16, unsigned hw = 0) {
  return 0xf2800000u | hw << 21 | (imm16 & 0xffff) << 5 | rd;
}
// MRS/MSR of NZCV and TPIDR_EL0 (op0=3, op1=3).
constexpr uint32_t mrs_nzcv(unsigned rt) {
  return 0xd53b4200u | rt;
}
constexpr uint32_t msr_nzcv(unsigned rt) {
  return 0xd51b4200u | rt;
}
// MRS/MSR of FPCR and FPSR.
constexpr uint32_t mrs_fpcr(unsigned rt) {
  return 0xd53b4400u | rt;
}
constexpr uint32_t msr_fpcr(unsigned rt) {
  return 0xd51b4400u | rt;
}
constexpr uint32_t mrs_fpsr(unsigned rt) {
  return 0xd53b4420u | rt;
}
constexpr uint32_t msr_fpsr(unsigned rt) {
  return 0xd51b4420u | rt;
}
constexpr uint32_t mrs_tpidr_el0(unsigned rt) {
  return 0xd53bd040u | rt;
}
constexpr uint32_t msr_tpidr_el0(unsigned rt) {
  return 0xd51bd040u | rt;
}
constexpr uint32_t svc(unsigned imm16) {
  return 0xd4000001u | imm16 << 5;
}
// B label
constexpr uint32_t b(uint64_t pc, uint64_t target) {
  return 0x14000000u | (static_cast<uint32_t>((target - pc) >> 2) & 0x3ffffff);
}
constexpr uint32_t nop() {
  return 0xd503201fu;
}

}  // namespace vmapple::arm64::test::a64
