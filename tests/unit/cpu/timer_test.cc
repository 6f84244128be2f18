// The generic timer of one vCPU on a manual clock: counter, CTL/ISTATUS,
// CVAL/TVAL (signed 32-bit), output levels and the WFI deadline.
#include "cpu/arm64/timer.h"

#include <gtest/gtest.h>

#include "base/irq_line.h"
#include "base/manual_timers.h"

namespace vmapple::arm64 {
namespace {

using Channel = GenericTimer::Channel;

class TimerTest : public ::testing::Test {
 protected:
  // Moves the clock to exactly `ticks` counter ticks (24 MHz): the first
  // nanosecond at which the counter reads that value.
  void at_ticks(uint64_t ticks) {
    clock_.set((ticks * 1'000'000'000 + Clock::kCounterHz - 1) / Clock::kCounterHz);
    ASSERT_EQ(clock_.counter(), ticks);
  }

  ManualClock clock_;
  LatchIrqLine virt_;
  LatchIrqLine phys_;
  GenericTimer timer_{clock_, virt_, phys_};
};

TEST_F(TimerTest, CounterRunsAt24MHzFromTheClock) {
  EXPECT_EQ(timer_.counter(), 0u);
  clock_.set(1'000'000'000);
  EXPECT_EQ(timer_.counter(), 24'000'000u);
  clock_.set(2'500'000'000);
  EXPECT_EQ(timer_.counter(), 60'000'000u);
}

TEST_F(TimerTest, IstatusIsComputedAndReadOnly) {
  at_ticks(1000);
  timer_.set_cval(Channel::kVirtual, 1500);
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable | cntctl::kIstatus | 0xfff0);
  EXPECT_EQ(timer_.ctl(Channel::kVirtual), cntctl::kEnable);  // written ISTATUS ignored
  at_ticks(1499);
  EXPECT_EQ(timer_.ctl(Channel::kVirtual), cntctl::kEnable);
  at_ticks(1500);  // condition: counter >= CVAL
  EXPECT_EQ(timer_.ctl(Channel::kVirtual), cntctl::kEnable | cntctl::kIstatus);
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable | cntctl::kImask);
  EXPECT_EQ(timer_.ctl(Channel::kVirtual), cntctl::kEnable | cntctl::kImask | cntctl::kIstatus);
  timer_.set_ctl(Channel::kVirtual, 0);
  EXPECT_EQ(timer_.ctl(Channel::kVirtual), 0u);  // disabled: no status
}

TEST_F(TimerTest, TvalReadIsSigned32BitDistanceToCval) {
  at_ticks(1'000'000);
  timer_.set_cval(Channel::kPhysical, 1'000'100);
  EXPECT_EQ(timer_.tval(Channel::kPhysical), 100u);
  timer_.set_cval(Channel::kPhysical, 999'900);
  EXPECT_EQ(timer_.tval(Channel::kPhysical), 0xffffff9cu);  // -100, bits [63:32] zero
  // Only the low 32 bits of the distance are visible.
  timer_.set_cval(Channel::kPhysical, 1'000'000 + (uint64_t{5} << 32) + 7);
  EXPECT_EQ(timer_.tval(Channel::kPhysical), 7u);
}

TEST_F(TimerTest, TvalWriteSignExtendsIntoCval) {
  at_ticks(1'000'000);
  timer_.set_tval(Channel::kVirtual, 500);
  EXPECT_EQ(timer_.cval(Channel::kVirtual), 1'000'500u);
  timer_.set_tval(Channel::kVirtual, 0xffffffff);  // -1
  EXPECT_EQ(timer_.cval(Channel::kVirtual), 999'999u);
  timer_.set_tval(Channel::kVirtual, 0xabcd'0000'8000'0000);  // upper bits ignored; INT32_MIN
  EXPECT_EQ(timer_.cval(Channel::kVirtual), uint64_t{1'000'000} - 0x8000'0000u);  // wraps
  EXPECT_EQ(timer_.tval(Channel::kVirtual), 0x8000'0000u);
  // The physical timer is separate.
  EXPECT_EQ(timer_.cval(Channel::kPhysical), 0u);
}

TEST_F(TimerTest, OutputIsEnableAndIstatusAndNotImask) {
  at_ticks(100);
  timer_.set_cval(Channel::kVirtual, 50);
  timer_.update();
  EXPECT_FALSE(virt_.level());  // disabled
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable);
  EXPECT_TRUE(timer_.output(Channel::kVirtual));
  EXPECT_FALSE(virt_.level());  // lines move only on update()
  timer_.update();
  EXPECT_TRUE(virt_.level());
  EXPECT_FALSE(phys_.level());
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable | cntctl::kImask);
  timer_.update();
  EXPECT_FALSE(virt_.level());
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable);
  timer_.update();
  timer_.update();
  EXPECT_TRUE(virt_.level());
  EXPECT_EQ(virt_.rising_edges(), 2u);
  // Moving CVAL into the future lowers the level.
  timer_.set_cval(Channel::kVirtual, 200);
  timer_.update();
  EXPECT_FALSE(virt_.level());
  at_ticks(200);
  timer_.update();
  EXPECT_TRUE(virt_.level());
}

TEST_F(TimerTest, PhysicalTimerDrivesItsOwnLine) {
  at_ticks(10);
  timer_.set_tval(Channel::kPhysical, 5);
  timer_.set_ctl(Channel::kPhysical, cntctl::kEnable);
  timer_.update();
  EXPECT_FALSE(phys_.level());
  at_ticks(15);
  timer_.update();
  EXPECT_TRUE(phys_.level());
  EXPECT_FALSE(virt_.level());
}

TEST_F(TimerTest, DeadlineIsTheEarliestArmedFutureCval) {
  at_ticks(1000);
  EXPECT_FALSE(timer_.next_deadline_ticks().has_value());
  timer_.set_cval(Channel::kVirtual, 5000);
  timer_.set_cval(Channel::kPhysical, 3000);
  EXPECT_FALSE(timer_.next_deadline_ticks().has_value());  // neither enabled
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable);
  EXPECT_EQ(timer_.next_deadline_ticks(), 5000u);
  timer_.set_ctl(Channel::kPhysical, cntctl::kEnable | cntctl::kImask);
  EXPECT_EQ(timer_.next_deadline_ticks(), 5000u);  // masked does not count
  timer_.set_ctl(Channel::kPhysical, cntctl::kEnable);
  EXPECT_EQ(timer_.next_deadline_ticks(), 3000u);
  at_ticks(3000);  // the physical one fires now: not a future event
  EXPECT_EQ(timer_.next_deadline_ticks(), 5000u);
  at_ticks(6000);
  EXPECT_FALSE(timer_.next_deadline_ticks().has_value());
}

TEST_F(TimerTest, ResetDisablesAndLowersTheLines) {
  at_ticks(10);
  timer_.set_ctl(Channel::kVirtual, cntctl::kEnable);
  timer_.set_ctl(Channel::kPhysical, cntctl::kEnable);
  timer_.update();
  ASSERT_TRUE(virt_.level());
  ASSERT_TRUE(phys_.level());
  timer_.reset();
  EXPECT_FALSE(virt_.level());
  EXPECT_FALSE(phys_.level());
  EXPECT_EQ(timer_.ctl(Channel::kVirtual), 0u);
  EXPECT_EQ(timer_.cval(Channel::kPhysical), 0u);
  timer_.update();
  EXPECT_FALSE(virt_.level());
}

}  // namespace
}  // namespace vmapple::arm64
