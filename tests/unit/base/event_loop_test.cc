#include "base/event_loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace vmapple {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kMs = 1'000'000;

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0); }
  ~Pipe() {
    close(fds[0]);
    close(fds[1]);
  }
  int r() const { return fds[0]; }
  void put(char c) const { ASSERT_EQ(write(fds[1], &c, 1), 1); }
};

// Runs the loop on this thread until `done()` or a generous deadline.
template <typename Pred>
bool run_until(EventLoop& loop, Pred done, std::chrono::milliseconds limit = 5000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    loop.run_once(10);
  }
  return true;
}

// Runs loop.run() on another thread; finished() reports whether run() returned.
class LoopThread {
 public:
  explicit LoopThread(EventLoop& loop) : loop_(loop) {
    auto ran = std::make_shared<std::promise<void>>();
    done_ = ran->get_future();
    thread_ = std::thread([this, ran] {
      id_ = std::this_thread::get_id();
      loop_.run();
      ran->set_value();
    });
  }
  ~LoopThread() {
    // Recover from a hung run(): keep waking it until it returns.
    while (done_.wait_for(0ms) != std::future_status::ready) {
      loop_.stop();
      loop_.post([] {});
      std::this_thread::sleep_for(1ms);
    }
    thread_.join();
  }
  bool finished_within(std::chrono::milliseconds ms) {
    return done_.wait_for(ms) == std::future_status::ready;
  }
  std::thread::id id() const { return id_; }

 private:
  EventLoop& loop_;
  std::future<void> done_;
  std::thread thread_;
  std::atomic<std::thread::id> id_;
};

TEST(EventLoop, FdHandlerRunsWhenReadableAndNotAfterRemoval) {
  EventLoop loop;
  Pipe p;
  std::vector<char> got;
  uint32_t seen_events = 0;
  loop.add_fd(p.r(), EPOLLIN, [&](uint32_t events) {
    seen_events = events;
    char c;
    while (read(p.r(), &c, 1) == 1)
      got.push_back(c);
  });

  loop.run_once(0);
  EXPECT_TRUE(got.empty());  // nothing written yet

  p.put('a');
  p.put('b');
  ASSERT_TRUE(run_until(loop, [&] { return got.size() == 2; }));
  EXPECT_EQ(got, (std::vector<char>{'a', 'b'}));
  EXPECT_TRUE(seen_events & EPOLLIN);

  loop.remove_fd(p.r());
  p.put('c');
  loop.run_once(50);
  EXPECT_EQ(got.size(), 2u);
}

TEST(EventLoop, ModifyFdChangesTheWatchedEvents) {
  EventLoop loop;
  Pipe p;
  int calls = 0;
  loop.add_fd(p.fds[1], 0, [&](uint32_t events) {
    EXPECT_TRUE(events & EPOLLOUT);
    ++calls;
  });
  loop.run_once(20);
  EXPECT_EQ(calls, 0);  // writable, but not asked for
  loop.modify_fd(p.fds[1], EPOLLOUT);
  loop.run_once(1000);
  EXPECT_EQ(calls, 1);
  loop.remove_fd(p.fds[1]);
}

TEST(EventLoop, HandlerRemovedByAnotherHandlerInTheSameWakeupIsNotCalled) {
  EventLoop loop;
  Pipe a, b;
  int calls = 0;
  char c;
  loop.add_fd(a.r(), EPOLLIN, [&](uint32_t) {
    ++calls;
    EXPECT_EQ(read(a.r(), &c, 1), 1);
    loop.remove_fd(b.r());
  });
  loop.add_fd(b.r(), EPOLLIN, [&](uint32_t) {
    ++calls;
    EXPECT_EQ(read(b.r(), &c, 1), 1);
    loop.remove_fd(a.r());
  });
  a.put('x');
  b.put('y');
  std::this_thread::sleep_for(5ms);
  loop.run_once(1000);  // both are ready in one epoll_wait
  loop.run_once(20);
  EXPECT_EQ(calls, 1);
}

TEST(EventLoop, TimersFireInDeadlineOrderNotBeforeTheirDeadline) {
  EventLoop loop;
  uint64_t now = loop.clock().now_ns();
  std::vector<std::pair<int, uint64_t>> fired;
  auto add = [&](int tag, uint64_t deadline) {
    loop.schedule(deadline, [&, tag] { fired.emplace_back(tag, loop.clock().now_ns()); });
  };
  add(3, now + 30 * kMs);
  add(1, now + 10 * kMs);
  add(2, now + 20 * kMs);
  add(4, now + 30 * kMs);  // same deadline as 3: scheduled later, fires later
  ASSERT_TRUE(run_until(loop, [&] { return fired.size() == 4; }));
  ASSERT_EQ(fired.size(), 4u);
  const uint64_t deadlines[] = {10, 20, 30, 30};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(fired[i].first, i + 1);
    EXPECT_GE(fired[i].second, now + deadlines[i] * kMs) << "timer " << i + 1 << " fired early";
  }
}

TEST(EventLoop, PastDeadlineFiresPromptly) {
  EventLoop loop;
  std::this_thread::sleep_for(2ms);
  bool fired = false;
  loop.schedule(0, [&] { fired = true; });
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(loop, [&] { return fired; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST(EventLoop, CancelledTimerNeverFires) {
  EventLoop loop;
  uint64_t now = loop.clock().now_ns();
  bool early = false, late = false;
  auto id = loop.schedule(now + 5 * kMs, [&] { early = true; });
  loop.schedule(now + 25 * kMs, [&] { late = true; });
  loop.cancel(id);
  loop.cancel(id);                    // twice: harmless
  loop.cancel(TimerQueue::kNoTimer);  // never issued: harmless
  ASSERT_TRUE(run_until(loop, [&] { return late; }));
  loop.run_once(20);
  EXPECT_FALSE(early);
}

TEST(EventLoop, TimerCallbackCanCancelAnotherDueTimer) {
  EventLoop loop;
  uint64_t now = loop.clock().now_ns();
  int first = 0, second = 0;
  TimerQueue::TimerId second_id = 0;
  loop.schedule(now + 5 * kMs, [&] {
    ++first;
    loop.cancel(second_id);
  });
  second_id = loop.schedule(now + 5 * kMs + 1, [&] { ++second; });
  std::this_thread::sleep_for(15ms);  // both due by the time the loop looks
  ASSERT_TRUE(run_until(loop, [&] { return first == 1; }));
  loop.run_once(20);
  EXPECT_EQ(second, 0);
}

TEST(EventLoop, TimerCallbackCanRescheduleItself) {
  EventLoop loop;
  int ticks = 0;
  std::function<void()> tick = [&] {
    if (++ticks < 5) loop.schedule(loop.clock().now_ns() + kMs, tick);
  };
  loop.schedule(loop.clock().now_ns() + kMs, tick);
  ASSERT_TRUE(run_until(loop, [&] { return ticks == 5; }));
}

TEST(EventLoop, EarlierTimerFromAnotherThreadWakesABlockedRun) {
  EventLoop loop;
  uint64_t now = loop.clock().now_ns();
  loop.schedule(now + 60'000 * kMs, [] {});  // far away: run() sleeps on it
  LoopThread t(loop);
  std::this_thread::sleep_for(10ms);
  std::atomic<bool> fired{false};
  loop.schedule(loop.clock().now_ns() + 5 * kMs, [&] {
    fired = true;
    loop.stop();
  });
  EXPECT_TRUE(t.finished_within(5000ms));
  EXPECT_TRUE(fired);
}

TEST(EventLoop, PostFromAnotherThreadWakesABlockedRunAndRunsOnTheLoopThread) {
  EventLoop loop;
  LoopThread t(loop);
  std::this_thread::sleep_for(10ms);  // let run() block in epoll_wait
  std::promise<std::thread::id> ran_on;
  loop.post([&] { ran_on.set_value(std::this_thread::get_id()); });
  auto f = ran_on.get_future();
  ASSERT_EQ(f.wait_for(5000ms), std::future_status::ready);
  EXPECT_EQ(f.get(), t.id());
  EXPECT_NE(t.id(), std::this_thread::get_id());
  loop.stop();
  EXPECT_TRUE(t.finished_within(5000ms));
}

TEST(EventLoop, PostedCallsRunInOrderAndMayPostMore) {
  EventLoop loop;
  std::vector<int> order;
  loop.post([&] {
    order.push_back(1);
    loop.post([&] { order.push_back(3); });
  });
  loop.post([&] { order.push_back(2); });
  ASSERT_TRUE(run_until(loop, [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoop, ManyThreadsPostingLoseNothing) {
  EventLoop loop;
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j)
        loop.post([&] { ++count; });
    });
  }
  ASSERT_TRUE(run_until(loop, [&] { return count == 4000; }));
  for (auto& t : threads)
    t.join();
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
  EventLoop loop;
  LoopThread t(loop);
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(t.finished_within(0ms));
  loop.stop();
  EXPECT_TRUE(t.finished_within(5000ms));
}

TEST(EventLoop, StopFromACallbackEndsRunAfterThatCallback) {
  EventLoop loop;
  bool after = false;
  loop.post([&] { loop.stop(); });
  loop.run();
  EXPECT_FALSE(loop.run_once(0));
  loop.post([&] { after = true; });
  EXPECT_FALSE(loop.run_once(100));  // still dispatches, still stopped
  EXPECT_TRUE(after);
}

TEST(EventLoop, RunAfterStopReturnsAtOnce) {
  EventLoop loop;
  loop.stop();
  {
    LoopThread t(loop);
    EXPECT_TRUE(t.finished_within(5000ms));
  }
  // The stop request was consumed by the first run(); a second run() must
  // still see it rather than sleep forever.
  LoopThread again(loop);
  EXPECT_TRUE(again.finished_within(5000ms));
}

}  // namespace
}  // namespace vmapple
