// Crash consistency: data the device acknowledged through a FLUSH survives
// the VMM being killed with SIGKILL. A forked child runs the whole stack
// (host bridge, virtio-pci, virtio-blk, raw image backend) under the test
// driver, writes blocks, flushes, and reports each flushed prefix through a
// pipe; the parent kills it mid-stream and checks the image.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>

#include "unit/block/block_test_util.h"
#include "unit/hw/virtio_blk_rig.h"

namespace vmapple {
namespace {

constexpr uint64_t kBlock = 4096;
constexpr uint64_t kBlocks = 2048;  // an 8 MiB image
constexpr unsigned kPerRound = 8;

uint8_t expected(uint64_t block, uint64_t byte) {
  return static_cast<uint8_t>(1 + (block * 131 + byte * 7) % 255);
}

std::vector<uint8_t> block_data(uint64_t block) {
  std::vector<uint8_t> v(kBlock);
  for (uint64_t j = 0; j < kBlock; ++j)
    v[j] = expected(block, j);
  return v;
}

// The child: writes rounds of blocks; after each round's FLUSH completes it
// tells the parent how many blocks are durable, then keeps going (with more
// writes in flight) until it is killed.
[[noreturn]] void child(const std::string& path, int ack_fd) {
  int rc = 1;
  try {
    test::VirtioBlkRig rig(BlockOptions{path, false});
    auto& d = rig.start();
    for (uint32_t block = 0; block < kBlocks;) {
      for (unsigned i = 0; i < kPerRound; ++i, ++block)
        if (d.write(block * (kBlock / 512), block_data(block)) != test::VirtioBlkDriver::kOk)
          _exit(2);
      if (d.flush() != test::VirtioBlkDriver::kOk) _exit(3);
      if (write(ack_fd, &block, sizeof block) != sizeof block) _exit(4);
    }
    rc = 0;
  } catch (const std::exception& e) {
    fprintf(stderr, "child: %s\n", e.what());
  }
  _exit(rc);
}

TEST(VirtioBlkCrashTest, FlushedDataSurvivesSigkill) {
  test::ScratchDir dir;
  std::string path = dir.file("crash.img");
  test::write_file(path, std::vector<uint8_t>(kBlocks * kBlock, 0));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    child(path, fds[1]);
  }
  close(fds[1]);
  // Kill once a good part is durable, while the child is still writing.
  uint32_t durable = 0, ack = 0;
  while (durable < kBlocks / 4 && read(fds[0], &ack, sizeof ack) == sizeof ack)
    durable = ack;
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  // Acks already in the pipe were sent before the kill: they count too.
  while (read(fds[0], &ack, sizeof ack) == sizeof ack)
    durable = ack;
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ASSERT_GE(durable, kBlocks / 4);
  ASSERT_LT(durable, kBlocks) << "the child finished before the kill; nothing was tested";

  auto image = test::read_file(path);
  ASSERT_EQ(image.size(), kBlocks * kBlock);
  for (uint64_t b = 0; b < durable; ++b)
    ASSERT_TRUE(std::equal(image.begin() + b * kBlock, image.begin() + (b + 1) * kBlock,
                           block_data(b).begin()))
        << "acknowledged block " << b << " lost (durable " << durable << ")";
  // Later blocks hold, sector by sector, either the old zeroes or the new data.
  for (uint64_t b = durable; b < kBlocks; ++b)
    for (uint64_t s = 0; s < kBlock; s += 512) {
      const uint8_t* p = image.data() + b * kBlock + s;
      bool old = std::all_of(p, p + 512, [](uint8_t x) { return x == 0; });
      bool fresh = true;
      for (uint64_t j = 0; j < 512; ++j)
        fresh &= p[j] == expected(b, s + j);
      ASSERT_TRUE(old || fresh) << "block " << b << " sector " << s / 512 << " is torn garbage";
    }
}

}  // namespace
}  // namespace vmapple
