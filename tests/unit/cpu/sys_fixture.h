#pragma once
// A vCPU for the system-level tests (exceptions, system registers, timer):
// 16 MiB of RAM at 0x4000'0000 (MMU off, so VA = PA), a manual clock, and
// latched timer lines. Instructions run either one at a time straight
// through the handler table (exec) or through the real run loop from RAM
// (run_at), which exercises the loop's exits and per-instruction checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "base/irq_line.h"
#include "base/manual_timers.h"
#include "base/sysreg.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/cpu_cluster.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/interp_vcpu.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64::test {

// Encoders of the system instructions the tests use (Arm ARM C6.2).
namespace sysasm {
constexpr uint32_t mrs(unsigned rt, SysRegId id) {
  return 0xd5200000u | id.packed << 5 | rt;
}
constexpr uint32_t msr(SysRegId id, unsigned rt) {
  return 0xd5000000u | id.packed << 5 | rt;
}
constexpr uint32_t sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt) {
  return 0xd5080000u | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | rt;
}
constexpr uint32_t msr_imm(unsigned op1, unsigned crm, unsigned op2) {
  return 0xd500401fu | op1 << 16 | crm << 8 | op2 << 5;
}
constexpr uint32_t hint(unsigned n) {
  return 0xd503201fu | n << 5;
}
constexpr uint32_t svc(unsigned imm) {
  return 0xd4000001u | imm << 5;
}
constexpr uint32_t hvc(unsigned imm) {
  return 0xd4000002u | imm << 5;
}
constexpr uint32_t smc(unsigned imm) {
  return 0xd4000003u | imm << 5;
}
constexpr uint32_t brk(unsigned imm) {
  return 0xd4200000u | imm << 5;
}
constexpr uint32_t hlt(unsigned imm) {
  return 0xd4400000u | imm << 5;
}
constexpr uint32_t dcps1() {
  return 0xd4a00001u;
}
constexpr uint32_t eret() {
  return 0xd69f03e0u;
}
constexpr uint32_t drps() {
  return 0xd6bf03e0u;
}
constexpr uint32_t wfi() {
  return hint(3);
}
constexpr uint32_t wfe() {
  return hint(2);
}
constexpr uint32_t nop() {
  return hint(0);
}
constexpr uint32_t dsb_sy() {
  return 0xd5033f9fu;
}
constexpr uint32_t dmb_ish() {
  return 0xd5033bbfu;
}
constexpr uint32_t isb() {
  return 0xd5033fdfu;
}
constexpr uint32_t clrex() {
  return 0xd5033f5fu;
}
constexpr uint32_t sb() {
  return 0xd50330ffu;
}
}  // namespace sysasm

// Registers by name (op0, op1, CRn, CRm, op2).
namespace regs {
constexpr SysRegId kMidr = SysRegId::make(3, 0, 0, 0, 0);
constexpr SysRegId kMpidr = SysRegId::make(3, 0, 0, 0, 5);
constexpr SysRegId kCtr = SysRegId::make(3, 3, 0, 0, 1);
constexpr SysRegId kDczid = SysRegId::make(3, 3, 0, 0, 7);
constexpr SysRegId kSctlr = SysRegId::make(3, 0, 1, 0, 0);
constexpr SysRegId kCpacr = SysRegId::make(3, 0, 1, 0, 2);
constexpr SysRegId kTcr = SysRegId::make(3, 0, 2, 0, 2);
constexpr SysRegId kTtbr0 = SysRegId::make(3, 0, 2, 0, 0);
constexpr SysRegId kSpsr = SysRegId::make(3, 0, 4, 0, 0);
constexpr SysRegId kElr = SysRegId::make(3, 0, 4, 0, 1);
constexpr SysRegId kSpEl0 = SysRegId::make(3, 0, 4, 1, 0);
constexpr SysRegId kSpsel = SysRegId::make(3, 0, 4, 2, 0);
constexpr SysRegId kCurrentEl = SysRegId::make(3, 0, 4, 2, 2);
constexpr SysRegId kNzcv = SysRegId::make(3, 3, 4, 2, 0);
constexpr SysRegId kDaif = SysRegId::make(3, 3, 4, 2, 1);
constexpr SysRegId kFpcr = SysRegId::make(3, 3, 4, 4, 0);
constexpr SysRegId kFpsr = SysRegId::make(3, 3, 4, 4, 1);
constexpr SysRegId kEsr = SysRegId::make(3, 0, 5, 2, 0);
constexpr SysRegId kFar = SysRegId::make(3, 0, 6, 0, 0);
constexpr SysRegId kPar = SysRegId::make(3, 0, 7, 4, 0);
constexpr SysRegId kMair = SysRegId::make(3, 0, 10, 2, 0);
constexpr SysRegId kVbar = SysRegId::make(3, 0, 12, 0, 0);
constexpr SysRegId kIsr = SysRegId::make(3, 0, 12, 1, 0);
constexpr SysRegId kTpidrEl0 = SysRegId::make(3, 3, 13, 0, 2);
constexpr SysRegId kTpidrroEl0 = SysRegId::make(3, 3, 13, 0, 3);
constexpr SysRegId kTpidrEl1 = SysRegId::make(3, 0, 13, 0, 4);
constexpr SysRegId kCntkctl = SysRegId::make(3, 0, 14, 1, 0);
constexpr SysRegId kCntfrq = SysRegId::make(3, 3, 14, 0, 0);
constexpr SysRegId kCntpct = SysRegId::make(3, 3, 14, 0, 1);
constexpr SysRegId kCntvct = SysRegId::make(3, 3, 14, 0, 2);
constexpr SysRegId kCntpTval = SysRegId::make(3, 3, 14, 2, 0);
constexpr SysRegId kCntpCtl = SysRegId::make(3, 3, 14, 2, 1);
constexpr SysRegId kCntpCval = SysRegId::make(3, 3, 14, 2, 2);
constexpr SysRegId kCntvTval = SysRegId::make(3, 3, 14, 3, 0);
constexpr SysRegId kCntvCtl = SysRegId::make(3, 3, 14, 3, 1);
constexpr SysRegId kCntvCval = SysRegId::make(3, 3, 14, 3, 2);
}  // namespace regs

class SysFixture : public ::testing::Test {
 protected:
  static constexpr uint64_t kRam = 0x4000'0000;
  static constexpr uint64_t kRamSize = 16 << 20;
  static constexpr uint64_t kVbar = kRam + 0x10'0000;
  static constexpr uint64_t kCode = kRam + 0x20'0000;

  SysFixture() {
    ram_.add_region("ram", kRam, kRamSize);
    cluster_ = std::make_unique<CpuCluster>(ram_, clock_);
    vcpu_ = std::make_unique<InterpVcpu>(*cluster_, 0, vtimer_, ptimer_);
  }

  Core& core() { return vcpu_->core(); }

  // Runs one instruction at core().pc as the run loop does; true if it took
  // an exception (core().pc is then the vector).
  bool exec(uint32_t insn) {
    Core& c = core();
    c.next_pc = c.pc + 4;
    c.end_block = false;
    try {
      HandlerTable::instance()[decode(insn)](c, insn);
    } catch (const ExceptionTaken&) {
      c.pc = c.next_pc;
      return true;
    }
    c.pc = c.next_pc;
    return false;
  }

  // exec() that must take a synchronous exception; returns ESR_EL1.
  uint64_t exec_fault(uint32_t insn) {
    uint64_t pc = core().pc;
    core().sys.esr = 0xdead;
    EXPECT_TRUE(exec(insn)) << std::hex << insn;
    core().pc = pc;  // tests go on from the same place
    return core().sys.esr;
  }

  // Enters EL0t with DAIF clear (as after an ERET to user space).
  void enter_el0() { core().set_pstate(0); }

  // Writes `words` at `addr` and runs from there with the run loop.
  VcpuExit run_at(uint64_t addr, std::initializer_list<uint32_t> words) {
    uint64_t a = addr;
    for (uint32_t w : words) {
      EXPECT_TRUE(ram_.write_le<uint32_t>(a, w));
      a += 4;
    }
    vcpu_->set_reg(Reg::kPc, addr);
    return vcpu_->run();
  }
  void put(uint64_t addr, uint32_t word) { EXPECT_TRUE(ram_.write_le<uint32_t>(addr, word)); }

  // ISS of an EC 0x18 trap, as scope §2 lists the fields.
  static constexpr uint32_t sysreg_iss(SysRegId id, unsigned rt, bool is_read) {
    return id.op0() << 20 | id.op2() << 17 | id.op1() << 14 | id.crn() << 10 | rt << 5 |
           id.crm() << 1 | (is_read ? 1 : 0);
  }
  static constexpr uint64_t esr(uint32_t ec, uint32_t iss) {
    return uint64_t{ec} << 26 | 1u << 25 | iss;
  }

  GuestMemory ram_;
  ManualClock clock_;
  LatchIrqLine vtimer_;
  LatchIrqLine ptimer_;
  std::unique_ptr<CpuCluster> cluster_;
  std::unique_ptr<InterpVcpu> vcpu_;
};

}  // namespace vmapple::arm64::test
