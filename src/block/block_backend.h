#pragma once
// Disk images for the block devices (virtio-blk, bdif): asynchronous reads,
// writes, flushes and discards whose completions run on the EventLoop thread.
//
// BlockBackend is an interface so device tests can substitute a fake (e.g. one
// that fails with -EIO); BlockBackend::open() gives the raw-image backend. See
// docs/block.md for the locking, flush and discard semantics.
#include <sys/uio.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace vmapple {

class EventLoop;

struct BlockOptions {
  std::string path;
  bool read_only = false;
  enum class Engine { kAuto, kIoUring, kThreadPool } engine = Engine::kAuto;
  // Bytes at the start of the file the guest never sees (the 16 KiB header
  // of a Virtualization.framework aux storage); a multiple of 512.
  uint64_t header_offset = 0;
};

class BlockBackend {
 public:
  // `result` is the number of bytes transferred (reads and writes), 0 (flush,
  // discard) or -errno. Completions always run on the EventLoop thread, never
  // inside the call that submitted the request.
  using Completion = std::function<void(int64_t result)>;

  // Opens and locks a raw image (regular file or block device). Throws
  // ConfigError with one line naming the file and the problem. The loop must
  // outlive the backend.
  static std::unique_ptr<BlockBackend> open(const BlockOptions& options, EventLoop& loop);

  // Waits for or cancels requests in flight; no completion runs once the
  // destructor has started (a completion already running on the loop thread
  // is waited for). Do not destroy it while holding a lock its completions take.
  virtual ~BlockBackend() = default;

  virtual uint64_t size() const = 0;
  virtual bool read_only() const = 0;
  virtual const std::string& path() const = 0;
  // "io_uring" or "thread-pool".
  virtual std::string_view engine_name() const = 0;

  // Submission is thread-safe. The iovec array is copied; the buffers it
  // points to must stay valid until the completion runs. A range outside the
  // image completes with -EINVAL; writes and discards on a read-only backend
  // with -EROFS, without touching the file.
  virtual void readv(uint64_t offset, std::span<const iovec> iov, Completion done) = 0;
  // Reads at once, on the calling thread, only if that cannot wait for the
  // disk (the data is in the page cache): returns the bytes read (all of
  // them), or -EAGAIN (or another -errno) when the caller must use readv()
  // instead; the buffers' contents are then unspecified. No completion runs.
  virtual int64_t try_read_now(uint64_t offset, std::span<const iovec> iov) {
    (void)offset;
    (void)iov;
    return -EAGAIN;
  }
  virtual void writev(uint64_t offset, std::span<const iovec> iov, Completion done) = 0;
  // Completes with 0 once everything written before is on stable storage.
  virtual void flush(Completion done) = 0;
  // Deallocates the range, which then reads as zeroes. Advisory: where the
  // file system cannot, it completes with 0 and the data stays as it was.
  virtual void discard(uint64_t offset, uint64_t length, Completion done) = 0;

 protected:
  BlockBackend() = default;
  BlockBackend(const BlockBackend&) = delete;
  BlockBackend& operator=(const BlockBackend&) = delete;
};

}  // namespace vmapple
