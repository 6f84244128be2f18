// I/O through BlockBackend, for both engines.
#include "block/block_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/event_loop.h"
#include "unit/block/block_test_util.h"

namespace vmapple {
namespace {

using test::Outcome;
using test::run_until;
using test::wait;
using Engine = BlockOptions::Engine;

constexpr size_t kImageSize = 1 << 20;

iovec io(void* base, size_t len) {
  return iovec{base, len};
}

class BlockBackendTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    image_ = dir_.file("disk.img");
    test::write_file(image_, test::make_pattern(kImageSize));
  }

  std::unique_ptr<BlockBackend> open(bool read_only = false) {
    try {
      return BlockBackend::open({image_, read_only, GetParam()}, loop_);
    } catch (const ConfigError& e) {
      if (GetParam() == Engine::kIoUring &&
          std::string(e.what()).find("io_uring") != std::string::npos) {
        unavailable_ = e.what();
        return nullptr;
      }
      throw;
    }
  }

  // Opens the image or skips the test where io_uring is unavailable.
#define OPEN_OR_SKIP(var, ...)            \
  auto var = open(__VA_ARGS__);           \
  if (!var) GTEST_SKIP() << unavailable_; \
  static_assert(true)

  int64_t read(BlockBackend& b, uint64_t offset, std::vector<iovec> iov) {
    Outcome o;
    b.readv(offset, iov, o.completion());
    return wait(loop_, o);
  }
  int64_t write(BlockBackend& b, uint64_t offset, std::vector<iovec> iov) {
    Outcome o;
    b.writev(offset, iov, o.completion());
    return wait(loop_, o);
  }
  int64_t flush(BlockBackend& b) {
    Outcome o;
    b.flush(o.completion());
    return wait(loop_, o);
  }
  int64_t discard(BlockBackend& b, uint64_t offset, uint64_t length) {
    Outcome o;
    b.discard(offset, length, o.completion());
    return wait(loop_, o);
  }

  test::ScratchDir dir_;
  std::string image_;
  EventLoop loop_;
  std::string unavailable_;
};

TEST_P(BlockBackendTest, ReportsWhatItOpened) {
  OPEN_OR_SKIP(b);
  EXPECT_EQ(b->size(), kImageSize);
  EXPECT_EQ(b->path(), image_);
  EXPECT_FALSE(b->read_only());
  EXPECT_EQ(b->engine_name(), GetParam() == Engine::kIoUring ? "io_uring" : "thread-pool");
}

TEST_P(BlockBackendTest, ScatterGatherRoundTripAtOddOffsets) {
  OPEN_OR_SKIP(b);
  // Three pieces of odd lengths, written at an odd offset that straddles
  // sector and page boundaries.
  std::vector<uint8_t> a(3, 0xA1), m(4099, 0), z(77, 0xC3);
  for (size_t i = 0; i < m.size(); ++i)
    m[i] = static_cast<uint8_t>(i ^ 0x5a);
  const uint64_t offset = 4096 * 3 - 5;
  EXPECT_EQ(
      write(*b, offset, {io(a.data(), a.size()), io(m.data(), m.size()), io(z.data(), z.size())}),
      int64_t(a.size() + m.size() + z.size()));

  // What a plain pread sees: the new bytes, and the old ones around them.
  std::vector<uint8_t> expect = test::make_pattern(kImageSize);
  std::vector<uint8_t> written;
  for (auto* piece : {&a, &m, &z})
    written.insert(written.end(), piece->begin(), piece->end());
  std::copy(written.begin(), written.end(), expect.begin() + offset);
  EXPECT_EQ(test::read_file(image_), expect);

  // Read back through the backend with a different split, one byte earlier.
  std::vector<uint8_t> r1(1 + 10), r2(written.size() - 11), r3(1);
  EXPECT_EQ(read(*b, offset - 1,
                 {io(r1.data(), r1.size()), io(r2.data(), r2.size()), io(r3.data(), r3.size())}),
            int64_t(written.size() + 1));
  std::vector<uint8_t> got;
  for (auto* piece : {&r1, &r2, &r3})
    got.insert(got.end(), piece->begin(), piece->end());
  EXPECT_EQ(got, std::vector<uint8_t>(expect.begin() + offset - 1,
                                      expect.begin() + offset + written.size()));
}

TEST_P(BlockBackendTest, ReadsTheLastBytesAndEmptyIovecs) {
  OPEN_OR_SKIP(b);
  std::vector<uint8_t> tail(512);
  char unused;
  EXPECT_EQ(read(*b, kImageSize - 512, {io(&unused, 0), io(tail.data(), 512), io(&unused, 0)}),
            512);
  auto expect = test::make_pattern(kImageSize);
  EXPECT_EQ(tail, std::vector<uint8_t>(expect.end() - 512, expect.end()));
}

TEST_P(BlockBackendTest, MoreIovecsThanOneSystemCallTakes) {
  OPEN_OR_SKIP(b);
  const size_t n = IOV_MAX * 2 + 7;
  std::vector<uint8_t> data(n * 3);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 13 + 5);
  std::vector<iovec> iov;
  for (size_t i = 0; i < n; ++i)
    iov.push_back(io(data.data() + i * 3, 3));
  EXPECT_EQ(write(*b, 1001, iov), int64_t(data.size()));
  auto file = test::read_file(image_);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), file.begin() + 1001));

  std::vector<uint8_t> back(data.size());
  iov.clear();
  for (size_t i = 0; i < n; ++i)
    iov.push_back(io(back.data() + i * 3, 3));
  EXPECT_EQ(read(*b, 1001, iov), int64_t(data.size()));
  EXPECT_EQ(back, data);
}

TEST_P(BlockBackendTest, CompletionRunsLaterOnTheLoopThread) {
  OPEN_OR_SKIP(b);
  std::vector<uint8_t> buf(512);
  Outcome o;
  iovec v = io(buf.data(), buf.size());
  b->readv(0, {&v, 1}, o.completion());
  EXPECT_EQ(o.calls, 0);  // not inline, even though this thread is the loop's
  // Errors found at submission are delivered the same way.
  Outcome bad;
  b->readv(kImageSize, {&v, 1}, bad.completion());
  EXPECT_EQ(bad.calls, 0);
  EXPECT_EQ(wait(loop_, o), 512);
  EXPECT_EQ(wait(loop_, bad), -EINVAL);
  EXPECT_EQ(o.thread, std::this_thread::get_id());
  EXPECT_EQ(o.calls, 1);
  EXPECT_EQ(bad.calls, 1);
}

TEST_P(BlockBackendTest, FlushSucceedsAfterWrites) {
  OPEN_OR_SKIP(b);
  std::vector<uint8_t> buf(4096, 0xEE);
  EXPECT_EQ(write(*b, 8192, {io(buf.data(), buf.size())}), 4096);
  EXPECT_EQ(flush(*b), 0);
  EXPECT_EQ(flush(*b), 0);  // with nothing new to write back
}

TEST_P(BlockBackendTest, DiscardReadsBackAsZeroesAndKeepsTheSize) {
  OPEN_OR_SKIP(b);
  // Whether this file system can punch holes at all.
  int fd = ::open(dir_.file("probe").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 8192), 0);
  bool punches = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
  close(fd);

  auto before = test::read_file(image_);
  EXPECT_EQ(discard(*b, 65536, 3 * 4096), 0);
  EXPECT_EQ(discard(*b, 1000, 300), 0);  // not even sector aligned
  EXPECT_EQ(discard(*b, 0, 0), 0);
  EXPECT_EQ(std::filesystem::file_size(image_), kImageSize);
  EXPECT_EQ(b->size(), kImageSize);

  auto after = test::read_file(image_);
  std::vector<uint8_t> expect = before;
  if (punches) {
    std::fill(expect.begin() + 65536, expect.begin() + 65536 + 3 * 4096, 0);
    std::fill(expect.begin() + 1000, expect.begin() + 1300, 0);
  }
  EXPECT_EQ(after, expect) << (punches ? "discarded ranges must read as zeroes, the rest unchanged"
                                       : "without hole punching nothing may change");

  // And through the backend.
  std::vector<uint8_t> buf(3 * 4096);
  EXPECT_EQ(read(*b, 65536, {io(buf.data(), buf.size())}), int64_t(buf.size()));
  EXPECT_TRUE(std::equal(buf.begin(), buf.end(), expect.begin() + 65536));
}

TEST_P(BlockBackendTest, ReadOnlyRefusesWritesAndDiscardsWithoutTouchingTheFile) {
  OPEN_OR_SKIP(b, true);
  EXPECT_TRUE(b->read_only());
  struct stat st_before;
  ASSERT_EQ(stat(image_.c_str(), &st_before), 0);

  std::vector<uint8_t> buf(4096, 0x11);
  EXPECT_EQ(write(*b, 0, {io(buf.data(), buf.size())}), -EROFS);
  EXPECT_EQ(write(*b, kImageSize * 2, {io(buf.data(), buf.size())}), -EROFS);
  EXPECT_EQ(discard(*b, 0, 4096), -EROFS);
  EXPECT_EQ(flush(*b), 0);
  EXPECT_EQ(read(*b, 0, {io(buf.data(), buf.size())}), 4096);

  EXPECT_EQ(test::read_file(image_), test::make_pattern(kImageSize));
  struct stat st_after;
  ASSERT_EQ(stat(image_.c_str(), &st_after), 0);
  EXPECT_EQ(st_after.st_mtim.tv_sec, st_before.st_mtim.tv_sec);
  EXPECT_EQ(st_after.st_mtim.tv_nsec, st_before.st_mtim.tv_nsec);
  EXPECT_EQ(st_after.st_blocks, st_before.st_blocks);
}

TEST_P(BlockBackendTest, OutOfRangeRequestsFailWithEinvalAndChangeNothing) {
  OPEN_OR_SKIP(b);
  std::vector<uint8_t> buf(1024, 0x77);
  EXPECT_EQ(read(*b, kImageSize - 512, {io(buf.data(), 1024)}), -EINVAL);
  EXPECT_EQ(write(*b, kImageSize - 512, {io(buf.data(), 1024)}), -EINVAL);
  EXPECT_EQ(write(*b, kImageSize, {io(buf.data(), 1)}), -EINVAL);
  EXPECT_EQ(read(*b, kImageSize + 1, {io(buf.data(), 0)}), -EINVAL);
  EXPECT_EQ(read(*b, UINT64_MAX, {io(buf.data(), 2)}), -EINVAL);
  EXPECT_EQ(write(*b, UINT64_MAX - 1, {io(buf.data(), 4)}), -EINVAL);  // offset + length wraps
  // iovec lengths whose sum wraps to something small.
  EXPECT_EQ(write(*b, 0, {io(buf.data(), SIZE_MAX), io(buf.data(), 2)}), -EINVAL);
  EXPECT_EQ(discard(*b, kImageSize - 4096, 8192), -EINVAL);
  EXPECT_EQ(discard(*b, UINT64_MAX - 10, 20), -EINVAL);
  // Empty transfers inside (or right at the end of) the image are fine.
  EXPECT_EQ(read(*b, kImageSize, {}), 0);
  EXPECT_EQ(write(*b, 512, {io(buf.data(), 0)}), 0);

  EXPECT_EQ(test::read_file(image_), test::make_pattern(kImageSize));
}

TEST_P(BlockBackendTest, ReadPastAShrunkenFileIsAnIoError) {
  OPEN_OR_SKIP(b);
  // Someone truncates the image behind the backend's back; the backend still
  // believes the old size, so the kernel returns a short read and then EOF.
  ASSERT_EQ(truncate(image_.c_str(), kImageSize / 2), 0);
  std::vector<uint8_t> buf(8192);
  EXPECT_EQ(read(*b, kImageSize / 2 - 4096, {io(buf.data(), buf.size())}), -EIO);
  EXPECT_EQ(read(*b, kImageSize / 2 - 4096, {io(buf.data(), 4096)}), 4096);
}

TEST_P(BlockBackendTest, ConcurrentSubmissionsFromManyThreadsAllComplete) {
  OPEN_OR_SKIP(b);
  constexpr int kThreads = 4, kPerThread = 64, kBlock = 4096;
  static_assert(kThreads * kPerThread * kBlock <= kImageSize);
  std::vector<std::vector<uint8_t>> data(kThreads * kPerThread);
  std::vector<std::vector<uint8_t>> readback(kThreads * kPerThread, std::vector<uint8_t>(kBlock));
  for (size_t i = 0; i < data.size(); ++i)
    data[i].assign(kBlock, static_cast<uint8_t>(i * 3 + 1));

  std::atomic<int> writes_done{0}, reads_done{0}, bad{0}, off_loop{0};
  const auto loop_thread = std::this_thread::get_id();
  auto check = [&](int64_t result, std::atomic<int>& counter) {
    if (result != kBlock) ++bad;
    if (std::this_thread::get_id() != loop_thread) ++off_loop;
    ++counter;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        int i = t * kPerThread + k;
        iovec v = io(data[i].data(), kBlock);
        b->writev(uint64_t(i) * kBlock, {&v, 1}, [&](int64_t r) { check(r, writes_done); });
      }
    });
  }
  for (auto& t : threads)
    t.join();
  ASSERT_TRUE(run_until(loop_, [&] { return writes_done == kThreads * kPerThread; }));

  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        int i = t * kPerThread + k;
        iovec v = io(readback[i].data(), kBlock);
        b->readv(uint64_t(i) * kBlock, {&v, 1}, [&](int64_t r) { check(r, reads_done); });
      }
    });
  }
  // The loop runs while the threads submit.
  ASSERT_TRUE(run_until(loop_, [&] { return reads_done == kThreads * kPerThread; }));
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(off_loop, 0);
  EXPECT_EQ(readback, data);
  auto file = test::read_file(image_);
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_TRUE(std::equal(data[i].begin(), data[i].end(), file.begin() + i * kBlock))
        << "block " << i;
  }
}

TEST_P(BlockBackendTest, DestructionWithRequestsInFlightRunsNoCompletion) {
  OPEN_OR_SKIP(b);
  auto buf = std::make_shared<std::vector<uint8_t>>(kImageSize, 0x42);
  auto calls = std::make_shared<int>(0);
  for (int i = 0; i < 300; ++i) {
    iovec v = io(buf->data() + (i % 256) * 4096, 4096);
    // Each completion keeps the buffer alive, as a device's would.
    b->writev(uint64_t(i % 256) * 4096, {&v, 1}, [buf, calls](int64_t) { ++*calls; });
    if (i % 50 == 0) b->flush([calls](int64_t) { ++*calls; });
  }
  b->readv(kImageSize, {}, [calls](int64_t) { ++*calls; });  // an early -EINVAL, posted
  // One turn of the loop hands the queued requests to the kernel (io_uring)
  // and may run a few completions; the rest are in flight or queued.
  loop_.run_once(0);
  int before = *calls;
  b.reset();
  EXPECT_EQ(*calls, before);
  loop_.run_once(50);
  loop_.run_once(0);
  EXPECT_EQ(*calls, before) << "a completion ran after the backend was destroyed";
  EXPECT_LT(before, 300);
  EXPECT_EQ(buf.use_count(), 1) << "dropped requests must release their completions";
  // The image is closed and unlocked: it opens again.
  OPEN_OR_SKIP(again);
}

TEST_P(BlockBackendTest, CompletionMayDestroyItsBackend) {
  OPEN_OR_SKIP(b);
  std::vector<uint8_t> buf(4096 * 8);
  int calls = 0;
  for (int i = 0; i < 8; ++i) {
    iovec v = io(buf.data() + i * 4096, 4096);
    b->readv(uint64_t(i) * 4096, {&v, 1}, [&](int64_t r) {
      EXPECT_EQ(r, 4096);
      ++calls;
      b.reset();  // the device goes away in the middle of a batch
    });
  }
  ASSERT_TRUE(run_until(loop_, [&] { return calls > 0; }));
  for (int i = 0; i < 10; ++i)
    loop_.run_once(5);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(b, nullptr);
}

TEST_P(BlockBackendTest, DestructionFromAnotherThreadWhileTheLoopRuns) {
  OPEN_OR_SKIP(b);
  std::thread loop_thread([&] { loop_.run(); });
  std::vector<uint8_t> buf(kImageSize);
  std::atomic<bool> destroyed{false};
  std::atomic<int> late{0}, calls{0};
  for (int i = 0; i < 256; ++i) {
    iovec v = io(buf.data() + i * 4096, 4096);
    b->readv(uint64_t(i) * 4096, {&v, 1}, [&](int64_t) {
      if (destroyed) ++late;
      std::this_thread::sleep_for(std::chrono::microseconds(50));  // widen the race
      if (destroyed) ++late;
      ++calls;
    });
  }
  std::this_thread::sleep_for(std::chrono::microseconds(300));
  b.reset();
  destroyed = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  loop_.stop();
  loop_thread.join();
  EXPECT_EQ(late, 0) << "a completion ran after the destructor returned";
  EXPECT_LE(calls, 256);
}

INSTANTIATE_TEST_SUITE_P(Engines, BlockBackendTest,
                         ::testing::Values(Engine::kIoUring, Engine::kThreadPool),
                         [](const auto& info) {
                           return info.param == Engine::kIoUring ? "IoUring" : "ThreadPool";
                         });

}  // namespace
}  // namespace vmapple
