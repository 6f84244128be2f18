// The interp vCPU's contract with the VMM: MMIO and system-register accesses
// leave run() as exits and complete when the instruction runs again, HVC and
// WFI exits, kicks, interrupt delivery at instruction boundaries, and
// self-modifying code.
#include <gtest/gtest.h>

#include <vector>

#include "base/manual_timers.h"
#include "cpu/arm64/interp_vcpu.h"
#include "memory/guest_memory.h"
#include "unit/cpu/a64_asm.h"
#include "unit/cpu/sys_fixture.h"
#include "unit/cpu/vcpu_fixture.h"

namespace vmapple::arm64 {
namespace {

using namespace test;
constexpr uint64_t kMmio = 0x2000'0000;  // not RAM: every access is an exit

using InterpVcpuTest = VcpuFixture;

constexpr uint32_t kSelfLoop = 0x14000000;  // b .

TEST_F(InterpVcpuTest, LoadPairFromMmioExitsOncePerAccessAndCompletes) {
  load({a64::movz(3, kMmio >> 16, 1), a64::ldp_x(1, 2, 3, 16), sysasm::hvc(0)});
  auto e1 = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<MmioExit>(e1));
  EXPECT_EQ(std::get<MmioExit>(e1).gpa, kMmio + 16);
  EXPECT_EQ(std::get<MmioExit>(e1).size, 8u);
  EXPECT_FALSE(std::get<MmioExit>(e1).is_write);
  cpu_->complete_mmio_read(0x1111);
  auto e2 = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<MmioExit>(e2));
  EXPECT_EQ(std::get<MmioExit>(e2).gpa, kMmio + 24);
  EXPECT_EQ(x(1), 0u) << "no register changes before the last access completed";
  cpu_->complete_mmio_read(0x2222);
  auto e3 = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(e3));
  EXPECT_EQ(x(1), 0x1111u);
  EXPECT_EQ(x(2), 0x2222u);
  EXPECT_EQ(cpu_->reg(Reg::kPc), kRam + 12);
}

TEST_F(InterpVcpuTest, StorePairToMmioReportsBothValuesInOrder) {
  load({a64::movz(3, kMmio >> 16, 1), a64::movz(1, 0xaaaa), a64::movz(2, 0xbbbb),
        a64::stp_x(1, 2, 3, 0), sysasm::hvc(0)});
  std::vector<MmioExit> writes;
  for (;;) {
    auto e = cpu_->run();
    if (std::holds_alternative<HvcExit>(e)) break;
    ASSERT_TRUE(std::holds_alternative<MmioExit>(e));
    writes.push_back(std::get<MmioExit>(e));
  }
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_TRUE(writes[0].is_write);
  EXPECT_EQ(writes[0].gpa, kMmio);
  EXPECT_EQ(writes[0].value, 0xaaaau);
  EXPECT_EQ(writes[1].gpa, kMmio + 8);
  EXPECT_EQ(writes[1].value, 0xbbbbu);
}

TEST_F(InterpVcpuTest, HvcExitCarriesArgumentsAndResumesAfterTheCall) {
  load({a64::movz(0, 0x1234), a64::movz(1, 5), a64::movz(2, 6), a64::movz(3, 7), sysasm::hvc(0),
        a64::movz(9, 1), sysasm::hvc(0)});
  auto e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(e));
  const auto& h = std::get<HvcExit>(e);
  EXPECT_EQ(h.imm, 0);
  EXPECT_EQ(h.x[0], 0x1234u);
  EXPECT_EQ(h.x[1], 5u);
  EXPECT_EQ(h.x[3], 7u);
  cpu_->set_reg(xreg(0), 42);
  ASSERT_TRUE(std::holds_alternative<HvcExit>(cpu_->run()));
  EXPECT_EQ(x(0), 42u);
  EXPECT_EQ(x(9), 1u);
}

TEST_F(InterpVcpuTest, GicSystemRegisterReadIsAnExitAndUnknownOnesAreUndefined) {
  load({sysasm::mrs(5, icc::kIar1El1), sysasm::mrs(6, icc::kIar1El1), sysasm::hvc(0)});
  auto e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<SysRegExit>(e));
  EXPECT_EQ(std::get<SysRegExit>(e).id, icc::kIar1El1);
  EXPECT_FALSE(std::get<SysRegExit>(e).is_write);
  cpu_->complete_sysreg_read(27);
  e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<SysRegExit>(e));
  EXPECT_EQ(x(5), 27u);
  // The VMM says the second access is not a register: UNDEFINED (EC 0) at
  // the instruction, taken to VBAR + 0x200 (current EL, SP_EL1).
  ram_.write_le<uint32_t>(kRam + 0xa00, sysasm::hvc(0));
  cpu_->complete_sysreg(false);
  ASSERT_TRUE(std::holds_alternative<HvcExit>(cpu_->run()));
  EXPECT_EQ(cpu_->reg(Reg::kPc), kRam + 0xa04);
  EXPECT_EQ(cpu_->core().sys.esr >> 26, ec::kUnknown);
  EXPECT_EQ(cpu_->core().sys.elr, kRam + 4);
}

TEST_F(InterpVcpuTest, KickEndsASpinningGuest) {
  load({kSelfLoop});
  cpu_->kick();
  EXPECT_TRUE(std::holds_alternative<KickedExit>(cpu_->run()));
  EXPECT_EQ(cpu_->reg(Reg::kPc), kRam);
}

TEST_F(InterpVcpuTest, IrqIsTakenAtAnInstructionBoundaryOnceUnmasked) {
  // DAIF masked at reset: the pending IRQ waits; after DAIFClr #2 the loop is
  // interrupted and the vector (current EL, SPx, IRQ = +0x280) runs.
  ram_.write_le<uint32_t>(kRam + 0x800 + 0x280, sysasm::hvc(0));
  load({a64::movz(1, 1), sysasm::msr_imm(3, 2, 7), kSelfLoop});
  cpu_->set_irq(true);
  auto e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(e));
  EXPECT_EQ(cpu_->reg(Reg::kPc), kRam + 0x800 + 0x284);
  EXPECT_EQ(cpu_->core().sys.elr, kRam + 8) << "ELR is the next unexecuted instruction";
  EXPECT_EQ(cpu_->core().daif, 0x3c0u);
}

TEST_F(InterpVcpuTest, WfiWithATimerArmedExitsWithItsDeadline) {
  // CNTV_CVAL = 24'000'000 ticks (1 s at 24 MHz), CNTV_CTL = ENABLE.
  const SysRegId cntv_cval = SysRegId::make(3, 3, 14, 3, 2);
  const SysRegId cntv_ctl = SysRegId::make(3, 3, 14, 3, 1);
  load({a64::movz(1, 0x016e, 1), a64::movk(1, 0x3600), sysasm::msr(cntv_cval, 1), a64::movz(2, 1),
        sysasm::msr(cntv_ctl, 2), sysasm::wfi(), sysasm::hvc(0)});
  auto e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<WfiExit>(e));
  ASSERT_TRUE(std::get<WfiExit>(e).deadline_ns.has_value());
  EXPECT_EQ(*std::get<WfiExit>(e).deadline_ns, 1'000'000'000u);
  EXPECT_FALSE(vtimer_.level());
  clock_.set(1'000'000'000);
  ASSERT_TRUE(std::holds_alternative<HvcExit>(cpu_->run()));
  EXPECT_TRUE(vtimer_.level()) << "the timer line rises once the deadline passed";
}

TEST_F(InterpVcpuTest, StoreIntoDecodedCodeIsSeenByTheNextExecution) {
  // Runs `movz x0, #1` once, overwrites it with `movz x0, #2` through a
  // store, and runs it again: the decoded copy must not be stale.
  const uint32_t movz2 = a64::movz(0, 2);
  load({a64::movz(0, 1), sysasm::hvc(0), a64::movz(4, movz2 & 0xffff), a64::movk(4, movz2 >> 16, 1),
        a64::movz(5, kRam >> 16, 1), 0xb90000a4 /* str w4, [x5] */, a64::b(kRam + 24, kRam)});
  ASSERT_TRUE(std::holds_alternative<HvcExit>(cpu_->run()));
  EXPECT_EQ(x(0), 1u);
  ASSERT_TRUE(std::holds_alternative<HvcExit>(cpu_->run()));
  EXPECT_EQ(x(0), 2u);
}

}  // namespace
}  // namespace vmapple::arm64
