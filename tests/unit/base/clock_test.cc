#include "base/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/manual_timers.h"

namespace vmapple {
namespace {

TEST(Clock, CounterRunsAt24MHz) {
  EXPECT_EQ(Clock::ns_to_ticks(1'000'000'000), 24'000'000u);
  EXPECT_EQ(Clock::ns_to_ticks(1'000), 24u);
  EXPECT_EQ(Clock::ticks_to_ns(24'000'000), 1'000'000'000u);
  // No overflow for a guest that has been up for a century.
  uint64_t century_ns = 100ull * 365 * 24 * 3600 * 1'000'000'000;
  EXPECT_EQ(Clock::ns_to_ticks(century_ns), century_ns / 1000 * 24);
}

TEST(Clock, HostClockIsMonotonicAndStartsNearZero) {
  HostClock clock;
  uint64_t a = clock.now_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  uint64_t b = clock.now_ns();
  EXPECT_LT(a, 1'000'000'000u);
  EXPECT_GE(b - a, 5'000'000u);
  EXPECT_GE(clock.counter(), Clock::ns_to_ticks(b));
}

TEST(ManualTimers, FiresInDeadlineOrderAtTheirOwnTime) {
  ManualTimers timers;
  std::vector<std::pair<int, uint64_t>> fired;
  timers.schedule(300, [&] { fired.emplace_back(3, timers.clock().now_ns()); });
  timers.schedule(100, [&] { fired.emplace_back(1, timers.clock().now_ns()); });
  auto id = timers.schedule(200, [&] { fired.emplace_back(2, timers.clock().now_ns()); });
  timers.cancel(id);
  timers.advance(250);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], std::pair(1, uint64_t{100}));
  EXPECT_EQ(timers.clock().now_ns(), 250u);
  timers.advance(1000);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[1], std::pair(3, uint64_t{300}));
}

}  // namespace
}  // namespace vmapple
