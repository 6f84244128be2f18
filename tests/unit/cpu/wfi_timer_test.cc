// WFI must see a timer whose compare value passed since the CPU last looked
// at it (Linux powering off on one CPU hung in WFI this way: CNTV_CVAL had
// passed, the line was still low, and WFI slept with no deadline).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/irq_line.h"
#include "cpu/arm64/cpu_cluster.h"
#include "cpu/arm64/interp_vcpu.h"
#include "memory/guest_memory.h"
#include "unit/cpu/a64_asm.h"
#include "unit/cpu/sys_fixture.h"

namespace vmapple::arm64 {
namespace {

using namespace test;

// Guest time that moves on every time anyone looks at it (100 ms a look),
// so the timer's compare value passes between two instructions.
class SteppingClock final : public Clock {
 public:
  uint64_t now_ns() const override { return now_ += 100'000'000; }

 private:
  mutable uint64_t now_ = 0;
};

TEST(WfiTimerTest, ATimerThatFiredSinceTheLastLookWakesWfi) {
  constexpr uint64_t kRam = 0x4000'0000;
  GuestMemory ram;
  ram.add_region("ram", kRam, 1 << 20);
  SteppingClock clock;
  CpuCluster cluster(ram, clock);
  LatchIrqLine vtimer, ptimer;
  InterpVcpu cpu(cluster, 0, vtimer, ptimer);

  const SysRegId cntv_cval = SysRegId::make(3, 3, 14, 3, 2);
  const SysRegId cntv_ctl = SysRegId::make(3, 3, 14, 3, 1);
  const SysRegId cntvct = SysRegId::make(3, 3, 14, 0, 2);
  // CNTV_CVAL = 1 s (24'000'000 ticks), ENABLE; then read the counter past
  // it (each read moves time on), then WFI.
  std::vector<uint32_t> code = {a64::movz(1, 0x016e, 1), a64::movk(1, 0x3600),
                                sysasm::msr(cntv_cval, 1), a64::movz(2, 1),
                                sysasm::msr(cntv_ctl, 2)};
  for (int i = 0; i < 15; ++i)
    code.push_back(sysasm::mrs(3, cntvct));
  code.push_back(sysasm::wfi());
  code.push_back(sysasm::hvc(0));
  for (size_t i = 0; i < code.size(); ++i)
    ram.write_le<uint32_t>(kRam + 4 * i, code[i]);
  cpu.set_reg(Reg::kPc, kRam);

  VcpuExit e = cpu.run();
  ASSERT_GT(cpu.reg(xreg(3)), 24'000'000u) << "the counter passed CVAL before the WFI";
  // Either the line is up when the CPU goes to sleep (the GIC then wakes it),
  // or the sleep has a deadline; never an endless sleep with the line low.
  auto* wfi = std::get_if<WfiExit>(&e);
  ASSERT_NE(wfi, nullptr);
  EXPECT_TRUE(vtimer.level()) << "the timer line rises before the WFI decides to sleep";
}

}  // namespace
}  // namespace vmapple::arm64
