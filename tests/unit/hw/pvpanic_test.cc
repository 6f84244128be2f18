// pvpanic-mmio mapped as the machine maps it (PvpanicMmio::kRules), driven
// as Linux's pvpanic-mmio driver does: a byte read of the supported events,
// byte writes of one event bit.
#include "hw/misc/pvpanic_mmio.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "base/log.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kBase = 0x2007'0000;
using E = PvpanicEvent;

class RecordingListener final : public PvpanicListener {
 public:
  void pvpanic_event(PvpanicEvent event) override { events.push_back(event); }
  std::vector<PvpanicEvent> events;
};

class PvpanicTest : public ::testing::Test {
 protected:
  PvpanicTest() : space_(memory_) {
    space_.add_mmio("pvpanic", kBase, PvpanicMmio::kMmioSize, pvpanic_, PvpanicMmio::kRules);
  }
  uint64_t read(uint64_t offset, unsigned size) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_.read(kBase + offset, size, &v), MmioStatus::kOk);
    return v;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) {
    EXPECT_EQ(space_.write(kBase + offset, size, value), MmioStatus::kOk);
  }
  std::vector<E> take() { return std::exchange(listener_.events, {}); }

  GuestMemory memory_;
  AddressSpace space_;
  RecordingListener listener_;
  PvpanicMmio pvpanic_{listener_};
};

TEST_F(PvpanicTest, ReadsReturnTheEventsMask) {
  EXPECT_EQ(read(0, 1), 0x03u);
  EXPECT_EQ(read(1, 1), 0x03u);
  EXPECT_EQ(read(0, 2), 0x0303u);  // split into two byte reads
  EXPECT_TRUE(take().empty());

  RecordingListener other;
  PvpanicMmio custom(other, 0x07);
  EXPECT_EQ(custom.read(0, 1), 0x07u);
}

TEST_F(PvpanicTest, EachEventBitReportsItsEvent) {
  write(0, 1, 0x01);
  EXPECT_EQ(take(), std::vector<E>{E::kPanicked});
  write(0, 1, 0x02);
  EXPECT_EQ(take(), std::vector<E>{E::kCrashLoaded});
  // SHUTDOWN acts although the default mask does not advertise it.
  write(1, 1, 0x04);
  EXPECT_EQ(take(), std::vector<E>{E::kShutdown});
  write(0, 1, 0x00);
  EXPECT_TRUE(take().empty());
}

TEST_F(PvpanicTest, OnlyTheHighestPriorityBitActs) {
  write(0, 1, 0x07);
  EXPECT_EQ(take(), std::vector<E>{E::kPanicked});
  write(0, 1, 0x05);
  EXPECT_EQ(take(), std::vector<E>{E::kPanicked});
  write(0, 1, 0x06);
  EXPECT_EQ(take(), std::vector<E>{E::kCrashLoaded});
}

TEST_F(PvpanicTest, WideWritesArriveAsBytesOffsetZeroFirst) {
  write(0, 2, 0x0402);
  EXPECT_EQ(take(), (std::vector<E>{E::kCrashLoaded, E::kShutdown}));
  write(0, 2, 0x0100);
  EXPECT_EQ(take(), std::vector<E>{E::kPanicked});
}

TEST_F(PvpanicTest, WiderThanTheRegionIsInvalid) {
  uint64_t v;
  auto errors = trace::guest_error_count();
  EXPECT_EQ(space_.write(kBase, 4, 0x01010101), MmioStatus::kInvalid);
  EXPECT_EQ(space_.read(kBase, 8, &v), MmioStatus::kInvalid);
  EXPECT_EQ(space_.write(kBase + 1, 2, 0x0101), MmioStatus::kInvalid);  // unaligned
  EXPECT_EQ(trace::guest_error_count() - errors, 3u);
  EXPECT_TRUE(take().empty());
}

// The only test that writes unknown bits: the log-once flag is per process.
TEST_F(PvpanicTest, UnknownBitsAreLoggedOnceButKnownBitsStillAct) {
  auto errors = trace::guest_error_count();
  write(0, 1, 0x81);
  EXPECT_EQ(take(), std::vector<E>{E::kPanicked});
  EXPECT_EQ(trace::guest_error_count() - errors, 1u);
  write(1, 1, 0x14);
  EXPECT_EQ(take(), std::vector<E>{E::kShutdown});
  write(0, 1, 0xF0);
  EXPECT_TRUE(take().empty());
  RecordingListener other;
  PvpanicMmio second(other, 0x03);
  second.write(0, 1, 0x08);
  EXPECT_EQ(trace::guest_error_count() - errors, 1u);
}

TEST_F(PvpanicTest, DirectCallsOutsideTheRulesAreGuestErrors) {
  auto errors = trace::guest_error_count();
  EXPECT_EQ(pvpanic_.read(2, 1), 0u);
  EXPECT_EQ(pvpanic_.read(0, 2), 0u);
  pvpanic_.write(0, 4, 0x01);
  pvpanic_.write(~0ull, 1, 0x01);
  EXPECT_EQ(trace::guest_error_count() - errors, 4u);
  EXPECT_TRUE(take().empty());
}

TEST(PvpanicEventTest, Names) {
  EXPECT_EQ(to_string(E::kPanicked), "panicked");
  EXPECT_EQ(to_string(E::kCrashLoaded), "crash-loaded");
  EXPECT_EQ(to_string(E::kShutdown), "shutdown");
}

}  // namespace
}  // namespace vmapple
