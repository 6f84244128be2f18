#pragma once
// Specialised forms of the most frequent A64 instructions, chosen when a
// decoded slot is filled (decode_cache.cc) and executed inline by the run
// loop (interp_vcpu.cc) without a call through the handler table.
//
// A form fixes at decode time what the generic handler decides on every
// execution: the width (sf), whether register 31 is SP, XZR or a discarded
// destination, whether there is a shift, the access size. Encodings whose
// corner cases a form does not cover (a W form with SP, a load into XZR,
// writeback onto the transfer register, ...) stay on the generic
// `void(Core&, uint32_t)` handler; the forms never change architectural
// results (fast_ops_test compares every form with the generic handler).
//
// The bodies are always inlined: the run loop's switch is their only hot
// caller, and a call would cost as much as the body.
//
// Three kinds, which differ in what the run loop must do around them:
//  - ALU: cannot fault and does not read PC; runs with Core::pc stale.
//  - MEM: may take an exception or leave with VmmExit; the loop stores pc and
//    next_pc first, and the body writes registers only after its accesses.
//  - BRANCH: returns the next PC (pc + 4 when not taken); reads PC from its
//    argument, never from Core. ADR/ADRP are of this kind because they
//    read PC.
#include <bit>
#include <cstdint>

#include "base/bits.h"
#include "cpu/arm64/conditions.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/exec/alu.h"
#include "cpu/arm64/exec/loads_stores.h"
#include "cpu/arm64/mmu.h"

namespace vmapple::arm64 {

enum class Op : uint16_t;

namespace fast {

using alu::UInt;

[[gnu::always_inline]] inline unsigned rd(uint32_t i) {
  return i & 31;
}
[[gnu::always_inline]] inline unsigned rn(uint32_t i) {
  return i >> 5 & 31;
}
[[gnu::always_inline]] inline unsigned rm(uint32_t i) {
  return i >> 16 & 31;
}

// --- flags ----------------------------------------------------------------

template <bool Is64>
[[gnu::always_inline]] inline uint32_t nz(UInt<Is64> r) {
  return alu::nz_flags<Is64>(r);
}
// NZCV of x - y = r (AddWithCarry(x, NOT(y), 1)): C is "no borrow".
template <bool Is64>
[[gnu::always_inline]] inline uint32_t sub_flags(UInt<Is64> x, UInt<Is64> y, UInt<Is64> r) {
  constexpr unsigned top = alu::kWidth<Is64> - 1;
  const auto v = static_cast<uint32_t>(((x ^ y) & (x ^ r)) >> top);
  return nz<Is64>(r) | uint32_t{x >= y} << 29 | v << 28;
}
// NZCV of x + y = r.
template <bool Is64>
[[gnu::always_inline]] inline uint32_t add_flags(UInt<Is64> x, UInt<Is64> y, UInt<Is64> r) {
  constexpr unsigned top = alu::kWidth<Is64> - 1;
  const auto v = static_cast<uint32_t>((~(x ^ y) & (x ^ r)) >> top);
  return nz<Is64>(r) | uint32_t{r < x} << 29 | v << 28;
}

// --- ALU --------------------------------------------------------------------

// ADD/SUB (immediate) without flags; Rd and Rn 31 are SP, fixed per form.
template <bool Is64, bool Sub, bool RdSp, bool RnSp>
[[gnu::always_inline]] inline void add_sub_imm(Core& c, uint32_t insn) {
  const auto imm = static_cast<UInt<Is64>>(bits(insn, 21, 10) << (bit(insn, 22) ? 12 : 0));
  const auto x = static_cast<UInt<Is64>>(RnSp ? c.sp : c.x[rn(insn)]);
  const UInt<Is64> r = Sub ? x - imm : x + imm;
  if constexpr (RdSp)
    c.sp = r;
  else
    c.x[rd(insn)] = r;
}

// ADDS/SUBS (immediate) with Rn not SP; Discard: Rd is XZR (CMP/CMN).
template <bool Is64, bool Sub, bool Discard>
[[gnu::always_inline]] inline void add_sub_imm_flags(Core& c, uint32_t insn) {
  const auto imm = static_cast<UInt<Is64>>(bits(insn, 21, 10) << (bit(insn, 22) ? 12 : 0));
  const auto x = static_cast<UInt<Is64>>(c.x[rn(insn)]);
  const UInt<Is64> r = Sub ? x - imm : x + imm;
  c.nzcv = Sub ? sub_flags<Is64>(x, imm, r) : add_flags<Is64>(x, imm, r);
  if constexpr (!Discard) c.x[rd(insn)] = r;
}

// The shifted-register operand; Rn and Rm 31 read x[31] == 0 (XZR).
template <bool Is64, bool Shifted>
[[gnu::always_inline]] inline UInt<Is64> operand2(const Core& c, uint32_t insn) {
  const auto m = static_cast<UInt<Is64>>(c.x[rm(insn)]);
  if constexpr (!Shifted) return m;
  return alu::shift_reg<Is64>(m, bits(insn, 23, 22), bits(insn, 15, 10));
}

// ADD/SUB/ADDS/SUBS (shifted register); Discard: Rd is XZR.
template <bool Is64, bool Sub, bool Flags, bool Shifted, bool Discard>
[[gnu::always_inline]] inline void add_sub_shift(Core& c, uint32_t insn) {
  const UInt<Is64> y = operand2<Is64, Shifted>(c, insn);
  const auto x = static_cast<UInt<Is64>>(c.x[rn(insn)]);
  const UInt<Is64> r = Sub ? x - y : x + y;
  if constexpr (Flags) c.nzcv = Sub ? sub_flags<Is64>(x, y, r) : add_flags<Is64>(x, y, r);
  if constexpr (!Discard) c.x[rd(insn)] = r;
}

enum class Logic : uint8_t { kAnd, kOrr, kEor, kBic, kAnds };

template <bool Is64, Logic L>
[[gnu::always_inline]] inline UInt<Is64> logic(UInt<Is64> x, UInt<Is64> y) {
  if constexpr (L == fast::Logic::kOrr) return x | y;
  if constexpr (L == fast::Logic::kEor) return x ^ y;
  if constexpr (L == fast::Logic::kBic) return x & static_cast<UInt<Is64>>(~y);
  return x & y;
}

// AND/ORR/EOR/BIC/ANDS (shifted register); Discard: ANDS with Rd XZR (TST).
template <bool Is64, Logic L, bool Shifted, bool Discard>
[[gnu::always_inline]] inline void logical_shift(Core& c, uint32_t insn) {
  const UInt<Is64> r =
      logic<Is64, L>(static_cast<UInt<Is64>>(c.x[rn(insn)]), operand2<Is64, Shifted>(c, insn));
  if constexpr (L == fast::Logic::kAnds) c.nzcv = nz<Is64>(r);
  if constexpr (!Discard) c.x[rd(insn)] = r;
}

// MOV (register): ORR Rd, XZR, Rm without shift.
template <bool Is64>
[[gnu::always_inline]] inline void mov_reg(Core& c, uint32_t insn) {
  c.x[rd(insn)] = static_cast<UInt<Is64>>(c.x[rm(insn)]);
}

// AND/ORR/EOR/ANDS (immediate) with Rd not SP; Discard: ANDS into XZR (TST).
template <bool Is64, Logic L, bool Discard>
[[gnu::always_inline]] inline void logical_imm(Core& c, uint32_t insn) {
  const auto imm = static_cast<UInt<Is64>>(alu::logical_immediate(insn));
  const UInt<Is64> r = logic<Is64, L>(static_cast<UInt<Is64>>(c.x[rn(insn)]), imm);
  if constexpr (L == fast::Logic::kAnds) c.nzcv = nz<Is64>(r);
  if constexpr (!Discard) c.x[rd(insn)] = r;
}

[[gnu::always_inline]] inline uint64_t wide_immediate(uint32_t insn) {
  return bits(insn, 20, 5) << (bits(insn, 22, 21) * 16);
}
[[gnu::always_inline]] inline void movz(Core& c, uint32_t insn) {
  c.x[rd(insn)] = wide_immediate(insn);
}
template <bool Is64>
[[gnu::always_inline]] inline void movn(Core& c, uint32_t insn) {
  c.x[rd(insn)] = static_cast<UInt<Is64>>(~wide_immediate(insn));
}
template <bool Is64>
[[gnu::always_inline]] inline void movk(Core& c, uint32_t insn) {
  const uint64_t keep = ~(uint64_t{0xffff} << (bits(insn, 22, 21) * 16));
  c.x[rd(insn)] = static_cast<UInt<Is64>>((c.x[rd(insn)] & keep) | wide_immediate(insn));
}

// SBFM/UBFM as two shifts: the field's top bit (imms) goes to the top of the
// register, then an arithmetic (SBFM) or logical (UBFM) shift right moves
// the field to bit 0 (imms >= immr: SBFX/UBFX/ASR/LSR/SXT*/UXT*) or to bit
// datasize - immr (imms < immr: SBFIZ/UBFIZ/LSL), filling sign or zeros.
template <bool Is64, bool Signed>
[[gnu::always_inline]] inline void bitfield_move(Core& c, uint32_t insn) {
  constexpr unsigned width = alu::kWidth<Is64>;
  const auto immr = static_cast<unsigned>(bits(insn, 21, 16));
  const auto imms = static_cast<unsigned>(bits(insn, 15, 10));
  const unsigned left = width - 1 - imms;
  const unsigned right = imms >= immr ? left + immr : immr - imms - 1;
  const auto v = static_cast<UInt<Is64>>(static_cast<UInt<Is64>>(c.x[rn(insn)]) << left);
  UInt<Is64> r;
  if constexpr (Signed)
    r = static_cast<UInt<Is64>>(static_cast<alu::SInt<Is64>>(v) >> right);
  else
    r = v >> right;
  c.x[rd(insn)] = r;
}

// CSEL/CSINC/CSINV/CSNEG with Rd not XZR (a select compiles to a cmov).
enum class Select : uint8_t { kSel, kInc, kInv, kNeg };

template <bool Is64, Select S>
[[gnu::always_inline]] inline void cond_select(Core& c, uint32_t insn) {
  const auto n = static_cast<UInt<Is64>>(c.x[rn(insn)]);
  auto m = static_cast<UInt<Is64>>(c.x[rm(insn)]);
  if constexpr (S == Select::kInc) m = static_cast<UInt<Is64>>(m + 1);
  if constexpr (S == Select::kInv) m = static_cast<UInt<Is64>>(~m);
  if constexpr (S == Select::kNeg) m = static_cast<UInt<Is64>>(0 - m);
  c.x[rd(insn)] = condition_holds(c.nzcv, insn >> 12 & 15) ? n : m;
}

// MADD/MSUB (MUL, MNEG) with Rd not XZR; Ra 31 reads XZR.
template <bool Is64, bool Sub>
[[gnu::always_inline]] inline void multiply_add(Core& c, uint32_t insn) {
  const auto a = static_cast<UInt<Is64>>(c.x[insn >> 10 & 31]);
  const auto p = static_cast<UInt<Is64>>(static_cast<UInt<Is64>>(c.x[rn(insn)]) *
                                         static_cast<UInt<Is64>>(c.x[rm(insn)]));
  c.x[rd(insn)] = static_cast<UInt<Is64>>(Sub ? a - p : a + p);
}

[[gnu::always_inline]] inline void nop(Core&, uint32_t) {}

// --- branches ------------------------------------------------------------------

template <unsigned Hi, unsigned Lo>
[[gnu::always_inline]] inline uint64_t offset(uint32_t insn) {
  constexpr unsigned width = Hi - Lo + 1;
  const uint64_t imm = bits(insn, Hi, Lo);
  return static_cast<uint64_t>(static_cast<int64_t>(imm << (64 - width)) >> (62 - width));
}

// ADR/ADRP with Rd not XZR: not branches, but they read PC, so they are of
// this kind and return pc + 4.
template <bool Page>
[[gnu::always_inline]] inline uint64_t adr(Core& c, uint32_t insn, uint64_t pc) {
  const uint64_t imm = bits(insn, 23, 5) << 2 | bits(insn, 30, 29);
  const auto offset = static_cast<uint64_t>(static_cast<int64_t>(imm << 43) >> 43);
  c.x[rd(insn)] = Page ? (pc & ~uint64_t{0xfff}) + (offset << 12) : pc + offset;
  return pc + 4;
}

[[gnu::always_inline]] inline uint64_t b(Core&, uint32_t insn, uint64_t pc) {
  return pc + offset<25, 0>(insn);
}
[[gnu::always_inline]] inline uint64_t bl(Core& c, uint32_t insn, uint64_t pc) {
  c.x[30] = pc + 4;
  return pc + offset<25, 0>(insn);
}
[[gnu::always_inline]] inline uint64_t b_cond(Core& c, uint32_t insn, uint64_t pc) {
  return condition_holds(c.nzcv, insn & 15) ? pc + offset<23, 5>(insn) : pc + 4;
}
template <bool Is64, bool NonZero>
[[gnu::always_inline]] inline uint64_t cbz(Core& c, uint32_t insn, uint64_t pc) {
  const auto v = static_cast<UInt<Is64>>(c.x[rd(insn)]);
  return (v != 0) == NonZero ? pc + offset<23, 5>(insn) : pc + 4;
}
template <bool NonZero>
[[gnu::always_inline]] inline uint64_t tbz(Core& c, uint32_t insn, uint64_t pc) {
  const unsigned pos = (insn >> 26 & 32) | (insn >> 19 & 31);
  return bit(c.x[rd(insn)], pos) == NonZero ? pc + offset<18, 5>(insn) : pc + 4;
}
// BR and RET (Rn 31 reads XZR).
[[gnu::always_inline]] inline uint64_t br(Core& c, uint32_t insn, uint64_t) {
  return c.x[rn(insn)];
}
[[gnu::always_inline]] inline uint64_t blr(Core& c, uint32_t insn, uint64_t pc) {
  const uint64_t target = c.x[rn(insn)];  // before the link: BLR X30
  c.x[30] = pc + 4;
  return target;
}

// --- loads and stores ---------------------------------------------------------------

template <unsigned Bytes>
using Mem = ldst::uint_t<Bytes>;
template <unsigned Bytes>
inline constexpr unsigned kScale = std::countr_zero(Bytes);

// The base register: SP (with its alignment check) or X[n], fixed per form.
template <bool BaseSp>
[[gnu::always_inline]] inline uint64_t base(Core& c, uint32_t insn) {
  if constexpr (BaseSp) return ldst::base_register(c, 31);
  return c.x[rn(insn)];
}

// LDR/STR (unsigned offset), zero-extending loads; a load's Rt is not XZR.
template <unsigned Bytes, bool Load, bool BaseSp>
[[gnu::always_inline]] inline void ldst_uoff(Core& c, uint32_t insn) {
  const uint64_t a = base<BaseSp>(c, insn) + (bits(insn, 21, 10) << kScale<Bytes>);
  if constexpr (Load)
    c.x[rd(insn)] = c.mmu->load<Mem<Bytes>>(a);
  else
    c.mmu->store<Mem<Bytes>>(a, static_cast<Mem<Bytes>>(c.x[rd(insn)]));
}

// LDR/STR (register offset) with a base other than SP.
template <unsigned Bytes, bool Load>
[[gnu::always_inline]] inline void ldst_reg(Core& c, uint32_t insn) {
  const uint64_t a = c.x[rn(insn)] + ldst::register_offset(c, insn, kScale<Bytes>);
  if constexpr (Load)
    c.x[rd(insn)] = c.mmu->load<Mem<Bytes>>(a);
  else
    c.mmu->store<Mem<Bytes>>(a, static_cast<Mem<Bytes>>(c.x[rd(insn)]));
}

// LDR/STR (immediate, pre/post-index) with Rn not SP and Rt != Rn.
template <unsigned Bytes, bool Load, bool Pre>
[[gnu::always_inline]] inline void ldst_index(Core& c, uint32_t insn) {
  const uint64_t old = c.x[rn(insn)];
  const uint64_t updated = old + static_cast<uint64_t>(ldst::sign_extend(bits(insn, 20, 12), 9));
  const uint64_t a = Pre ? updated : old;
  if constexpr (Load)
    c.x[rd(insn)] = c.mmu->load<Mem<Bytes>>(a);
  else
    c.mmu->store<Mem<Bytes>>(a, static_cast<Mem<Bytes>>(c.x[rd(insn)]));
  c.x[rn(insn)] = updated;
}

enum class Pair : uint8_t { kOffset, kPre, kPost };

// LDP/STP of X registers; loads have distinct Rt, Rt2 (not XZR) and no
// writeback onto them, stores no writeback onto a transfer register.
template <bool Load, Pair P, bool BaseSp>
[[gnu::always_inline]] inline void ldst_pair(Core& c, uint32_t insn) {
  const uint64_t old = base<BaseSp>(c, insn);
  const uint64_t updated =
      old + (static_cast<uint64_t>(ldst::sign_extend(bits(insn, 21, 15), 7)) << 3);
  const uint64_t a = P == fast::Pair::kPost ? old : updated;
  const unsigned t = rd(insn), t2 = insn >> 10 & 31;
  if constexpr (Load) {
    const auto [first, second] = c.mmu->load_pair<uint64_t>(a);
    c.x[t] = first;
    c.x[t2] = second;
  } else {
    c.mmu->store_pair<uint64_t>(a, c.x[t], c.x[t2]);
  }
  if constexpr (P != fast::Pair::kOffset) {
    if constexpr (BaseSp)
      c.sp = updated;
    else
      c.x[rn(insn)] = updated;
  }
}

// --- the list ---------------------------------------------------------------------

// X(name, body...) per kind (the body is a template-id with commas, hence
// variadic). The ids are the slot's 8-bit form field.
#define VMAPPLE_FAST_ALU(X)                                            \
  X(kAddImm, add_sub_imm<true, false, false, false>)                   \
  X(kAddImmSpD, add_sub_imm<true, false, true, false>)                 \
  X(kAddImmSpN, add_sub_imm<true, false, false, true>)                 \
  X(kAddImmSpDN, add_sub_imm<true, false, true, true>)                 \
  X(kAddImmW, add_sub_imm<false, false, false, false>)                 \
  X(kSubImm, add_sub_imm<true, true, false, false>)                    \
  X(kSubImmSpD, add_sub_imm<true, true, true, false>)                  \
  X(kSubImmSpN, add_sub_imm<true, true, false, true>)                  \
  X(kSubImmSpDN, add_sub_imm<true, true, true, true>)                  \
  X(kSubImmW, add_sub_imm<false, true, false, false>)                  \
  X(kAddsImm, add_sub_imm_flags<true, false, false>)                   \
  X(kAddsImmW, add_sub_imm_flags<false, false, false>)                 \
  X(kCmnImm, add_sub_imm_flags<true, false, true>)                     \
  X(kCmnImmW, add_sub_imm_flags<false, false, true>)                   \
  X(kSubsImm, add_sub_imm_flags<true, true, false>)                    \
  X(kSubsImmW, add_sub_imm_flags<false, true, false>)                  \
  X(kCmpImm, add_sub_imm_flags<true, true, true>)                      \
  X(kCmpImmW, add_sub_imm_flags<false, true, true>)                    \
  X(kAddReg, add_sub_shift<true, false, false, false, false>)          \
  X(kAddRegW, add_sub_shift<false, false, false, false, false>)        \
  X(kAddShift, add_sub_shift<true, false, false, true, false>)         \
  X(kAddShiftW, add_sub_shift<false, false, false, true, false>)       \
  X(kSubReg, add_sub_shift<true, true, false, false, false>)           \
  X(kSubRegW, add_sub_shift<false, true, false, false, false>)         \
  X(kSubShift, add_sub_shift<true, true, false, true, false>)          \
  X(kSubShiftW, add_sub_shift<false, true, false, true, false>)        \
  X(kAddsReg, add_sub_shift<true, false, true, false, false>)          \
  X(kAddsRegW, add_sub_shift<false, false, true, false, false>)        \
  X(kSubsReg, add_sub_shift<true, true, true, false, false>)           \
  X(kSubsRegW, add_sub_shift<false, true, true, false, false>)         \
  X(kSubsShift, add_sub_shift<true, true, true, true, false>)          \
  X(kSubsShiftW, add_sub_shift<false, true, true, true, false>)        \
  X(kCmnReg, add_sub_shift<true, false, true, false, true>)            \
  X(kCmnRegW, add_sub_shift<false, false, true, false, true>)          \
  X(kCmpReg, add_sub_shift<true, true, true, false, true>)             \
  X(kCmpRegW, add_sub_shift<false, true, true, false, true>)           \
  X(kCmpShift, add_sub_shift<true, true, true, true, true>)            \
  X(kCmpShiftW, add_sub_shift<false, true, true, true, true>)          \
  X(kAndReg, logical_shift<true, fast::Logic::kAnd, false, false>)     \
  X(kAndRegW, logical_shift<false, fast::Logic::kAnd, false, false>)   \
  X(kAndShift, logical_shift<true, fast::Logic::kAnd, true, false>)    \
  X(kAndShiftW, logical_shift<false, fast::Logic::kAnd, true, false>)  \
  X(kOrrReg, logical_shift<true, fast::Logic::kOrr, false, false>)     \
  X(kOrrRegW, logical_shift<false, fast::Logic::kOrr, false, false>)   \
  X(kOrrShift, logical_shift<true, fast::Logic::kOrr, true, false>)    \
  X(kOrrShiftW, logical_shift<false, fast::Logic::kOrr, true, false>)  \
  X(kEorReg, logical_shift<true, fast::Logic::kEor, false, false>)     \
  X(kEorRegW, logical_shift<false, fast::Logic::kEor, false, false>)   \
  X(kEorShift, logical_shift<true, fast::Logic::kEor, true, false>)    \
  X(kEorShiftW, logical_shift<false, fast::Logic::kEor, true, false>)  \
  X(kBicReg, logical_shift<true, fast::Logic::kBic, false, false>)     \
  X(kBicRegW, logical_shift<false, fast::Logic::kBic, false, false>)   \
  X(kAndsReg, logical_shift<true, fast::Logic::kAnds, false, false>)   \
  X(kAndsRegW, logical_shift<false, fast::Logic::kAnds, false, false>) \
  X(kTstReg, logical_shift<true, fast::Logic::kAnds, false, true>)     \
  X(kTstRegW, logical_shift<false, fast::Logic::kAnds, false, true>)   \
  X(kMovReg, mov_reg<true>)                                            \
  X(kMovRegW, mov_reg<false>)                                          \
  X(kAndImm, logical_imm<true, fast::Logic::kAnd, false>)              \
  X(kAndImmW, logical_imm<false, fast::Logic::kAnd, false>)            \
  X(kOrrImm, logical_imm<true, fast::Logic::kOrr, false>)              \
  X(kOrrImmW, logical_imm<false, fast::Logic::kOrr, false>)            \
  X(kEorImm, logical_imm<true, fast::Logic::kEor, false>)              \
  X(kEorImmW, logical_imm<false, fast::Logic::kEor, false>)            \
  X(kAndsImm, logical_imm<true, fast::Logic::kAnds, false>)            \
  X(kAndsImmW, logical_imm<false, fast::Logic::kAnds, false>)          \
  X(kTstImm, logical_imm<true, fast::Logic::kAnds, true>)              \
  X(kTstImmW, logical_imm<false, fast::Logic::kAnds, true>)            \
  X(kMovz, movz)                                                       \
  X(kMovn, movn<true>)                                                 \
  X(kMovnW, movn<false>)                                               \
  X(kMovk, movk<true>)                                                 \
  X(kMovkW, movk<false>)                                               \
  X(kSbfm, bitfield_move<true, true>)                                  \
  X(kSbfmW, bitfield_move<false, true>)                                \
  X(kUbfm, bitfield_move<true, false>)                                 \
  X(kUbfmW, bitfield_move<false, false>)                               \
  X(kCsel, cond_select<true, fast::Select::kSel>)                      \
  X(kCselW, cond_select<false, fast::Select::kSel>)                    \
  X(kCsinc, cond_select<true, fast::Select::kInc>)                     \
  X(kCsincW, cond_select<false, fast::Select::kInc>)                   \
  X(kCsinv, cond_select<true, fast::Select::kInv>)                     \
  X(kCsinvW, cond_select<false, fast::Select::kInv>)                   \
  X(kCsneg, cond_select<true, fast::Select::kNeg>)                     \
  X(kCsnegW, cond_select<false, fast::Select::kNeg>)                   \
  X(kMadd, multiply_add<true, false>)                                  \
  X(kMaddW, multiply_add<false, false>)                                \
  X(kMsub, multiply_add<true, true>)                                   \
  X(kMsubW, multiply_add<false, true>)                                 \
  X(kNop, nop)

#define VMAPPLE_FAST_BRANCH(X) \
  X(kAdr, adr<false>)          \
  X(kAdrp, adr<true>)          \
  X(kB, b)                     \
  X(kBl, bl)                   \
  X(kBCond, b_cond)            \
  X(kCbz, cbz<true, false>)    \
  X(kCbzW, cbz<false, false>)  \
  X(kCbnz, cbz<true, true>)    \
  X(kCbnzW, cbz<false, true>)  \
  X(kTbz, tbz<false>)          \
  X(kTbnz, tbz<true>)          \
  X(kBr, br)                   \
  X(kBlr, blr)

#define VMAPPLE_FAST_MEM(X)                               \
  X(kLdrX, ldst_uoff<8, true, false>)                     \
  X(kLdrXSp, ldst_uoff<8, true, true>)                    \
  X(kLdrW, ldst_uoff<4, true, false>)                     \
  X(kLdrWSp, ldst_uoff<4, true, true>)                    \
  X(kLdrH, ldst_uoff<2, true, false>)                     \
  X(kLdrB, ldst_uoff<1, true, false>)                     \
  X(kStrX, ldst_uoff<8, false, false>)                    \
  X(kStrXSp, ldst_uoff<8, false, true>)                   \
  X(kStrW, ldst_uoff<4, false, false>)                    \
  X(kStrWSp, ldst_uoff<4, false, true>)                   \
  X(kStrH, ldst_uoff<2, false, false>)                    \
  X(kStrB, ldst_uoff<1, false, false>)                    \
  X(kLdrXReg, ldst_reg<8, true>)                          \
  X(kLdrWReg, ldst_reg<4, true>)                          \
  X(kLdrBReg, ldst_reg<1, true>)                          \
  X(kStrXReg, ldst_reg<8, false>)                         \
  X(kStrWReg, ldst_reg<4, false>)                         \
  X(kStrBReg, ldst_reg<1, false>)                         \
  X(kLdrXPost, ldst_index<8, true, false>)                \
  X(kLdrWPost, ldst_index<4, true, false>)                \
  X(kStrXPost, ldst_index<8, false, false>)               \
  X(kStrWPost, ldst_index<4, false, false>)               \
  X(kLdrXPre, ldst_index<8, true, true>)                  \
  X(kStrXPre, ldst_index<8, false, true>)                 \
  X(kLdp, ldst_pair<true, fast::Pair::kOffset, false>)    \
  X(kLdpSp, ldst_pair<true, fast::Pair::kOffset, true>)   \
  X(kLdpPostSp, ldst_pair<true, fast::Pair::kPost, true>) \
  X(kStp, ldst_pair<false, fast::Pair::kOffset, false>)   \
  X(kStpSp, ldst_pair<false, fast::Pair::kOffset, true>)  \
  X(kStpPreSp, ldst_pair<false, fast::Pair::kPre, true>)

enum Id : uint8_t {
  kNone = 0,
#define VMAPPLE_FAST_ID(name, ...) name,
  VMAPPLE_FAST_ALU(VMAPPLE_FAST_ID) VMAPPLE_FAST_BRANCH(VMAPPLE_FAST_ID)
      VMAPPLE_FAST_MEM(VMAPPLE_FAST_ID)
#undef VMAPPLE_FAST_ID
          kCount
};
static_assert(kCount <= 256, "the slot holds an 8-bit form id");

// The form for a decoded instruction, or kNone: the generic handler runs.
uint8_t specialise(Op op, uint32_t insn);

// Runs form `id` on `c` exactly as the run loop does (pc = the
// instruction's address; leaves next_pc), for tests. id must not be kNone.
void step(uint8_t id, Core& c, uint32_t insn);

// The form's name ("kAddImm"), for test messages.
const char* name(uint8_t id);

}  // namespace fast
}  // namespace vmapple::arm64
