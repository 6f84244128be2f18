// BlockBackend::try_read_now on the raw backend: a read the page cache can
// serve completes on the calling thread with the file's bytes; anything it
// cannot do returns an error and leaves the request to readv().
#include <gtest/gtest.h>

#include <cerrno>

#include "base/event_loop.h"
#include "block/block_backend.h"
#include "unit/block/block_test_util.h"

namespace vmapple {
namespace {

constexpr uint64_t kSize = 256 << 10;

class TryReadNowTest : public ::testing::Test {
 protected:
  TryReadNowTest() {
    path_ = dir_.file("disk.img");
    test::write_file(path_, test::make_pattern(kSize));  // just written: cached
    backend_ = BlockBackend::open({path_, true}, loop_);
  }
  test::ScratchDir dir_;
  std::string path_;
  EventLoop loop_;
  std::unique_ptr<BlockBackend> backend_;
};

TEST_F(TryReadNowTest, CachedReadReturnsTheFileBytes) {
  std::vector<uint8_t> a(1000), b(3096);
  iovec iov[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  EXPECT_EQ(backend_->try_read_now(8192, iov), 4096);
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(a[i], test::pattern(8192 + i)) << i;
  for (size_t i = 0; i < b.size(); ++i)
    ASSERT_EQ(b[i], test::pattern(8192 + a.size() + i)) << i;
}

TEST_F(TryReadNowTest, OutOfRangeIsLeftToReadv) {
  std::vector<uint8_t> a(4096);
  iovec iov{a.data(), a.size()};
  EXPECT_LT(backend_->try_read_now(kSize - 512, {&iov, 1}), 0);
  EXPECT_LT(backend_->try_read_now(~0ull - 100, {&iov, 1}), 0);
}

TEST_F(TryReadNowTest, DefaultImplementationDeclines) {
  struct Minimal final : BlockBackend {
    uint64_t size() const override { return 0; }
    bool read_only() const override { return true; }
    const std::string& path() const override { return p; }
    std::string_view engine_name() const override { return "none"; }
    void readv(uint64_t, std::span<const iovec>, Completion) override {}
    void writev(uint64_t, std::span<const iovec>, Completion) override {}
    void flush(Completion) override {}
    void discard(uint64_t, uint64_t, Completion) override {}
    std::string p;
  } minimal;
  uint8_t byte;
  iovec iov{&byte, 1};
  EXPECT_EQ(minimal.try_read_now(0, {&iov, 1}), -EAGAIN);
}

}  // namespace
}  // namespace vmapple
