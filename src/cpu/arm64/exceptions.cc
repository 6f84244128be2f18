// Exception entry and return at EL1 (Arm ARM D1.10, D1.11), PSTATE as an
// SPSR value, and the stack-pointer banking of EL0/EL1. There is no EL2/EL3:
// every exception is taken to EL1.
#include "cpu/arm64/core.h"

namespace vmapple::arm64 {

namespace {

// SPSR_EL1 fields that exist with our ID register values (scope §2).
constexpr uint64_t kSpsrNzcv = 0xf0000000;
constexpr uint64_t kSpsrSs = 1u << 21;
constexpr uint64_t kSpsrIl = 1u << 20;
constexpr uint64_t kSpsrDaif = 0x3c0;
constexpr uint64_t kSpsrM4 = 1u << 4;  // nRW: return to AArch32
constexpr uint64_t kMdscrSs = 1u << 0;

// Vector table offsets: the group by where the exception comes from, plus
// 0x80 per kind (sync, IRQ, FIQ, SError).
constexpr uint64_t kVectorCurrentSp0 = 0x000;
constexpr uint64_t kVectorCurrentSpx = 0x200;
constexpr uint64_t kVectorLowerA64 = 0x400;

// An ERET target (SPSR.M) this PE cannot return to from `current_el`
// (Arm ARM D1.11.4 "Illegal return events from AArch64 state").
bool illegal_return(uint64_t spsr, unsigned current_el) {
  if (spsr & kSpsrM4) return true;  // AArch32 is not implemented
  unsigned target_el = bits(spsr, 3, 2);
  if (target_el > 1) return true;  // EL2/EL3 are not implemented
  if (target_el > current_el) return true;
  if (bit(spsr, 1)) return true;                    // reserved M[1]
  if (target_el == 0 && bit(spsr, 0)) return true;  // "EL0h" does not exist
  return false;
}

// The PC an ERET branches to: with TBI for the half the address selects,
// the top byte is replaced by copies of bit 55 (AArch64.BranchAddr).
uint64_t branch_addr(const SysRegs& s, uint64_t va) {
  constexpr uint64_t kTbi0 = 1ull << 37, kTbi1 = 1ull << 38;
  bool tbi = bit(va, 55) ? (s.tcr & kTbi1) : (s.tcr & kTbi0);
  if (!tbi) return va;
  return static_cast<uint64_t>(static_cast<int64_t>(va << 8) >> 8);
}

}  // namespace

uint64_t Core::pstate() const {
  return (nzcv & kSpsrNzcv) | (pstate_ss ? kSpsrSs : 0) | (pstate_il ? kSpsrIl : 0) |
         (daif & kSpsrDaif) | uint64_t{el} << 2 | (spsel ? 1u : 0u);
}

bool Core::set_pstate(uint64_t spsr) {
  // Flags, masks and SS come from the SPSR even when the return is illegal;
  // EL, SP and the execution state then stay as they are and IL is set.
  nzcv = static_cast<uint32_t>(spsr & kSpsrNzcv);
  daif = static_cast<uint32_t>(spsr & kSpsrDaif);
  // Without self-hosted software step (MDSCR_EL1.SS) PSTATE.SS is 0.
  pstate_ss = (spsr & kSpsrSs) && (sys.mdscr & kMdscrSs);
  if (illegal_return(spsr, el)) {
    pstate_il = true;
    return false;
  }
  pstate_il = spsr & kSpsrIl;
  select_sp(static_cast<unsigned>(bits(spsr, 3, 2)), bit(spsr, 0));
  return true;
}

void Core::select_sp(unsigned new_el, bool new_spsel) {
  bool old_sp0 = el == 0 || !spsel;
  (old_sp0 ? banked_sp_el0 : banked_sp_el1) = sp;
  el = new_el;
  spsel = new_spsel;
  sp = el == 0 || !spsel ? banked_sp_el0 : banked_sp_el1;
}

namespace {

// The common part of every exception entry; `next_pc` becomes the vector.
void enter_el1(Core& c, ExceptionKind kind, uint64_t return_pc) {
  uint64_t group = c.el == 0 ? kVectorLowerA64 : (c.spsel ? kVectorCurrentSpx : kVectorCurrentSp0);
  c.sys.spsr = c.pstate();
  c.sys.elr = return_pc;
  c.select_sp(1, true);
  c.daif = 0x3c0;
  c.pstate_il = false;
  c.pstate_ss = false;
  c.clear_exclusive();
  c.next_pc = c.sys.vbar + group + 0x80 * static_cast<uint64_t>(kind);
  c.end_block = true;
}

uint64_t syndrome(uint32_t exception_class, uint32_t iss) {
  // IL = 1: every A64 instruction is 32 bits (and IL is RES1 otherwise).
  return uint64_t{exception_class & 0x3f} << 26 | 1u << 25 | (iss & 0x1ffffff);
}

}  // namespace

void Core::take_sync(uint32_t exception_class, uint32_t iss, uint64_t return_pc) {
  if (exception_hook && exception_hook(*this, exception_class, iss)) throw ExceptionTaken{};
  enter_el1(*this, ExceptionKind::kSync, return_pc);
  sys.esr = syndrome(exception_class, iss);
  throw ExceptionTaken{};
}

void Core::take_abort(uint32_t exception_class, uint32_t iss, uint64_t far, uint64_t return_pc) {
  sys.far = far;  // before the hook, so a user-mode harness sees the address
  take_sync(exception_class, iss, return_pc);
}

void Core::take_interrupt(ExceptionKind kind, uint64_t next) {
  enter_el1(*this, kind, next);
}

void Core::exception_return() {
  uint64_t spsr = sys.spsr;
  uint64_t target = sys.elr;
  set_pstate(spsr);  // an illegal return sets PSTATE.IL; PC still ← ELR
  next_pc = branch_addr(sys, target);
  clear_exclusive();
  end_block = true;
}

}  // namespace vmapple::arm64
