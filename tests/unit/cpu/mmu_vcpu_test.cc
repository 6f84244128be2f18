// The MMU inside the real run loop: with translation on, a load through a
// Device mapping of an MMIO page leaves run() as an exit with the physical
// address, exclusives to MMIO fail with a guest error instead of exiting
// twice, and a misaligned Device access is an alignment fault taken to the
// guest's vector rather than an exit.
#include <gtest/gtest.h>

#include <vector>

#include "base/log.h"
#include "base/manual_timers.h"
#include "cpu/arm64/interp_vcpu.h"
#include "cpu/arm64/mmu.h"
#include "unit/cpu/a64_asm.h"
#include "unit/cpu/mmu_fixture.h"
#include "unit/cpu/sys_fixture.h"

namespace vmapple::arm64::test {
namespace {

constexpr uint64_t kRam = 0x4000'0000;
constexpr uint64_t kMmio = 0x0900'0000;  // not RAM: every access is an exit
constexpr uint64_t kMmioVa = 0xffff'8000'1000'0000ull;
constexpr uint64_t kVbar = kRam + 0x800;

class MmuVcpuTest : public ::testing::Test {
 protected:
  MmuVcpuTest() : pt_(ram_, kRam + 0x80'0000) {
    ram_.add_region("ram", kRam, 16 << 20);
    cluster_ = std::make_unique<CpuCluster>(ram_, clock_);
    cpu_ = std::make_unique<InterpVcpu>(*cluster_, 0, vtimer_, ptimer_);
    // Identity map of the first 2 MiB of RAM for code (EL1 RWX) and a
    // Device-nGnRnE page in the kernel half for the device.
    const uint64_t root0 = pt_.new_table();
    const uint64_t root1 = pt_.new_table();
    const uint64_t code = desc::attr_index(kAttrNormal) | desc::kAf | desc::kInnerShareable;
    pt_.map(root0, kRam, kRam, code, 2);
    pt_.map(root1, kMmioVa, kMmio,
            desc::attr_index(kAttrDevice) | desc::kAf | desc::kUxn | desc::kPxn);
    Core& c = cpu_->core();
    c.sys.mair = kMair;
    c.sys.tcr = kTcr;
    c.sys.ttbr0 = root0;
    c.sys.ttbr1 = root1;
    c.sys.sctlr |= sctlr::kM;
    c.sys.vbar = kVbar;
    cpu_->mmu().on_translation_regs_changed();
  }

  // Code at kRam; x0 = the device's VA.
  void load(const std::vector<uint32_t>& code) {
    for (size_t i = 0; i < code.size(); ++i)
      ASSERT_TRUE(ram_.write_le<uint32_t>(kRam + 4 * i, code[i]));
    // The EL1h synchronous vector marks x9 and stops.
    ASSERT_TRUE(ram_.write_le<uint32_t>(kVbar + 0x200, a64::movz(9, 1)));
    ASSERT_TRUE(ram_.write_le<uint32_t>(kVbar + 0x204, sysasm::hvc(0)));
    cpu_->set_reg(Reg::kPc, kRam);
    cpu_->set_reg(Reg::kX0, kMmioVa);
  }
  uint64_t x(unsigned n) { return cpu_->reg(xreg(n)); }

  GuestMemory ram_;
  PageTables pt_;
  ManualClock clock_;
  LatchIrqLine vtimer_, ptimer_;
  std::unique_ptr<CpuCluster> cluster_;
  std::unique_ptr<InterpVcpu> cpu_;
};

TEST_F(MmuVcpuTest, DeviceMappingOfMmioExitsWithThePhysicalAddress) {
  load({0xb9400401 /* ldr w1, [x0, #4] */, 0xf9000402 /* str x2, [x0, #8] */, sysasm::hvc(0)});
  cpu_->set_reg(xreg(2), 0x5566);
  VcpuExit e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<MmioExit>(e));
  EXPECT_EQ(std::get<MmioExit>(e).gpa, kMmio + 4);
  EXPECT_EQ(std::get<MmioExit>(e).size, 4u);
  EXPECT_FALSE(std::get<MmioExit>(e).is_write);
  cpu_->complete_mmio_read(0xabcd);
  e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<MmioExit>(e));
  EXPECT_EQ(std::get<MmioExit>(e).gpa, kMmio + 8);
  EXPECT_EQ(std::get<MmioExit>(e).size, 8u);
  EXPECT_TRUE(std::get<MmioExit>(e).is_write);
  EXPECT_EQ(std::get<MmioExit>(e).value, 0x5566u);
  e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(e));
  EXPECT_EQ(x(9), 0u);
  EXPECT_EQ(x(1), 0xabcdu);
}

TEST_F(MmuVcpuTest, ExclusivesToMmioFailWithAGuestError) {
  load({0x885f7c01 /* ldxr w1, [x0] */, 0x88027c03 /* stxr w2, w3, [x0] */, sysasm::hvc(0)});
  const uint64_t errors = trace::guest_error_count();
  VcpuExit e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<MmioExit>(e));  // the load itself is performed
  EXPECT_EQ(std::get<MmioExit>(e).gpa, kMmio);
  cpu_->complete_mmio_read(7);
  e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(e)) << "the store-exclusive must not exit";
  EXPECT_EQ(x(1), 7u);
  EXPECT_EQ(x(2), 1u);  // failed
  EXPECT_EQ(x(9), 0u);
  EXPECT_GE(trace::guest_error_count(), errors + 2);
}

TEST_F(MmuVcpuTest, MisalignedDeviceAccessIsAnAlignmentFaultNotAnExit) {
  load({0xb8402001 /* ldur w1, [x0, #2] */, sysasm::hvc(0)});
  VcpuExit e = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(e));
  EXPECT_EQ(x(9), 1u) << "taken to the synchronous vector";
  const Core& c = cpu_->core();
  EXPECT_EQ(c.sys.esr, esr(0x25, 0x21));
  EXPECT_EQ(c.sys.far, kMmioVa + 2);
  EXPECT_EQ(c.sys.elr, kRam);
}

}  // namespace
}  // namespace vmapple::arm64::test
