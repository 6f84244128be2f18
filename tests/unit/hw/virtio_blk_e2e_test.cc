// virtio-blk end to end: the device on the PCI host bridge, enumerated
// through ECAM, BARs programmed, features negotiated, queues in guest RAM,
// and reads, writes, flushes, discards, write-zeroes, GET_ID and Apple
// barriers against a temporary raw image, checked byte for byte against the
// file.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "unit/block/block_test_util.h"
#include "unit/hw/virtio_blk_rig.h"

namespace vmapple {
namespace {

using test::Buf;
using test::VirtioBlkDriver;
using test::VirtioBlkRig;
constexpr uint64_t kImageSize = 8 << 20;
constexpr uint64_t kSector = 512;

class VirtioBlkE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("disk.img");
    image_ = test::make_pattern(kImageSize);
    test::write_file(path_, image_);
  }
  std::unique_ptr<VirtioBlkRig> rig(virtio::VirtioBlkOptions options = {}, bool ro = false) {
    return std::make_unique<VirtioBlkRig>(BlockOptions{path_, ro}, std::move(options));
  }
  std::vector<uint8_t> random_bytes(size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v)
      b = static_cast<uint8_t>(rng_());
    return v;
  }
  std::vector<uint8_t> file_range(uint64_t offset, size_t n) {
    auto all = test::read_file(path_);
    return {all.begin() + offset, all.begin() + offset + n};
  }

  test::ScratchDir dir_;
  std::string path_;
  std::vector<uint8_t> image_;
  std::mt19937_64 rng_{42};
};

TEST_F(VirtioBlkE2eTest, StandardFunctionIdentityAndConfig) {
  auto r = rig();
  EXPECT_EQ(r->function().vendor_id, 0x1AF4);
  EXPECT_EQ(r->function().device_id, 0x1042);
  EXPECT_EQ(r->function().class_code, 0x010000u);
  EXPECT_EQ(r->function().pin, 1);
  auto& d = r->start();
  EXPECT_EQ(d.capacity(), kImageSize / kSector);
  EXPECT_TRUE(r->pci().features() & virtio::kFVersion1);
  EXPECT_FALSE(r->pci().offered() & virtio::kBlkFZoned);
}

TEST_F(VirtioBlkE2eTest, AppleFunctionIdentityVariantAndZonedConfig) {
  virtio::VirtioBlkOptions o;
  o.apple = virtio::AppleVariant::kAux;
  auto r = rig(o);
  EXPECT_EQ(r->function().vendor_id, 0x106B);
  EXPECT_EQ(r->function().device_id, 0x1A00);
  EXPECT_EQ(r->function().class_code, 0x010000u);
  EXPECT_EQ(r->ecam().read(VirtioBlkRig::kSlot, 0, pci::kRevisionId, 1), 1u);
  EXPECT_TRUE(r->pci().offered() & virtio::kBlkFZoned);
  auto& d = r->start();
  EXPECT_EQ(r->pci().config(0x3C, 4), 2u);  // Apple type: aux
  EXPECT_EQ(r->pci().config(0x5C, 1), 0u);  // zoned model: none, inside the 0x60 area
  EXPECT_EQ(d.capacity(), kImageSize / kSector);
}

TEST_F(VirtioBlkE2eTest, ReadsMatchTheImage) {
  auto r = rig();
  auto& d = r->start();
  for (uint64_t sector : {uint64_t{0}, uint64_t{1}, uint64_t{77}, kImageSize / kSector - 8}) {
    std::vector<uint8_t> got(4096);
    ASSERT_EQ(d.read(sector, got), VirtioBlkDriver::kOk) << sector;
    EXPECT_TRUE(std::equal(got.begin(), got.end(), image_.begin() + sector * kSector)) << sector;
  }
  std::vector<uint8_t> big(1 << 20);
  ASSERT_EQ(d.read(1024, big), VirtioBlkDriver::kOk);
  EXPECT_TRUE(std::equal(big.begin(), big.end(), image_.begin() + 1024 * kSector));
}

TEST_F(VirtioBlkE2eTest, WritesReachTheFileAfterFlush) {
  auto r = rig();
  auto& d = r->start();
  auto data = random_bytes(64 << 10);
  ASSERT_EQ(d.write(300, data), VirtioBlkDriver::kOk);
  ASSERT_EQ(d.flush(), VirtioBlkDriver::kOk);
  EXPECT_EQ(file_range(300 * kSector, data.size()), data);
  std::vector<uint8_t> back(data.size());
  ASSERT_EQ(d.read(300, back), VirtioBlkDriver::kOk);
  EXPECT_EQ(back, data);
  // Neighbours untouched.
  EXPECT_EQ(file_range(299 * kSector, kSector),
            std::vector<uint8_t>(image_.begin() + 299 * kSector, image_.begin() + 300 * kSector));
}

TEST_F(VirtioBlkE2eTest, ScatterGatherDirectAndIndirect) {
  auto r = rig();
  auto& d = r->start();
  ASSERT_TRUE(r->pci().features() & virtio::kFRingIndirectDesc);
  const GuestMemory& mem = r->memory();
  for (bool indirect : {false, true}) {
    // Three segments of different sizes, 1.5 KiB + 512 + 2 KiB.
    auto data = random_bytes(4096);
    uint64_t a = r->arena().alloc(1536), b = r->arena().alloc(512), c = r->arena().alloc(2048);
    mem.write(a, {data.data(), 1536});
    mem.write(b, {data.data() + 1536, 512});
    mem.write(c, {data.data() + 2048, 2048});
    Buf out[] = {{a, 1536, false}, {b, 512, false}, {c, 2048, false}};
    uint64_t sector = indirect ? 5000 : 6000;
    ASSERT_EQ(d.run(0, VirtioBlkDriver::kOut, sector, out, indirect), VirtioBlkDriver::kOk);
    uint64_t x = r->arena().alloc(1024), y = r->arena().alloc(3072);
    Buf in[] = {{x, 1024, true}, {y, 3072, true}};
    uint32_t used = 0;
    ASSERT_EQ(d.run(0, VirtioBlkDriver::kIn, sector, in, indirect, &used), VirtioBlkDriver::kOk);
    EXPECT_EQ(used, 4096u + 1);  // data plus the status byte
    std::vector<uint8_t> got(4096);
    mem.read(x, {got.data(), 1024});
    mem.read(y, {got.data() + 1024, 3072});
    EXPECT_EQ(got, data) << indirect;
  }
}

TEST_F(VirtioBlkE2eTest, WriteZeroesAndDiscard) {
  auto r = rig();
  auto& d = r->start();
  ASSERT_TRUE(r->pci().features() & virtio::kBlkFWriteZeroes);
  ASSERT_TRUE(r->pci().features() & virtio::kBlkFDiscard);
  ASSERT_EQ(d.segment(VirtioBlkDriver::kWriteZeroes, 64, 16), VirtioBlkDriver::kOk);
  ASSERT_EQ(d.segment(VirtioBlkDriver::kWriteZeroes, 128, 16, 1 /*UNMAP*/), VirtioBlkDriver::kOk);
  ASSERT_EQ(d.flush(), VirtioBlkDriver::kOk);
  std::vector<uint8_t> got(16 * kSector);
  ASSERT_EQ(d.read(64, got), VirtioBlkDriver::kOk);
  EXPECT_EQ(got, std::vector<uint8_t>(got.size(), 0));
  EXPECT_EQ(file_range(128 * kSector, got.size()), std::vector<uint8_t>(got.size(), 0));
  EXPECT_EQ(file_range(63 * kSector, kSector),
            std::vector<uint8_t>(image_.begin() + 63 * kSector, image_.begin() + 64 * kSector));
  // Discard (4 KiB aligned) succeeds; what it reads back is advisory.
  ASSERT_EQ(d.segment(VirtioBlkDriver::kDiscard, 4096, 64), VirtioBlkDriver::kOk);
  // Out of range segments fail.
  EXPECT_EQ(d.segment(VirtioBlkDriver::kWriteZeroes, kImageSize / kSector - 1, 2),
            VirtioBlkDriver::kIoErr);
}

TEST_F(VirtioBlkE2eTest, AppleBarrierOrdersAndFlushes) {
  virtio::VirtioBlkOptions o;
  o.apple = virtio::AppleVariant::kRoot;
  auto r = rig(o);
  auto& d = r->start();
  EXPECT_EQ(r->pci().config(0x3C, 4), 1u);
  // Writes, then a barrier, then a read of them submitted behind it in one kick.
  auto data = random_bytes(8192);
  uint64_t buf = r->arena().alloc(8192);
  r->memory().write(buf, data);
  Buf w{buf, 8192, false};
  uint64_t rbuf = r->arena().alloc(8192);
  Buf rd{rbuf, 8192, true};
  auto h1 = d.submit(0, VirtioBlkDriver::kOut, 900, {&w, 1});
  auto h2 = d.submit(0, VirtioBlkDriver::kAppleBarrier, 0, {});
  auto h3 = d.submit(0, VirtioBlkDriver::kIn, 900, {&rd, 1});
  ASSERT_TRUE(h1 && h2 && h3);
  r->pci().kick(0);
  std::map<uint16_t, uint8_t> status;
  while (status.size() < 3)
    for (auto& done : d.wait(0))
      status[done.head] = done.status;
  EXPECT_EQ(status[*h1], VirtioBlkDriver::kOk);
  EXPECT_EQ(status[*h2], VirtioBlkDriver::kOk);
  EXPECT_EQ(status[*h3], VirtioBlkDriver::kOk);
  std::vector<uint8_t> got(8192);
  r->memory().read(rbuf, got);
  EXPECT_EQ(got, data);
  // The barrier had flush semantics: the data is in the file.
  EXPECT_EQ(file_range(900 * kSector, 8192), data);
}

TEST_F(VirtioBlkE2eTest, StandardDeviceRefusesTheAppleBarrier) {
  auto r = rig();
  auto& d = r->start();
  EXPECT_EQ(d.barrier(), VirtioBlkDriver::kUnsupp);
  EXPECT_EQ(d.run(0, 0x0001'0001, 0, {}), VirtioBlkDriver::kUnsupp);
}

TEST_F(VirtioBlkE2eTest, GetIdReturnsTheSerial) {
  virtio::VirtioBlkOptions o;
  o.serial = "VMAPPLE-TEST-0001";
  auto r = rig(o);
  auto& d = r->start();
  std::string id;
  ASSERT_EQ(d.get_id(id), VirtioBlkDriver::kOk);
  EXPECT_EQ(id, "VMAPPLE-TEST-0001");
}

TEST_F(VirtioBlkE2eTest, ReadOnlyImageRefusesWrites) {
  auto r = rig({}, /*ro=*/true);
  auto& d = r->start();
  EXPECT_TRUE(r->pci().features() & virtio::kBlkFRo);
  std::vector<uint8_t> data(4096, 0xAB);
  EXPECT_NE(d.write(0, data), VirtioBlkDriver::kOk);
  EXPECT_EQ(test::read_file(path_), image_);
  std::vector<uint8_t> got(4096);
  EXPECT_EQ(d.read(0, got), VirtioBlkDriver::kOk);
}

TEST_F(VirtioBlkE2eTest, OutOfRangeRequestsFailCleanly) {
  auto r = rig();
  auto& d = r->start();
  std::vector<uint8_t> got(4096);
  EXPECT_EQ(d.read(kImageSize / kSector - 4, got), VirtioBlkDriver::kIoErr);
  EXPECT_EQ(d.read(~0ull / kSector, got), VirtioBlkDriver::kIoErr);
  EXPECT_EQ(d.read(0, got), VirtioBlkDriver::kOk);  // still working
}

TEST_F(VirtioBlkE2eTest, QueueDepth32AcrossTwoQueues) {
  virtio::VirtioBlkOptions o;
  o.num_queues = 2;
  auto r = rig(o);
  auto& d = r->start(2, 64);
  EXPECT_TRUE(r->pci().features() & virtio::kBlkFMq);
  EXPECT_EQ(r->pci().config(0x22, 2), 2u);
  std::vector<uint64_t> bufs;
  std::map<std::pair<unsigned, uint16_t>, uint64_t> sector_of;
  for (unsigned i = 0; i < 64; ++i) {
    unsigned q = i % 2;
    uint64_t sector = (i * 37 % 2000) * 8;
    uint64_t b = r->arena().alloc(4096, 4096);
    Buf in{b, 4096, true};
    auto head = d.submit(q, VirtioBlkDriver::kIn, sector, {&in, 1}, /*indirect=*/true);
    ASSERT_TRUE(head);
    sector_of[{q, *head}] = sector;
    bufs.push_back(b);
  }
  r->pci().kick(0);
  r->pci().kick(1);
  std::map<std::pair<unsigned, uint16_t>, uint8_t> done;
  d.set_polling(true);  // one interrupt may cover both queues
  while (done.size() < 64)
    for (unsigned q = 0; q < 2; ++q)
      if (r->pci().in_flight(q))
        for (auto& x : d.wait(q))
          done[{q, x.head}] = x.status;
  for (auto& [key, status] : done)
    EXPECT_EQ(status, VirtioBlkDriver::kOk);
  // Every buffer holds the sector it asked for (heads map to buffers in order).
  unsigned i = 0;
  for (uint64_t b : bufs) {
    uint64_t sector = (i++ * 37 % 2000) * 8;
    std::vector<uint8_t> got(4096);
    r->memory().read(b, got);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), image_.begin() + sector * kSector)) << sector;
  }
}

TEST_F(VirtioBlkE2eTest, DeviceResetAndRenegotiation) {
  auto r = rig();
  auto& d = r->start();
  std::vector<uint8_t> got(512);
  ASSERT_EQ(d.read(0, got), VirtioBlkDriver::kOk);
  // A second driver instance (e.g. after a guest kexec) starts over.
  VirtioBlkDriver again(r->pci(), r->arena(), r->intx());
  ASSERT_EQ(again.read(8, got), VirtioBlkDriver::kOk);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), image_.begin() + 8 * kSector));
}

}  // namespace
}  // namespace vmapple
