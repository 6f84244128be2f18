// The run loop around the specialised forms (interp_vcpu.cc): the retired
// instruction count through loops, a misaligned branch target inside the
// page, and the PC a faulting load/store form reports (the loop keeps the
// guest PC in a host register and must store it before an access).
#include <gtest/gtest.h>

#include <vector>

#include "base/manual_timers.h"
#include "cpu/arm64/interp_vcpu.h"
#include "memory/guest_memory.h"
#include "unit/cpu/vcpu_fixture.h"

namespace vmapple::arm64 {
namespace {

constexpr uint64_t kRam = test::VcpuFixture::kRam;
constexpr uint64_t kSyncVector = kRam + 0x800 + 0x200;  // current EL, SPx

// Instruction words (checked against aarch64-linux-gnu-objdump).
constexpr uint32_t kMovzX1Ram = 0xd2a80001;  // movz x1, #0x4000, lsl #16
constexpr uint32_t kHvc0 = 0xd4000002;       // hvc #0
constexpr uint32_t kNop = 0xd503201f;        // nop

class RunLoopTest : public test::VcpuFixture {
 protected:
  // Also an HVC at the synchronous exception vector, so a fault ends run().
  void load(const std::vector<uint32_t>& code) {
    VcpuFixture::load(code);
    ram_.write_le<uint32_t>(kSyncVector, kHvc0);
  }
};

TEST_F(RunLoopTest, RetiredCountIsExactThroughALoop) {
  load({
      0xd28000a0,  // movz x0, #5
      0xf1000400,  // loop: subs x0, x0, #1
      0x54ffffe1,  // b.ne loop
      kHvc0,
  });
  auto exit = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit));
  EXPECT_EQ(x(0), 0u);
  EXPECT_EQ(cpu_->reg(Reg::kPc), kRam + 16);
  // movz + 5 x (subs, b.ne) + hvc.
  EXPECT_EQ(cpu_->instructions_retired(), 12u);
}

TEST_F(RunLoopTest, MisalignedBranchTargetInThePageIsAPcAlignmentFault) {
  load({
      kMovzX1Ram,
      0x91040821,  // add x1, x1, #0x102
      0xd61f0020,  // br x1
  });
  auto exit = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit));
  const SysRegs& s = cpu_->core().sys;
  EXPECT_EQ(s.esr >> 26, 0x22u);
  EXPECT_EQ(s.far, kRam + 0x102);
  EXPECT_EQ(s.elr, kRam + 0x102);
}

TEST_F(RunLoopTest, FaultingLoadFormReportsItsOwnPc) {
  load({
      kMovzX1Ram,
      0x91000421,  // add x1, x1, #1
      kNop,
      0xf9400022,  // ldr x2, [x1]: misaligned, and Device memory with the MMU off
      kNop,
  });
  cpu_->set_reg(xreg(2), 0x1234);
  auto exit = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit));
  const SysRegs& s = cpu_->core().sys;
  EXPECT_EQ(s.esr >> 26, 0x25u);  // data abort, same EL
  EXPECT_EQ(s.elr, kRam + 12);
  EXPECT_EQ(s.far, kRam + 1);
  EXPECT_EQ(x(2), 0x1234u) << "the load wrote nothing";
  // movz, add, nop, the faulting ldr, hvc at the vector.
  EXPECT_EQ(cpu_->instructions_retired(), 5u);
}

TEST_F(RunLoopTest, StoreFormIntoTheNextInstructionIsSeen) {
  // str w3, [x1, #16] overwrites the nop that follows it in the same page
  // with "movz x4, #7"; the loop must run the new instruction.
  load({
      kMovzX1Ram,
      0x52800003 | (0xd28000e4 & 0xffff) << 5,  // movz w3, #0x00e4 (low half)
      0x72a00003 | (0xd28000e4 >> 16) << 5,     // movk w3, #0xd280, lsl #16
      0xb9001023,                               // str w3, [x1, #16]
      kNop,                                     // becomes movz x4, #7
      kHvc0,
  });
  auto exit = cpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit));
  EXPECT_EQ(x(4), 7u);
}

}  // namespace
}  // namespace vmapple::arm64
