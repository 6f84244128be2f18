#include "base/clock.h"

#include <time.h>

namespace vmapple {

uint64_t HostClock::monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

HostClock::HostClock() : origin_(monotonic_ns()) {}

uint64_t HostClock::now_ns() const {
  return monotonic_ns() - origin_;
}

}  // namespace vmapple
