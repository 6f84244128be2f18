#include "base/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace vmapple {
namespace {

int check(int rc, const char* what) {
  if (rc < 0) throw std::system_error(errno, std::generic_category(), what);
  return rc;
}

}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = check(epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
  wake_fd_ = check(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
  timer_fd_ = check(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), "timerfd_create");
  for (int fd : {wake_fd_, timer_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    check(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl");
  }
}

EventLoop::~EventLoop() {
  close(timer_fd_);
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::add_fd(int fd, uint32_t events, FdHandler handler) {
  std::lock_guard lock(mutex_);
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  check(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl(ADD)");
  handlers_[fd] = std::make_shared<FdHandler>(std::move(handler));
}

void EventLoop::modify_fd(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  check(epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev), "epoll_ctl(MOD)");
}

void EventLoop::remove_fd(int fd) {
  std::lock_guard lock(mutex_);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

TimerQueue::TimerId EventLoop::schedule(uint64_t deadline_ns, std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  TimerId id = ++next_timer_;
  timers_.emplace(std::pair(deadline_ns, id), std::move(callback));
  timer_deadlines_[id] = deadline_ns;
  if (timers_.begin()->first.second == id) rearm_timer_locked();
  return id;
}

void EventLoop::cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  auto it = timer_deadlines_.find(id);
  if (it == timer_deadlines_.end()) return;
  timers_.erase(std::pair(it->second, id));
  timer_deadlines_.erase(it);
}

// Arms the timerfd for the earliest deadline (a spurious early wake-up after a
// cancel is harmless: fire_timers() re-checks).
void EventLoop::rearm_timer_locked() {
  itimerspec spec{};
  if (!timers_.empty()) {
    uint64_t deadline = timers_.begin()->first.first;
    uint64_t now = clock_.now_ns();
    uint64_t delay = deadline > now ? deadline - now : 1;
    spec.it_value.tv_sec = static_cast<time_t>(delay / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(delay % 1'000'000'000);
  }
  timerfd_settime(timer_fd_, 0, &spec, nullptr);
}

void EventLoop::fire_timers() {
  uint64_t expirations;
  while (read(timer_fd_, &expirations, sizeof expirations) > 0) {
  }
  for (;;) {
    std::function<void()> callback;
    {
      std::lock_guard lock(mutex_);
      if (timers_.empty() || timers_.begin()->first.first > clock_.now_ns()) {
        rearm_timer_locked();
        return;
      }
      auto it = timers_.begin();
      timer_deadlines_.erase(it->first.second);
      callback = std::move(it->second);
      timers_.erase(it);
    }
    callback();
  }
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(fn));
  }
  wake();
}

void EventLoop::wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::run_posted() {
  uint64_t count;
  while (read(wake_fd_, &count, sizeof count) > 0) {
  }
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch)
    fn();
}

bool EventLoop::run_once(int timeout_ms) {
  epoll_event events[32];
  int n = epoll_wait(epoll_fd_, events, 32, timeout_ms);
  if (n < 0 && errno != EINTR)
    throw std::system_error(errno, std::generic_category(), "epoll_wait");
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      run_posted();
    } else if (fd == timer_fd_) {
      fire_timers();
    } else {
      std::shared_ptr<FdHandler> handler;
      {
        std::lock_guard lock(mutex_);
        auto it = handlers_.find(fd);
        if (it != handlers_.end()) handler = it->second;
      }
      if (handler) (*handler)(events[i].events);
    }
  }
  std::lock_guard lock(mutex_);
  return !stopped_;
}

// Checks the flag before sleeping: a stop() whose wake-up an earlier run()
// already consumed must still end this one.
void EventLoop::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
    }
    if (!run_once(-1)) return;
  }
}

void EventLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  wake();
}

}  // namespace vmapple
