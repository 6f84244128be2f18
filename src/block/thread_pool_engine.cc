// The portable engine: a few worker threads doing blocking preadv/pwritev/
// fdatasync/fallocate, each posting its completion to the EventLoop. Used
// where io_uring is unavailable or not wanted.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <thread>

#include "base/event_loop.h"
#include "block/io_engine.h"

namespace vmapple {
namespace {

// Runs a read or write to the end, continuing short transfers.
int64_t transfer(int fd, IoRequest& r) {
  while (r.done < r.length) {
    ssize_t n = r.op == IoRequest::Op::kRead ? preadv(fd, r.pending_iov(), r.pending_iov_count(),
                                                      static_cast<off_t>(r.pending_offset()))
                                             : pwritev(fd, r.pending_iov(), r.pending_iov_count(),
                                                       static_cast<off_t>(r.pending_offset()));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -errno;
    }
    if (n == 0) return -EIO;  // end of file (the image shrank) or a device that will not take more
    r.advance(static_cast<uint64_t>(n));
  }
  return static_cast<int64_t>(r.done);
}

int64_t execute(int fd, IoRequest& r) {
  switch (r.op) {
    case IoRequest::Op::kRead:
    case IoRequest::Op::kWrite:
      return transfer(fd, r);
    case IoRequest::Op::kFlush:
      return fdatasync(fd) == 0 ? 0 : -errno;
    case IoRequest::Op::kDiscard: {
      int rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                         static_cast<off_t>(r.offset), static_cast<off_t>(r.length));
      return discard_result(rc == 0 ? 0 : -errno);
    }
  }
  return -EINVAL;
}

class ThreadPoolEngine final : public IoEngine {
 public:
  ThreadPoolEngine(int fd, EventLoop& loop) : fd_(fd), loop_(loop) {
    unsigned n = std::clamp(std::thread::hardware_concurrency(), 2u, 4u);
    // Workers block every signal, so that signals meant for vCPU threads or
    // the main thread are never delivered to them.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
      for (unsigned i = 0; i < n; ++i) {
        workers_.emplace_back([this] { work(); });
        pthread_setname_np(workers_.back().native_handle(), "vmapple-blk");
      }
    } catch (...) {
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
      stop();
      throw;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  ~ThreadPoolEngine() override { stop(); }

  std::string_view name() const override { return "thread-pool"; }

  void submit(std::unique_ptr<IoRequest> request) override {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(request));
    }
    wake_.notify_one();
  }

 private:
  // Drops queued requests and waits for those in progress.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      queue_.clear();
    }
    wake_.notify_all();
    for (auto& t : workers_)
      t.join();
  }

  void work() {
    for (;;) {
      std::shared_ptr<IoRequest> r;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        r = std::move(queue_.front());
        queue_.pop_front();
      }
      int64_t result = execute(fd_, *r);
      loop_.post([r, result] { r->finish(result); });
    }
  }

  const int fd_;
  EventLoop& loop_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<IoRequest>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::unique_ptr<IoEngine> make_thread_pool_engine(int fd, EventLoop& loop) {
  return std::make_unique<ThreadPoolEngine>(fd, loop);
}

}  // namespace vmapple
