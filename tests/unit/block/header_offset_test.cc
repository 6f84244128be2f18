// A header offset hides the start of the file from the guest (the 16 KiB
// metadata header of a Virtualization.framework aux storage): offsets and the
// size the device sees start after it, for reads, writes and discards.
#include <gtest/gtest.h>
#include <sys/uio.h>

#include "base/error.h"
#include "block/block_backend.h"
#include "unit/block/block_test_util.h"

namespace vmapple {
namespace {

constexpr uint64_t kHeader = 16 * 1024;

TEST(HeaderOffsetTest, GuestOffsetZeroIsTheFirstByteAfterTheHeader) {
  test::ScratchDir dir;
  std::string image = dir.file("aux.img");
  auto bytes = test::make_pattern(kHeader + 64 * 1024);
  test::write_file(image, bytes);
  EventLoop loop;
  for (auto engine : {BlockOptions::Engine::kThreadPool, BlockOptions::Engine::kAuto}) {
    auto disk = BlockBackend::open({image, false, engine, kHeader}, loop);
    EXPECT_EQ(disk->size(), 64u * 1024);

    std::vector<uint8_t> got(512);
    iovec iov{got.data(), got.size()};
    test::Outcome read;
    disk->readv(1024, {&iov, 1}, read.completion());
    ASSERT_EQ(test::wait(loop, read), 512);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), bytes.begin() + kHeader + 1024));

    std::vector<uint8_t> data(512, 0xa5);
    iovec wiov{data.data(), data.size()};
    test::Outcome write;
    disk->writev(0, {&wiov, 1}, write.completion());
    ASSERT_EQ(test::wait(loop, write), 512);
    auto file = test::read_file(image);
    EXPECT_TRUE(std::equal(file.begin(), file.begin() + kHeader, bytes.begin()))
        << "the header is never written";
    EXPECT_EQ(file[kHeader], 0xa5);

    // The end of the guest's disk is the end of the file.
    test::Outcome past;
    disk->readv(64 * 1024, {&iov, 1}, past.completion());
    EXPECT_LT(test::wait(loop, past), 0);
    test::write_file(image, bytes);
  }
}

TEST(HeaderOffsetTest, AHeaderThatDoesNotFitIsAConfigError) {
  test::ScratchDir dir;
  std::string image = dir.file("small.img");
  test::write_file(image, test::make_pattern(4096));
  EventLoop loop;
  EXPECT_THROW(BlockBackend::open({image, true, BlockOptions::Engine::kAuto, 8192}, loop),
               ConfigError);
  EXPECT_THROW(BlockBackend::open({image, true, BlockOptions::Engine::kAuto, 100}, loop),
               ConfigError);
}

}  // namespace
}  // namespace vmapple
