#pragma once
// The I/O thread's loop: epoll over file descriptors, one timerfd for the
// earliest device timer, and an eventfd through which any thread posts
// deferred calls or wakes the loop.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/clock.h"

namespace vmapple {

class EventLoop final : public TimerQueue {
 public:
  using FdHandler = std::function<void(uint32_t epoll_events)>;

  EventLoop();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` for `events` (EPOLLIN, EPOLLOUT, ...). Safe from any thread;
  // after remove_fd() returns on the loop thread the handler is not called again.
  void add_fd(int fd, uint32_t events, FdHandler handler);
  void modify_fd(int fd, uint32_t events);
  void remove_fd(int fd);

  const Clock& clock() const override { return clock_; }
  TimerId schedule(uint64_t deadline_ns, std::function<void()> callback) override;
  void cancel(TimerId id) override;

  // Runs `fn` on the loop thread soon. Safe from any thread.
  void post(std::function<void()> fn);

  // Runs until stop(). run_once() waits at most timeout_ms (-1: forever) and
  // dispatches what is ready; returns false once stop() was called.
  void run();
  bool run_once(int timeout_ms);
  void stop();

 private:
  void wake();
  void rearm_timer_locked();
  void fire_timers();
  void run_posted();

  HostClock clock_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int timer_fd_ = -1;

  std::mutex mutex_;
  bool stopped_ = false;
  std::vector<std::function<void()>> posted_;
  std::map<std::pair<uint64_t, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, uint64_t> timer_deadlines_;
  TimerId next_timer_ = 0;
  std::unordered_map<int, std::shared_ptr<FdHandler>> handlers_;
};

}  // namespace vmapple
