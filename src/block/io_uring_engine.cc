// The io_uring engine: any thread queues requests and signals an eventfd; the
// EventLoop thread moves them into the ring, and the same eventfd, registered
// with the ring, wakes it to reap completions, resubmit the rest of short
// transfers and run the completions.
#include <fcntl.h>
#include <liburing.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <optional>
#include <system_error>

#include "base/event_loop.h"
#include "block/io_engine.h"

namespace vmapple {
namespace {

// Also the cap on requests in flight, so the completion queue (twice as deep)
// can never overflow; further requests wait in the queue.
constexpr unsigned kRingEntries = 128;

std::string errno_text(int err) {
  return std::system_category().message(err);
}

// Everything the loop's fd handler touches lives here, shared with the
// handler, so a handler already running when the engine goes away is safe.
class Ring {
 public:
  explicit Ring(int fd) : file_fd_(fd) {}

  ~Ring() {
    if (ring_ready_) io_uring_queue_exit(&ring_);
    if (event_fd_ >= 0) close(event_fd_);
  }

  bool init(std::string* why) {
    int rc = io_uring_queue_init(kRingEntries, &ring_, 0);
    if (rc < 0) {
      *why = "io_uring_queue_init: " + errno_text(-rc);
      return false;
    }
    ring_ready_ = true;
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    if (!probe) {
      *why = "the kernel cannot list its io_uring operations";
      return false;
    }
    bool ok = true;
    for (int op : {IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC, IORING_OP_FALLOCATE}) {
      ok = ok && io_uring_opcode_supported(probe, op);
    }
    io_uring_free_probe(probe);
    if (!ok) {
      *why = "the kernel lacks an io_uring operation (readv, writev, fsync, fallocate)";
      return false;
    }
    event_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (event_fd_ < 0) {
      *why = "eventfd: " + errno_text(errno);
      return false;
    }
    rc = io_uring_register_eventfd(&ring_, event_fd_);
    if (rc < 0) {
      *why = "io_uring_register_eventfd: " + errno_text(-rc);
      return false;
    }
    return true;
  }

  int event_fd() const { return event_fd_; }

  // Any thread. Only the loop thread touches the submission queue: the
  // kernel cancels requests whose submitting thread exits, and a device may
  // submit from a vCPU thread that is about to.
  void submit(std::unique_ptr<IoRequest> r) {
    bool was_empty;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      was_empty = queued_.empty();
      queued_.push_back(std::move(r));
    }
    if (was_empty) eventfd_write(event_fd_, 1);  // else a wake-up is already due
  }

  // On the loop thread, when the eventfd is readable: the kernel posted
  // completions, or a thread queued requests.
  void service() {
    eventfd_t count;
    eventfd_read(event_fd_, &count);
    std::vector<std::pair<std::unique_ptr<IoRequest>, int64_t>> finished;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      io_uring_cqe* cqe;
      while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
        std::unique_ptr<IoRequest> r(static_cast<IoRequest*>(io_uring_cqe_get_data(cqe)));
        int res = cqe->res;
        io_uring_cqe_seen(&ring_, cqe);
        --in_flight_;
        if (auto result = progress(*r, res)) {
          finished.emplace_back(std::move(r), *result);
        } else {
          start_locked(r.release());  // the rest of a short transfer, or a retry
        }
      }
      while (in_flight_ < kRingEntries && !queued_.empty()) {
        start_locked(queued_.front().release());
        queued_.pop_front();
      }
      submit_locked();
    }
    for (auto& [r, result] : finished)
      r->finish(result);
  }

  // Drops queued requests and waits for every one the kernel holds; their
  // completions are not run.
  void shut_down() {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queued_.clear();
    submit_locked();
    while (in_flight_ > 0) {
      io_uring_cqe* cqe;
      int rc = io_uring_wait_cqe(&ring_, &cqe);
      if (rc == -EINTR) continue;
      if (rc < 0) break;  // cannot happen with requests in flight; do not spin
      delete static_cast<IoRequest*>(io_uring_cqe_get_data(cqe));
      io_uring_cqe_seen(&ring_, cqe);
      --in_flight_;
    }
  }

 private:
  // The request's result once it is done, or nothing if it must go again.
  static std::optional<int64_t> progress(IoRequest& r, int res) {
    switch (r.op) {
      case IoRequest::Op::kRead:
      case IoRequest::Op::kWrite:
        if (res == -EAGAIN || res == -EINTR) return std::nullopt;
        if (res < 0) return res;
        if (res == 0) return -EIO;  // end of file: the image shrank under us
        if (r.advance(static_cast<uint64_t>(res))) return static_cast<int64_t>(r.done);
        return std::nullopt;
      case IoRequest::Op::kFlush:
        return res < 0 ? res : 0;
      case IoRequest::Op::kDiscard:
        return discard_result(res);
    }
    return -EINVAL;
  }

  void start_locked(IoRequest* r) {
    // The SQ has room: entries not yet handed to the kernel count as in
    // flight, and at most kRingEntries are.
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    switch (r->op) {
      case IoRequest::Op::kRead:
        io_uring_prep_readv(sqe, file_fd_, r->pending_iov(),
                            static_cast<unsigned>(r->pending_iov_count()), r->pending_offset());
        break;
      case IoRequest::Op::kWrite:
        io_uring_prep_writev(sqe, file_fd_, r->pending_iov(),
                             static_cast<unsigned>(r->pending_iov_count()), r->pending_offset());
        break;
      case IoRequest::Op::kFlush:
        io_uring_prep_fsync(sqe, file_fd_, IORING_FSYNC_DATASYNC);
        break;
      case IoRequest::Op::kDiscard:
        io_uring_prep_fallocate(sqe, file_fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                static_cast<off_t>(r->offset), static_cast<off_t>(r->length));
        break;
    }
    io_uring_sqe_set_data(sqe, r);
    ++in_flight_;
  }

  void submit_locked() {
    // A transient failure (EAGAIN, EBUSY) leaves the entries in the ring:
    // wake the loop again to retry rather than stall.
    while (io_uring_sq_ready(&ring_) > 0) {
      int rc = io_uring_submit(&ring_);
      if (rc == -EINTR) continue;
      if (rc <= 0) {
        eventfd_write(event_fd_, 1);
        break;
      }
    }
  }

  const int file_fd_;
  io_uring ring_{};
  bool ring_ready_ = false;
  int event_fd_ = -1;

  std::mutex mutex_;
  bool closing_ = false;
  unsigned in_flight_ = 0;
  std::deque<std::unique_ptr<IoRequest>> queued_;  // not yet in the ring
};

class IoUringEngine final : public IoEngine {
 public:
  IoUringEngine(std::shared_ptr<Ring> ring, EventLoop& loop) : ring_(std::move(ring)), loop_(loop) {
    loop_.add_fd(ring_->event_fd(), EPOLLIN, [ring = ring_](uint32_t) { ring->service(); });
  }

  ~IoUringEngine() override {
    ring_->shut_down();
    loop_.remove_fd(ring_->event_fd());
  }

  std::string_view name() const override { return "io_uring"; }
  void submit(std::unique_ptr<IoRequest> request) override { ring_->submit(std::move(request)); }

 private:
  std::shared_ptr<Ring> ring_;
  EventLoop& loop_;
};

}  // namespace

std::unique_ptr<IoEngine> make_io_uring_engine(int fd, EventLoop& loop, std::string* why) {
  auto ring = std::make_shared<Ring>(fd);
  if (!ring->init(why)) return nullptr;
  return std::make_unique<IoUringEngine>(std::move(ring), loop);
}

}  // namespace vmapple
