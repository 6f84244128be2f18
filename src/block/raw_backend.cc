// The raw-image BlockBackend: checks each request against the image and the
// read-only flag, then hands it to an I/O engine.
#include <sys/uio.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <limits>

#include <fmt/format.h>

#include "base/error.h"
#include "base/event_loop.h"
#include "base/log.h"
#include "block/image_file.h"
#include "block/io_engine.h"

namespace vmapple {
namespace {

trace::Category kTrace("block");

class RawBackend final : public BlockBackend {
 public:
  RawBackend(ImageFile file, uint64_t header, EventLoop& loop, std::unique_ptr<IoEngine> engine)
      : file_(std::move(file)), header_(header), loop_(loop), engine_(std::move(engine)) {}

  ~RawBackend() override {
    gate_->close();   // from here on no completion runs...
    engine_.reset();  // ...while the engine waits for the kernel or its workers
  }

  uint64_t size() const override { return file_.size() - header_; }
  bool read_only() const override { return file_.read_only(); }
  const std::string& path() const override { return file_.path(); }
  std::string_view engine_name() const override { return engine_->name(); }

  void readv(uint64_t offset, std::span<const iovec> iov, Completion done) override {
    transfer(IoRequest::Op::kRead, offset, iov, std::move(done));
  }

  int64_t try_read_now(uint64_t offset, std::span<const iovec> iov) override {
    if (!nowait_reads_.load(std::memory_order_relaxed)) return -EAGAIN;
    uint64_t length = 0;
    for (const iovec& v : iov)
      length += v.iov_len;
    if (iov.size() > IOV_MAX || !in_range(offset, length)) return -EAGAIN;
    // RWF_NOWAIT: EAGAIN instead of waiting for I/O; a short read (part of
    // the range not cached) goes the asynchronous way in full.
    ssize_t n = preadv2(file_.fd(), iov.data(), static_cast<int>(iov.size()),
                        static_cast<off_t>(offset + header_), RWF_NOWAIT);
    if (n < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
      nowait_reads_.store(false, std::memory_order_relaxed);  // this kernel or file system cannot
      return -EAGAIN;
    }
    if (n < 0) return -errno;
    return static_cast<uint64_t>(n) == length ? n : -EAGAIN;
  }

  void writev(uint64_t offset, std::span<const iovec> iov, Completion done) override {
    transfer(IoRequest::Op::kWrite, offset, iov, std::move(done));
  }

  void flush(Completion done) override {
    auto r = make(IoRequest::Op::kFlush, 0, 0, std::move(done));
    if (read_only()) return complete_soon(std::move(r), 0);  // nothing of ours to write back
    engine_->submit(std::move(r));
  }

  void discard(uint64_t offset, uint64_t length, Completion done) override {
    auto r = make(IoRequest::Op::kDiscard, offset, length, std::move(done));
    if (read_only()) return complete_soon(std::move(r), -EROFS);
    if (!in_range(offset, length)) return complete_soon(std::move(r), -EINVAL);
    if (length == 0) return complete_soon(std::move(r), 0);
    engine_->submit(std::move(r));
  }

 private:
  std::unique_ptr<IoRequest> make(IoRequest::Op op, uint64_t offset, uint64_t length,
                                  Completion done) {
    auto r = std::make_unique<IoRequest>();
    r->op = op;
    r->offset = offset + header_;  // the file offset
    r->length = length;
    r->completion = std::move(done);
    r->gate = gate_;
    return r;
  }

  void transfer(IoRequest::Op op, uint64_t offset, std::span<const iovec> iov, Completion done) {
    uint64_t length = 0;
    bool overflow = false;
    for (const iovec& v : iov) {
      overflow = overflow || v.iov_len > std::numeric_limits<uint64_t>::max() - length;
      length += v.iov_len;
    }
    auto r = make(op, offset, length, std::move(done));
    if (op == IoRequest::Op::kWrite && read_only()) return complete_soon(std::move(r), -EROFS);
    if (overflow || !in_range(offset, length)) {
      VMAPPLE_TRACE(kTrace, "{}: {} of {} bytes at {} is outside the image", path(),
                    op == IoRequest::Op::kRead ? "read" : "write", length, offset);
      return complete_soon(std::move(r), -EINVAL);
    }
    if (length == 0) return complete_soon(std::move(r), 0);
    r->iov.assign(iov.begin(), iov.end());
    r->advance(0);  // skips leading empty iovecs
    engine_->submit(std::move(r));
  }

  bool in_range(uint64_t offset, uint64_t length) const {
    return offset <= size() && length <= size() - offset;
  }

  // Completes a request that never reaches the engine, still on the loop.
  void complete_soon(std::unique_ptr<IoRequest> r, int64_t result) {
    std::shared_ptr<IoRequest> shared = std::move(r);
    loop_.post([shared, result] { shared->finish(result); });
  }

  ImageFile file_;
  uint64_t header_;
  EventLoop& loop_;
  std::shared_ptr<CompletionGate> gate_ = std::make_shared<CompletionGate>();
  std::unique_ptr<IoEngine> engine_;
  std::atomic<bool> nowait_reads_{true};
};

std::unique_ptr<IoEngine> make_engine(const BlockOptions& options, int fd, EventLoop& loop) {
  using Engine = BlockOptions::Engine;
  if (options.engine == Engine::kThreadPool) return make_thread_pool_engine(fd, loop);
  std::string why;
  if (auto engine = make_io_uring_engine(fd, loop, &why)) return engine;
  if (options.engine == Engine::kIoUring) {
    throw ConfigError(fmt::format("disk '{}': io_uring is not available: {}", options.path, why));
  }
  VMAPPLE_TRACE(kTrace, "{}: io_uring is not available ({}), using worker threads", options.path,
                why);
  return make_thread_pool_engine(fd, loop);
}

}  // namespace

std::unique_ptr<BlockBackend> BlockBackend::open(const BlockOptions& options, EventLoop& loop) {
  ImageFile file = ImageFile::open(options.path, options.read_only);
  if (options.header_offset % 512 != 0 || options.header_offset > file.size())
    throw ConfigError(fmt::format("disk '{}': a {}-byte header does not fit a {}-byte image",
                                  options.path, options.header_offset, file.size()));
  auto engine = make_engine(options, file.fd(), loop);
  VMAPPLE_TRACE(kTrace, "{}: {} bytes, {}, {}", options.path, file.size(),
                options.read_only ? "read-only" : "read-write", engine->name());
  return std::make_unique<RawBackend>(std::move(file), options.header_offset, loop,
                                      std::move(engine));
}

}  // namespace vmapple
