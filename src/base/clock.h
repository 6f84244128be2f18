#pragma once
// Guest time. The guest counter runs at 24 MHz (CNTFRQ_EL0, as on Apple
// silicon); device timers are scheduled in nanoseconds of the same clock.
#include <cstdint>
#include <functional>

namespace vmapple {

class Clock {
 public:
  static constexpr uint64_t kCounterHz = 24'000'000;

  virtual ~Clock() = default;
  // Nanoseconds since the clock was created; monotonic.
  virtual uint64_t now_ns() const = 0;

  uint64_t counter() const { return ns_to_ticks(now_ns()); }
  static constexpr uint64_t ns_to_ticks(uint64_t ns) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * kCounterHz / 1'000'000'000);
  }
  static constexpr uint64_t ticks_to_ns(uint64_t ticks) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ticks) * 1'000'000'000 /
                                 kCounterHz);
  }
};

// CLOCK_MONOTONIC, counted from construction.
class HostClock final : public Clock {
 public:
  HostClock();
  uint64_t now_ns() const override;
  static uint64_t monotonic_ns();

 private:
  uint64_t origin_;
};

// One-shot device timers. Callbacks run on the I/O thread (or in the test's
// thread for ManualTimers) without any device lock held; a callback that
// races with cancel() may still run once, so devices check their own state
// (e.g. a generation number) under their lock before acting.
class TimerQueue {
 public:
  using TimerId = uint64_t;
  static constexpr TimerId kNoTimer = 0;

  virtual ~TimerQueue() = default;
  virtual const Clock& clock() const = 0;
  virtual TimerId schedule(uint64_t deadline_ns, std::function<void()> callback) = 0;
  virtual void cancel(TimerId id) = 0;
};

}  // namespace vmapple
