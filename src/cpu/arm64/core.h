#pragma once
// The architectural state of one AArch64 vCPU of the software CPU, and the
// small inline helpers every instruction handler uses. Handlers are plain
// functions `void(Core&, uint32_t insn)` registered per Op; they read fields
// from the instruction word and change state through this struct.
//
// Control flow: before a handler runs, `pc` is the instruction's address and
// `next_pc` is pc + 4. A branch writes next_pc. A synchronous exception is
// taken with take_exception() and unwinds the handler by throwing
// ExceptionTaken; an access that needs the VMM (MMIO, GIC system registers)
// throws VmmExit and the instruction is executed again once the VMM answered.
#include <cstdint>
#include <functional>

#include "base/bits.h"
#include "cpu/arm64/conditions.h"
#include "cpu/arm64/sysregs.h"

namespace vmapple::arm64 {

struct Core;
using Handler = void (*)(Core&, uint32_t insn);

// Unwinds the current instruction after an exception was taken (state
// already updated: PC is the vector).
struct ExceptionTaken {};
// Unwinds the current instruction to leave run() with a VcpuExit; the
// instruction is re-executed when run() is called again.
struct VmmExit {};

// ESR_EL1.EC values (Arm ARM D17.2.37).
namespace ec {
inline constexpr uint32_t kUnknown = 0x00;
inline constexpr uint32_t kWfx = 0x01;
inline constexpr uint32_t kFpAccess = 0x07;
inline constexpr uint32_t kIllegalState = 0x0e;
inline constexpr uint32_t kSvc = 0x15;
inline constexpr uint32_t kSysReg = 0x18;
inline constexpr uint32_t kInstAbortLower = 0x20;
inline constexpr uint32_t kInstAbortSame = 0x21;
inline constexpr uint32_t kPcAlignment = 0x22;
inline constexpr uint32_t kDataAbortLower = 0x24;
inline constexpr uint32_t kDataAbortSame = 0x25;
inline constexpr uint32_t kSpAlignment = 0x26;
inline constexpr uint32_t kBrk = 0x3c;
}  // namespace ec

enum class ExceptionKind : uint8_t { kSync = 0, kIrq = 1, kFiq = 2, kSError = 3 };

class Mmu;
class InterpVcpu;
class GenericTimer;

struct Core {
  // X0..X30; x[31] always reads as zero (XZR) and writes to it are dropped.
  uint64_t x[32] = {};
  uint64_t sp = 0;  // the stack pointer selected by el/spsel
  uint64_t pc = 0;
  uint64_t next_pc = 0;

  // PSTATE, in SPSR bit positions where it has one.
  uint32_t nzcv = 0;      // N Z C V = bits 31..28
  uint32_t daif = 0x3c0;  // D A I F = bits 9..6
  unsigned el = 1;
  bool spsel = true;
  bool pstate_il = false;
  bool pstate_ss = false;
  uint64_t banked_sp_el0 = 0;  // valid while not the active SP
  uint64_t banked_sp_el1 = 0;

  // FP/SIMD registers V0..V31 and control.
  alignas(16) unsigned __int128 v[32] = {};
  uint32_t fpcr = 0;
  uint32_t fpsr = 0;

  SysRegs sys;

  // Set by handlers that change translation, vectors or other state the
  // decoded block depends on (MSR SCTLR/TCR/TTBR, ISB, ...): the run loop
  // leaves the block after this instruction.
  bool end_block = false;

  // Exclusive monitor (LDXR/STXR): the loaded address, size and value; STXR
  // succeeds by a host compare-and-swap against that value.
  bool excl_valid = false;
  uint64_t excl_addr = 0;  // virtual address of the LDXR
  unsigned excl_size = 0;  // bytes (LDXP: both registers)
  unsigned __int128 excl_value = 0;
  void clear_exclusive() { excl_valid = false; }

  Mmu* mmu = nullptr;             // translation and memory access (mmu.h)
  InterpVcpu* vcpu = nullptr;     // exits, interrupts, the shared CpuCluster
  GenericTimer* timer = nullptr;  // CNTV_*/CNTP_* state (timer.h)

  // --- general-purpose registers ---------------------------------------
  uint64_t xreg(unsigned n) const { return x[n]; }  // n == 31 → 0 (XZR)
  uint32_t wreg(unsigned n) const { return static_cast<uint32_t>(x[n]); }
  void set_xreg(unsigned n, uint64_t v) {
    if (n != 31) x[n] = v;
  }
  void set_wreg(unsigned n, uint32_t v) { set_xreg(n, v); }
  // Register 31 as SP (ADD imm, loads' base register, ...).
  uint64_t xreg_or_sp(unsigned n) const { return n == 31 ? sp : x[n]; }
  void set_xreg_or_sp(unsigned n, uint64_t v) {
    if (n == 31)
      sp = v;
    else
      x[n] = v;
  }

  // --- flags ----------------------------------------------------------
  bool flag_n() const { return nzcv >> 31 & 1; }
  bool flag_z() const { return nzcv >> 30 & 1; }
  bool flag_c() const { return nzcv >> 29 & 1; }
  bool flag_v() const { return nzcv >> 28 & 1; }
  void set_nzcv(bool n, bool z, bool c, bool v) {
    nzcv = uint32_t{n} << 31 | uint32_t{z} << 30 | uint32_t{c} << 29 | uint32_t{v} << 28;
  }
  // ConditionHolds(cond) of the Arm ARM (cond = 4-bit field).
  bool condition_holds(unsigned cond) const { return arm64::condition_holds(nzcv, cond); }

  // --- PSTATE as a whole (SPSR layout) ------------------------------------
  uint64_t pstate() const;
  // Restores PSTATE from an SPSR value (ERET); false if the target is illegal
  // (EL2/EL3, AArch32), in which case PSTATE.IL is set as the Arm ARM says.
  bool set_pstate(uint64_t spsr);
  // Switches the active SP after el/spsel changed.
  void select_sp(unsigned new_el, bool new_spsel);

  // --- exceptions (exceptions.cc) -------------------------------------
  // Takes a synchronous exception to EL1 with ELR = preferred return
  // address `return_pc` and throws ExceptionTaken.
  [[noreturn]] void take_sync(uint32_t exception_class, uint32_t iss, uint64_t return_pc);
  // Same, also writing FAR_EL1 (aborts, PC/SP alignment, watchpoints).
  [[noreturn]] void take_abort(uint32_t exception_class, uint32_t iss, uint64_t far,
                               uint64_t return_pc);
  // UNDEFINED (EC 0) at the current instruction.
  [[noreturn]] void undefined() { take_sync(ec::kUnknown, 0, pc); }
  // Enters an asynchronous exception (IRQ/FIQ) at instruction boundary
  // `next`; does not throw.
  void take_interrupt(ExceptionKind kind, uint64_t next);
  // ERET: PSTATE ← SPSR_EL1, PC ← ELR_EL1, clears the exclusive monitor.
  void exception_return();

  // FP/SIMD access check (CPACR_EL1.FPEN); raises EC 0x07 when trapped,
  // ISS CV=1 COND=0b1110 as for any A64 instruction.
  void check_fp_enabled() {
    if (!fp_enabled()) take_sync(ec::kFpAccess, 1u << 24 | 0xeu << 20, pc);
  }
  bool fp_enabled() const {
    // CPACR_EL1.FPEN: 0b11 no trap, 0b01 trap EL0 only, 0b00/0b10 trap both.
    unsigned fpen = bits(sys.cpacr, 21, 20);
    return fpen == 3 || (fpen == 1 && el == 1);
  }

  // Hook for user-mode test harnesses. Called by take_sync/take_abort before
  // any exception state changes, with next_pc = the handler's value (pc + 4
  // on entry); take_abort writes FAR_EL1 first so the hook can see it.
  // Returning true: no exception is taken (SPSR/ELR/ESR/PSTATE unchanged),
  // ExceptionTaken is still thrown and execution continues at next_pc (the
  // hook may change it). false: the exception is taken normally.
  std::function<bool(Core&, uint32_t exception_class, uint32_t iss)> exception_hook;
};

}  // namespace vmapple::arm64
