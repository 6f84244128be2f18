// The PL031 driven the way Linux's rtc-pl031 driver drives it: RTCDR for
// read_time, RTCLR for set_time, RTCMR + RTCIMSC for set_alarm, RTCMIS and
// RTCICR in the interrupt handler. Time is virtual (ManualTimers).
#include "hw/rtc/pl031.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "base/log.h"
#include "base/manual_timers.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kBase = 0x2005'0000;
constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint32_t kBoot = 1'700'000'000;  // Nov 2023
using R = Pl031;

class Pl031Test : public ::testing::Test {
 protected:
  Pl031Test() : space_(memory_) {
    timers_.advance(123 * kSecond);  // the guest clock need not start at 0
    rtc_ = std::make_unique<Pl031>(kBoot, timers_, irq_);
    space_.add_mmio("pl031", kBase, Pl031::kMmioSize, *rtc_, kPrimeCellRules);
  }

  uint32_t readl(uint64_t offset) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_.read(kBase + offset, 4, &v), MmioStatus::kOk);
    return static_cast<uint32_t>(v);
  }
  void writel(uint32_t v, uint64_t offset) {
    EXPECT_EQ(space_.write(kBase + offset, 4, v), MmioStatus::kOk);
  }

  // pl031_set_alarm (ARM variant) and pl031_interrupt.
  void set_alarm(uint32_t when, bool enabled) {
    writel(when, R::kRTCMR);
    writel(enabled ? R::kRTCINTR : 0, R::kRTCIMSC);
  }
  bool linux_irq() {
    uint32_t status = readl(R::kRTCMIS);
    if (status & R::kRTCINTR) writel(R::kRTCINTR, R::kRTCICR);
    return status != 0;
  }

  GuestMemory memory_;
  AddressSpace space_;
  ManualTimers timers_;
  LatchIrqLine irq_;
  std::unique_ptr<Pl031> rtc_;
};

TEST_F(Pl031Test, IdRegisters) {
  uint32_t pid = 0, cid = 0;
  for (unsigned i = 0; i < 4; ++i) {
    pid |= (readl(R::kRTCPeriphID0 + 4 * i) & 0xFF) << (8 * i);
    cid |= (readl(R::kRTCPeriphID0 + 0x10 + 4 * i) & 0xFF) << (8 * i);
  }
  EXPECT_EQ(pid, 0x00041031u);
  EXPECT_EQ(cid, 0xB105F00Du);
}

TEST_F(Pl031Test, ResetValuesAndRunningCounter) {
  EXPECT_EQ(readl(R::kRTCDR), kBoot);
  EXPECT_EQ(readl(R::kRTCCR), R::kRTCStart);
  for (uint64_t reg : {R::kRTCMR, R::kRTCLR, R::kRTCIMSC, R::kRTCRIS, R::kRTCMIS})
    EXPECT_EQ(readl(reg), 0u) << reg;
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl031Test, TimeAdvancesWithGuestTime) {
  timers_.advance(kSecond - 1);
  EXPECT_EQ(readl(R::kRTCDR), kBoot);
  timers_.advance(1);
  EXPECT_EQ(readl(R::kRTCDR), kBoot + 1);
  timers_.advance(3600 * kSecond);
  EXPECT_EQ(readl(R::kRTCDR), kBoot + 3601);
}

TEST_F(Pl031Test, LoadRegisterSetsTheTime) {
  timers_.advance(kSecond / 2);
  writel(1'000'000, R::kRTCLR);  // hwclock --systohc
  EXPECT_EQ(readl(R::kRTCDR), 1'000'000u);
  EXPECT_EQ(readl(R::kRTCLR), 1'000'000u);
  // The second restarts at the write.
  timers_.advance(kSecond - 1);
  EXPECT_EQ(readl(R::kRTCDR), 1'000'000u);
  timers_.advance(1);
  EXPECT_EQ(readl(R::kRTCDR), 1'000'001u);
}

TEST_F(Pl031Test, MatchInterruptFiresAtTheRightTimeAndIcrClearsIt) {
  set_alarm(kBoot + 5, true);
  timers_.advance(5 * kSecond - 1);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(R::kRTCRIS), 0u);
  timers_.advance(1);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(readl(R::kRTCRIS), R::kRTCINTR);
  EXPECT_EQ(readl(R::kRTCMIS), R::kRTCINTR);
  EXPECT_TRUE(linux_irq());
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(R::kRTCRIS), 0u);
  // It does not come back a second later.
  timers_.advance(10 * kSecond);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(irq_.rising_edges(), 1u);
}

TEST_F(Pl031Test, MaskedMatchSetsRawStatusOnly) {
  set_alarm(kBoot + 2, false);
  timers_.advance(2 * kSecond);
  EXPECT_EQ(readl(R::kRTCRIS), R::kRTCINTR);
  EXPECT_EQ(readl(R::kRTCMIS), 0u);
  EXPECT_FALSE(irq_.level());
  writel(R::kRTCINTR, R::kRTCIMSC);
  EXPECT_TRUE(irq_.level());
  writel(0, R::kRTCIMSC);
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl031Test, RewritingMatchReschedules) {
  set_alarm(kBoot + 10, true);
  set_alarm(kBoot + 3, true);  // earlier
  timers_.advance(3 * kSecond);
  EXPECT_TRUE(irq_.level());
  linux_irq();
  set_alarm(kBoot + 100, true);   // later
  timers_.advance(10 * kSecond);  // past the first alarm: it is gone
  EXPECT_FALSE(irq_.level());
  timers_.advance(87 * kSecond);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(readl(R::kRTCDR), kBoot + 100);
  EXPECT_EQ(timers_.pending(), 1u);  // one timer, for the next wrap
}

TEST_F(Pl031Test, LoadingTheCounterReschedulesTheMatch) {
  set_alarm(kBoot + 60, true);
  writel(kBoot + 50, R::kRTCLR);  // the clock jumps forward
  timers_.advance(10 * kSecond);
  EXPECT_TRUE(irq_.level());
  linux_irq();
  writel(kBoot, R::kRTCLR);  // and back: the match comes 60 s later
  timers_.advance(59 * kSecond);
  EXPECT_FALSE(irq_.level());
  timers_.advance(kSecond);
  EXPECT_TRUE(irq_.level());
}

TEST_F(Pl031Test, MatchEqualToTheCounterFiresAtOnce) {
  set_alarm(kBoot, true);
  EXPECT_TRUE(irq_.level());
  linux_irq();
  set_alarm(kBoot + 7, true);
  writel(kBoot + 7, R::kRTCLR);
  EXPECT_TRUE(irq_.level());
}

TEST_F(Pl031Test, CounterWrapsAndMatchesAfterTheWrap) {
  writel(0xFFFF'FFFE, R::kRTCLR);
  set_alarm(1, true);
  timers_.advance(2 * kSecond);
  EXPECT_EQ(readl(R::kRTCDR), 0u);
  EXPECT_FALSE(irq_.level());
  timers_.advance(kSecond);
  EXPECT_EQ(readl(R::kRTCDR), 1u);
  EXPECT_TRUE(irq_.level());
}

TEST_F(Pl031Test, StartBitCannotBeCleared) {
  writel(R::kRTCStart, R::kRTCCR);  // what rtc-pl031's probe writes
  writel(0, R::kRTCCR);
  EXPECT_EQ(readl(R::kRTCCR), R::kRTCStart);
  timers_.advance(kSecond);
  EXPECT_EQ(readl(R::kRTCDR), kBoot + 1);
}

TEST_F(Pl031Test, ResetKeepsTimeAndClearsRegisters) {
  set_alarm(kBoot + 1, true);
  timers_.advance(kSecond);
  ASSERT_TRUE(irq_.level());
  writel(kBoot + 1000, R::kRTCLR);
  rtc_->reset();
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(R::kRTCDR), kBoot + 1000);
  for (uint64_t reg : {R::kRTCMR, R::kRTCLR, R::kRTCIMSC, R::kRTCRIS, R::kRTCMIS})
    EXPECT_EQ(readl(reg), 0u) << reg;
  timers_.advance(5 * kSecond);
  EXPECT_EQ(readl(R::kRTCDR), kBoot + 1005);
  EXPECT_FALSE(irq_.level());  // the old alarm is gone
}

TEST_F(Pl031Test, BadAccessesAreGuestErrorsAndHarmless) {
  std::vector<std::pair<const char*, std::function<void()>>> cases = {
      {"DR write", [&] { writel(5, R::kRTCDR); }},
      {"RIS write", [&] { writel(1, R::kRTCRIS); }},
      {"MIS write", [&] { writel(1, R::kRTCMIS); }},
      {"ICR read", [&] { EXPECT_EQ(readl(R::kRTCICR), 0u); }},
      {"reserved read", [&] { EXPECT_EQ(readl(0x20), 0u); }},
      {"reserved write", [&] { writel(1, 0x800); }},
      {"ID write", [&] { writel(0, 0xFF0); }},
      {"IMSC reserved bits", [&] { writel(0xFF, R::kRTCIMSC); }},
      {"CR reserved bits", [&] { writel(0x3, R::kRTCCR); }},
      {"byte size", [&] { rtc_->write(R::kRTCLR, 1, 0); }},
      {"unaligned", [&] { EXPECT_EQ(rtc_->read(R::kRTCDR + 1, 4), 0u); }},
      {"beyond window", [&] { EXPECT_EQ(rtc_->read(Pl031::kMmioSize, 4), 0u); }},
  };
  for (auto& [what, access] : cases) {
    uint64_t before = trace::guest_error_count();
    access();
    EXPECT_EQ(trace::guest_error_count(), before + 1) << what;
  }
  EXPECT_EQ(readl(R::kRTCDR), kBoot);  // neither the DR nor the byte LR write took
  EXPECT_EQ(readl(R::kRTCIMSC), R::kRTCINTR);
}

}  // namespace
}  // namespace vmapple
