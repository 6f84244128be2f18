#pragma once
// What the raw backend hands to an I/O engine (io_uring or the thread pool),
// and what every engine shares: continuing short transfers, and the gate that
// keeps completions from running once the backend is being destroyed.
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "block/block_backend.h"

namespace vmapple {

// Closed by the backend's destructor. A recursive mutex so that a completion
// may destroy its own backend.
struct CompletionGate {
  std::recursive_mutex mutex;
  bool open = true;

  void close() {
    std::lock_guard lock(mutex);
    open = false;
  }
};

struct IoRequest {
  enum class Op { kRead, kWrite, kFlush, kDiscard };

  Op op = Op::kRead;
  uint64_t offset = 0;     // of the whole request
  uint64_t length = 0;     // bytes to transfer or discard
  uint64_t done = 0;       // bytes transferred so far
  std::vector<iovec> iov;  // from `next_iov` on: what is still to transfer
  size_t next_iov = 0;
  BlockBackend::Completion completion;
  std::shared_ptr<CompletionGate> gate;

  // The iovecs of the next read or write call, capped at IOV_MAX.
  const iovec* pending_iov() const { return iov.data() + next_iov; }
  int pending_iov_count() const;
  uint64_t pending_offset() const { return offset + done; }

  // Records `n` more bytes transferred; returns whether the request is done.
  bool advance(uint64_t n);

  // Runs the completion unless the backend is gone. On the loop thread only.
  void finish(int64_t result);
};

// Maps a finished discard's result: discard is advisory, so "cannot" is success.
int64_t discard_result(int64_t result);

class IoEngine {
 public:
  // Waits for requests in flight (their completions are then dropped, as the
  // gate is already closed) and drops those not started.
  virtual ~IoEngine() = default;
  virtual std::string_view name() const = 0;
  // Thread-safe. The request's completion runs later on the loop thread.
  virtual void submit(std::unique_ptr<IoRequest> request) = 0;
};

// Null (with `why` set) when io_uring or one of the operations it needs is
// not available: a kernel too old, or io_uring blocked by seccomp or sysctl.
std::unique_ptr<IoEngine> make_io_uring_engine(int fd, EventLoop& loop, std::string* why);
std::unique_ptr<IoEngine> make_thread_pool_engine(int fd, EventLoop& loop);

}  // namespace vmapple
