#pragma once
// The vmapple power button: a host power-down request drives a PL061 input
// line high for 100 ms of guest time, then low again (spec 2.9). Pressing
// again while the line is still high restarts the 100 ms from the new press;
// the line stays high throughout, so the guest sees one rising edge.
#include <cstdint>
#include <mutex>
#include <string_view>

#include "base/clock.h"
#include "hw/device.h"
#include "hw/gpio/pl061.h"

namespace vmapple {

class PowerButton final : public Device {
 public:
  static constexpr uint64_t kPulseNs = 100'000'000;
  static constexpr unsigned kDefaultLine = 3;

  // Throws std::invalid_argument if `line` is not a PL061 line.
  PowerButton(Pl061& gpio, TimerQueue& timers, unsigned line = kDefaultLine);
  // The owner destroys the button only once `timers` runs no more callbacks.
  ~PowerButton() override;
  PowerButton(const PowerButton&) = delete;
  PowerButton& operator=(const PowerButton&) = delete;

  std::string_view name() const override { return "power-button"; }
  // Releases the button at once (a pending pulse is dropped).
  void reset() override;

  // Thread-safe.
  void press();
  bool held() const;

 private:
  void release(uint64_t generation);

  Pl061& gpio_;
  TimerQueue& timers_;
  const unsigned line_;

  mutable std::mutex mutex_;
  uint64_t generation_ = 0;  // bumped by every press and reset
  TimerQueue::TimerId timer_ = TimerQueue::kNoTimer;
  bool held_ = false;
};

}  // namespace vmapple
