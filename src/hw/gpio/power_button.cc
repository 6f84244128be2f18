#include "hw/gpio/power_button.h"

#include <stdexcept>

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("power-button");

}  // namespace

PowerButton::PowerButton(Pl061& gpio, TimerQueue& timers, unsigned line)
    : gpio_(gpio), timers_(timers), line_(line) {
  if (line >= Pl061::kNumLines)
    throw std::invalid_argument(fmt::format("power button: no GPIO line {}", line));
}

PowerButton::~PowerButton() {
  std::lock_guard lock(mutex_);
  if (timer_ != TimerQueue::kNoTimer) timers_.cancel(timer_);
}

void PowerButton::press() {
  std::lock_guard lock(mutex_);
  uint64_t generation = ++generation_;
  if (timer_ != TimerQueue::kNoTimer) timers_.cancel(timer_);
  VMAPPLE_TRACE(kTrace, "pressed{}", held_ ? " again (pulse restarted)" : "");
  held_ = true;
  gpio_.set_input(line_, true);
  uint64_t deadline = timers_.clock().now_ns() + kPulseNs;
  timer_ = timers_.schedule(deadline, [this, generation] { release(generation); });
}

void PowerButton::release(uint64_t generation) {
  std::lock_guard lock(mutex_);
  // A press or reset after this timer was armed owns the line now.
  if (generation != generation_) return;
  timer_ = TimerQueue::kNoTimer;
  held_ = false;
  VMAPPLE_TRACE(kTrace, "released");
  gpio_.set_input(line_, false);
}

void PowerButton::reset() {
  std::lock_guard lock(mutex_);
  ++generation_;
  if (timer_ != TimerQueue::kNoTimer) timers_.cancel(timer_);
  timer_ = TimerQueue::kNoTimer;
  held_ = false;
  gpio_.set_input(line_, false);
}

bool PowerButton::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace vmapple
