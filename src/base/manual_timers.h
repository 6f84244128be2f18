#pragma once
// Virtual time for tests and fuzz targets: time moves only when advanced, and
// due timers fire in deadline order in the caller's thread.
#include <map>
#include <mutex>
#include <utility>

#include "base/clock.h"

namespace vmapple {

class ManualClock final : public Clock {
 public:
  uint64_t now_ns() const override { return now_; }
  void set(uint64_t ns) { now_ = ns; }

 private:
  uint64_t now_ = 0;
};

class ManualTimers final : public TimerQueue {
 public:
  const Clock& clock() const override { return clock_; }

  TimerId schedule(uint64_t deadline_ns, std::function<void()> callback) override {
    std::lock_guard lock(mutex_);
    TimerId id = ++next_id_;
    timers_.emplace(std::pair(deadline_ns, id), std::move(callback));
    return id;
  }

  void cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  // Moves time forward by `ns`, firing each timer at its own deadline.
  void advance(uint64_t ns) { advance_to(clock_.now_ns() + ns); }

  void advance_to(uint64_t target_ns) {
    for (;;) {
      std::function<void()> callback;
      {
        std::lock_guard lock(mutex_);
        if (timers_.empty() || timers_.begin()->first.first > target_ns) break;
        auto it = timers_.begin();
        clock_.set(std::max(clock_.now_ns(), it->first.first));
        callback = std::move(it->second);
        timers_.erase(it);
      }
      callback();
    }
    clock_.set(std::max(clock_.now_ns(), target_ns));
  }

  size_t pending() const {
    std::lock_guard lock(mutex_);
    return timers_.size();
  }

 private:
  ManualClock clock_;
  mutable std::mutex mutex_;
  TimerId next_id_ = 0;
  std::map<std::pair<uint64_t, TimerId>, std::function<void()>> timers_;
};

}  // namespace vmapple
