// virtio-blk driven as a guest driver drives it: rings and requests laid out
// in guest RAM, a doorbell per request, completions reaped from the used
// ring. Data is checked byte for byte against a temporary image (the real
// raw backend) or the in-memory HeldBackend, which also lets a test decide
// when each backend request completes (flush ordering, barriers, reset).
#include "hw/virtio/virtio_blk.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/error.h"
#include "base/event_loop.h"
#include "base/log.h"
#include "unit/block/block_test_util.h"
#include "unit/hw/virtq_driver.h"

namespace vmapple::virtio {
namespace {

using test::DriverBuf;
using test::HeldBackend;
using Op = HeldBackend::Op;

constexpr uint64_t kRam = 0x4000'0000;
constexpr uint64_t kRamSize = 32 << 20;
constexpr uint64_t kImageSize = 1 << 20;

class VirtioBlkTest : public ::testing::Test {
 protected:
  VirtioBlkTest() : alloc_(kRam, kRamSize) {
    memory_.add_region("ram", kRam, kRamSize);
    trace::set_sink([](std::string_view, std::string_view) {});
  }
  ~VirtioBlkTest() override {
    blk_.reset();
    trace::reset_sink();
  }

  // A device on a temporary image holding test::pattern().
  void make_file_device(VirtioBlkOptions options = {}, bool read_only = false) {
    image_ = dir_.file("disk.img");
    test::write_file(image_, test::make_pattern(kImageSize));
    auto backend = BlockBackend::open({image_, read_only}, loop_);
    blk_ = std::make_unique<VirtioBlk>(memory_, std::move(backend), options);
  }
  // A device on a HeldBackend holding test::pattern().
  void make_held_device(VirtioBlkOptions options = {}, bool read_only = false,
                        uint64_t size = kImageSize) {
    auto backend = std::make_unique<HeldBackend>(loop_, size, read_only);
    held_ = backend.get();
    for (uint64_t i = 0; i < size; ++i)
      held_->disk()[i] = test::pattern(i);
    blk_ = std::make_unique<VirtioBlk>(memory_, std::move(backend), options);
  }
  // The driver's initialisation: features, queues, DRIVER_OK.
  void start(uint64_t drop_features = 0, uint16_t queue_size = 0) {
    blk_->attach(transport_);
    features_ = blk_->device_features() & ~drop_features;
    ASSERT_TRUE(blk_->accept_features(features_));
    std::vector<QueueState> states;
    for (uint16_t q = 0; q < blk_->num_queues(); ++q) {
      queues_.push_back(std::make_unique<test::VirtqDriver>(
          memory_, alloc_, queue_size ? queue_size : blk_->max_queue_size()));
      states.push_back(queues_.back()->state());
    }
    blk_->activate(features_, states);
  }

  uint64_t buffer(uint64_t len, uint8_t fill = 0xEE) {
    uint64_t gpa = alloc_.alloc(len + 64, 64) + 16;  // gaps keep buffers apart in host memory
    std::vector<uint8_t> bytes(len, fill);
    memory_.write(gpa, bytes);
    return gpa;
  }
  uint64_t header(uint32_t type, uint64_t sector) {
    uint64_t gpa = buffer(16);
    memory_.write_le<uint32_t>(gpa, type);
    memory_.write_le<uint32_t>(gpa + 4, 0);
    memory_.write_le<uint64_t>(gpa + 8, sector);
    return gpa;
  }
  uint64_t segment(uint64_t sector, uint32_t sectors, uint32_t flags) {
    uint64_t gpa = buffer(16);
    memory_.write_le<uint64_t>(gpa, sector);
    memory_.write_le<uint32_t>(gpa + 8, sectors);
    memory_.write_le<uint32_t>(gpa + 12, flags);
    return gpa;
  }
  std::vector<uint8_t> guest(uint64_t gpa, uint64_t len) {
    std::vector<uint8_t> bytes(len);
    EXPECT_TRUE(memory_.read(gpa, bytes));
    return bytes;
  }
  uint8_t status_at(uint64_t gpa) { return *memory_.read_le<uint8_t>(gpa); }

  // Adds a chain to queue q and rings the doorbell.
  uint16_t send(std::vector<DriverBuf> bufs, uint16_t q = 0) {
    auto head = queues_[q]->add(bufs);
    EXPECT_TRUE(head.has_value());
    blk_->notify(q);
    return head.value_or(0);
  }
  // header + optional data + status; returns the status address.
  uint64_t request(uint32_t type, uint64_t sector, uint64_t data_gpa = 0, uint32_t data_len = 0,
                   bool data_writable = false, uint16_t q = 0) {
    uint64_t st = buffer(1, 0xAA);
    std::vector<DriverBuf> bufs{{header(type, sector), 16, false}};
    if (data_len) bufs.push_back({data_gpa, data_len, data_writable});
    bufs.push_back({st, 1, true});
    send(bufs, q);
    return st;
  }
  // Runs the loop until queue q has `count` used entries in all.
  std::vector<test::VirtqDriver::Used> wait_used(size_t count, uint16_t q = 0) {
    EXPECT_TRUE(
        test::run_until(loop_, [&] { return reaped_[q].size() + pending_used(q) >= count; }))
        << "only " << reaped_[q].size() + pending_used(q) << " of " << count << " used";
    while (auto u = queues_[q]->get_used())
      reaped_[q].push_back(*u);
    return reaped_[q];
  }
  size_t pending_used(uint16_t q) {
    return static_cast<uint16_t>(queues_[q]->used_idx() - reaped_[q].size());
  }
  // Lets posted completions run without waiting for anything.
  void spin() {
    for (int i = 0; i < 5; ++i)
      loop_.run_once(1);
  }

  test::ScratchDir dir_;
  std::string image_;
  GuestMemory memory_;
  test::GuestAllocator alloc_;
  EventLoop loop_;
  test::CountingTransport transport_;
  HeldBackend* held_ = nullptr;
  std::unique_ptr<VirtioBlk> blk_;
  std::vector<std::unique_ptr<test::VirtqDriver>> queues_;
  std::map<uint16_t, std::vector<test::VirtqDriver::Used>> reaped_;
  uint64_t features_ = 0;
};

uint32_t cfg32(VirtioBlk& blk, uint32_t offset) {
  uint8_t b[4];
  blk.read_config(offset, b);
  return load_le<uint32_t>(b);
}
uint64_t cfg64(VirtioBlk& blk, uint32_t offset) {
  uint8_t b[8];
  blk.read_config(offset, b);
  return load_le<uint64_t>(b);
}
uint8_t cfg8(VirtioBlk& blk, uint32_t offset) {
  uint8_t b;
  blk.read_config(offset, std::span(&b, 1));
  return b;
}

// ---- Identity, features, config ------------------------------------------

TEST_F(VirtioBlkTest, PlainDeviceConfig) {
  make_held_device();
  EXPECT_EQ(blk_->device_id(), 2);
  PciIdentity id = blk_->pci_identity();
  EXPECT_EQ(id.vendor_id, 0x1AF4);
  EXPECT_EQ(id.device_id, 0x1042);
  EXPECT_EQ(id.class_code, 0x010000u);
  uint64_t f = blk_->device_features();
  for (uint64_t bit :
       {kFVersion1, kFRingIndirectDesc, kFRingEventIdx, kBlkFSizeMax, kBlkFSegMax, kBlkFGeometry,
        kBlkFBlkSize, kBlkFTopology, kBlkFFlush, kBlkFConfigWce, kBlkFDiscard, kBlkFWriteZeroes})
    EXPECT_TRUE(f & bit) << std::hex << bit;
  for (uint64_t bit : {kBlkFRo, kBlkFMq, kBlkFZoned})
    EXPECT_FALSE(f & bit) << std::hex << bit;
  ASSERT_EQ(blk_->config_size(), 0x3Cu);
  EXPECT_EQ(cfg64(*blk_, kBlkCfgCapacity), kImageSize / 512);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgSizeMax), VirtioBlk::kSizeMax);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgSegMax), 254u);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgGeometry), 2u | 16u << 16 | 63u << 24);  // 2048/(16*63) = 2
  EXPECT_EQ(cfg32(*blk_, kBlkCfgBlkSize), 512u);
  EXPECT_EQ(cfg8(*blk_, kBlkCfgTopology), 3);          // 4 KiB physical blocks
  EXPECT_EQ(cfg32(*blk_, kBlkCfgTopology) >> 16, 8u);  // min_io_size
  EXPECT_EQ(cfg8(*blk_, kBlkCfgWriteback), 1);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgWriteback) >> 16, 1u);  // num_queues
  EXPECT_EQ(cfg32(*blk_, kBlkCfgMaxDiscardSectors), VirtioBlk::kMaxDiscardSectors);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgMaxDiscardSeg), 1u);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgDiscardAlignment), 8u);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgMaxWriteZeroesSectors), VirtioBlk::kMaxWriteZeroesSectors);
  EXPECT_EQ(cfg32(*blk_, kBlkCfgMaxWriteZeroesSeg), 1u);
  EXPECT_EQ(cfg8(*blk_, kBlkCfgWriteZeroesMayUnmap), 0);
}

TEST_F(VirtioBlkTest, AppleVariantConfig) {
  for (auto [variant, value] : {std::pair{AppleVariant::kRoot, 1u}, {AppleVariant::kAux, 2u}}) {
    make_held_device({.apple = variant, .num_queues = 4});
    PciIdentity id = blk_->pci_identity();
    EXPECT_EQ(id.vendor_id, 0x106B);
    EXPECT_EQ(id.device_id, 0x1A00);
    EXPECT_EQ(id.class_code, 0x010000u);
    EXPECT_TRUE(blk_->device_features() & kBlkFZoned);
    EXPECT_TRUE(blk_->device_features() & kBlkFMq);
    ASSERT_EQ(blk_->config_size(), 0x60u);
    EXPECT_EQ(cfg32(*blk_, kBlkCfgAppleType), value);
    EXPECT_EQ(cfg32(*blk_, kBlkCfgWriteback) >> 16, 4u);
    EXPECT_EQ(cfg32(*blk_, 0x40), 0u);             // secure erase: not offered
    EXPECT_EQ(cfg8(*blk_, kBlkCfgZonedModel), 0);  // not zoned
    EXPECT_EQ(cfg64(*blk_, kBlkCfgCapacity), kImageSize / 512);
  }
}

TEST_F(VirtioBlkTest, ParseAppleVariant) {
  EXPECT_EQ(parse_apple_variant("root"), AppleVariant::kRoot);
  EXPECT_EQ(parse_apple_variant("aux"), AppleVariant::kAux);
  for (const char* bad : {"", "unspecified", "Root", "boot"}) {
    try {
      parse_apple_variant(bad);
      ADD_FAILURE() << bad;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("vmapple virtio block device variant"),
                std::string::npos);
      EXPECT_NE(std::string(e.what()).find("'aux' or 'root'"), std::string::npos);
    }
  }
}

TEST_F(VirtioBlkTest, BadOptionsAreConfigErrors) {
  EXPECT_THROW(make_held_device({.queue_size = 100}), ConfigError);
  EXPECT_THROW(make_held_device({.queue_size = 2}), ConfigError);
  EXPECT_THROW(make_held_device({.num_queues = 0}), ConfigError);
  EXPECT_THROW(make_held_device({.serial = std::string(21, 'x')}), ConfigError);
  EXPECT_THROW(VirtioBlk(memory_, nullptr, {}), ConfigError);
}

TEST_F(VirtioBlkTest, OnlyWritebackIsWritable) {
  make_held_device();
  uint64_t errors = trace::guest_error_count();
  uint8_t zeros[8] = {};
  blk_->write_config(kBlkCfgCapacity, zeros);
  EXPECT_EQ(cfg64(*blk_, kBlkCfgCapacity), kImageSize / 512);
  EXPECT_GT(trace::guest_error_count(), errors);
  blk_->write_config(kBlkCfgWriteback, std::span(zeros, 1));
  EXPECT_EQ(cfg8(*blk_, kBlkCfgWriteback), 0);
  blk_->reset();
  EXPECT_EQ(cfg8(*blk_, kBlkCfgWriteback), 1) << "reset restores write-back";
}

TEST_F(VirtioBlkTest, FeaturesNeedVersion1) {
  make_held_device();
  EXPECT_FALSE(blk_->accept_features(kBlkFFlush));
  EXPECT_TRUE(blk_->accept_features(kFVersion1 | kBlkFFlush));
}

// ---- Data path against a real image ---------------------------------------

TEST_F(VirtioBlkTest, ReadMatchesImageByteForByte) {
  make_file_device();
  start();
  auto image = test::make_pattern(kImageSize);
  // 8 KiB from sector 3, in buffers of uneven size; the status byte shares
  // the last one.
  uint64_t hdr = header(kBlkTIn, 3);
  uint64_t a = buffer(512), b = buffer(1536), c = buffer(4096), d = buffer(2048 + 1);
  send({{hdr, 10, false},
        {hdr + 10, 6, false},  // the header split in two
        {a, 512, true},
        {b, 1536, true},
        {c, 4096, true},
        {d, 2049, true}});
  auto used = wait_used(1);
  EXPECT_EQ(used[0].len, 8193u);
  EXPECT_EQ(status_at(d + 2048), kBlkSOk);
  std::vector<uint8_t> got;
  for (auto [gpa, len] : {std::pair{a, 512}, {b, 1536}, {c, 4096}, {d, 2048}}) {
    auto part = guest(gpa, len);
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_TRUE(std::equal(got.begin(), got.end(), image.begin() + 3 * 512));
  EXPECT_EQ(transport_.queue_notifications(0), 1u);
}

TEST_F(VirtioBlkTest, NotifyDoesNotWaitForTheDisk) {
  make_file_device();
  start();
  // Above kFastReadMax, so not even tried from the page cache at once.
  uint64_t data = buffer(128 << 10);
  uint64_t st = request(kBlkTIn, 0, data, 128 << 10, true);
  // notify() returned; the loop has not run, so nothing can have completed.
  EXPECT_EQ(queues_[0]->used_idx(), 0);
  EXPECT_EQ(status_at(st), 0xAA);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSOk);
}

TEST_F(VirtioBlkTest, WriteReachesImageByteForByte) {
  make_file_device();
  start();
  // Header and the first data bytes in one buffer, as some drivers do.
  uint64_t hdr = header(kBlkTOut, 10);
  uint64_t both = buffer(16 + 1024);
  std::vector<uint8_t> hdr_bytes = guest(hdr, 16);
  memory_.write(both, hdr_bytes);
  std::vector<uint8_t> data(3072);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 13 + 5);
  memory_.write(both + 16, std::span(data).first(1024));
  uint64_t rest = buffer(2048);
  memory_.write(rest, std::span(data).subspan(1024));
  uint64_t st = buffer(1);
  send({{both, 16 + 1024, false}, {rest, 2048, false}, {st, 1, true}});
  auto used = wait_used(1);
  EXPECT_EQ(used[0].len, 1u);
  EXPECT_EQ(status_at(st), kBlkSOk);
  auto file = test::read_file(image_);
  auto image = test::make_pattern(kImageSize);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), file.begin() + 10 * 512));
  EXPECT_TRUE(std::equal(file.begin(), file.begin() + 10 * 512, image.begin()));
  EXPECT_TRUE(std::equal(file.begin() + 16 * 512, file.end(), image.begin() + 16 * 512));
}

TEST_F(VirtioBlkTest, IndirectRequest) {
  make_file_device();
  start();
  uint64_t data = buffer(1024), st = buffer(1);
  uint64_t table = alloc_.alloc(3 * kDescSize);
  DriverBuf bufs[] = {{header(kBlkTIn, 7), 16, false}, {data, 1024, true}, {st, 1, true}};
  queues_[0]->add_indirect(bufs, table);
  blk_->notify(0);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSOk);
  auto image = test::make_pattern(kImageSize);
  auto got = guest(data, 1024);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), image.begin() + 7 * 512));
}

TEST_F(VirtioBlkTest, FlushOnRealImage) {
  make_file_device();
  start();
  uint64_t st = request(kBlkTFlush, 0);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSOk);
}

TEST_F(VirtioBlkTest, WriteZeroesOnRealImage) {
  make_file_device();
  start();
  uint64_t st = request(kBlkTWriteZeroes, 0, segment(4, 3, kBlkWriteZeroesFUnmap), 16, false);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSOk);
  auto file = test::read_file(image_);
  auto image = test::make_pattern(kImageSize);
  EXPECT_TRUE(std::all_of(file.begin() + 4 * 512, file.begin() + 7 * 512,
                          [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(file[4 * 512 - 1], image[4 * 512 - 1]);
  EXPECT_EQ(file[7 * 512], image[7 * 512]);
}

TEST_F(VirtioBlkTest, DiscardGoesToTheBackend) {
  make_held_device();
  start();
  held_->set_auto(true);
  uint64_t st = request(kBlkTDiscard, 0, segment(16, 8, 0), 16, false);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSOk);
  for (uint64_t i = 0; i < kImageSize; ++i) {
    bool zeroed = i >= 16 * 512 && i < 24 * 512;
    ASSERT_EQ(held_->disk()[i], zeroed ? 0 : test::pattern(i)) << i;
  }
}

TEST_F(VirtioBlkTest, GetId) {
  make_held_device({.serial = "vmapple-0001"});
  start();
  uint64_t id = buffer(20);
  uint64_t st = request(kBlkTGetId, 0, id, 20, true);
  uint64_t small = buffer(8);
  uint64_t st2 = request(kBlkTGetId, 0, small, 8, true);
  wait_used(2);
  EXPECT_EQ(status_at(st), kBlkSOk);
  std::vector<uint8_t> want(20, 0);
  std::string serial = "vmapple-0001";
  std::copy(serial.begin(), serial.end(), want.begin());
  EXPECT_EQ(guest(id, 20), want);
  EXPECT_EQ(status_at(st2), kBlkSOk);
  EXPECT_EQ(guest(small, 8), std::vector<uint8_t>(want.begin(), want.begin() + 8));
  EXPECT_EQ(held_->submitted(), 0u) << "answered by the device itself";
}

// ---- Reads served at once from the page cache ------------------------------

TEST_F(VirtioBlkTest, CachedSmallReadCompletesInsideTheDoorbell) {
  make_held_device();
  start();
  held_->set_cached(true);
  uint64_t data = buffer(4096);
  uint64_t st = request(kBlkTIn, 5, data, 4096, true);
  EXPECT_EQ(queues_[0]->used_idx(), 1) << "used before notify() returned, no loop run";
  EXPECT_EQ(status_at(st), kBlkSOk);
  EXPECT_EQ(held_->submitted(), 0u);
  EXPECT_EQ(transport_.queue_notifications(0), 1u);
  auto got = guest(data, 4096);
  for (uint64_t i = 0; i < 4096; ++i)
    ASSERT_EQ(got[i], test::pattern(5 * 512 + i)) << i;
}

TEST_F(VirtioBlkTest, UncachedOrLargeReadsGoToTheBackend) {
  make_held_device();
  start();
  uint64_t st = request(kBlkTIn, 0, buffer(4096), 4096, true);  // not cached
  EXPECT_EQ(held_->read_now_calls(), 1u);
  EXPECT_EQ(held_->pending(), 1u);
  EXPECT_EQ(status_at(st), 0xAA);
  held_->set_cached(true);
  uint64_t big = buffer(VirtioBlk::kFastReadMax + 512);
  request(kBlkTIn, 0, big, VirtioBlk::kFastReadMax + 512, true);
  EXPECT_EQ(held_->read_now_calls(), 1u) << "too large to copy on the vCPU";
  EXPECT_EQ(held_->pending(), 2u);
  held_->complete_all();
  wait_used(2);
  EXPECT_EQ(guest(big, 512)[0], test::pattern(0));
}

TEST_F(VirtioBlkTest, SyncCopiesPerDoorbellAreBounded) {
  make_held_device();
  start();
  held_->set_cached(true);
  // Eight 64 KiB reads behind one doorbell: only kSyncBudget of them at once.
  for (int i = 0; i < 8; ++i) {
    uint64_t st = buffer(1);
    queues_[0]->add(std::vector<DriverBuf>{
        {header(kBlkTIn, 0), 16, false}, {buffer(64 << 10), 64 << 10, true}, {st, 1, true}});
  }
  blk_->notify(0);
  size_t at_once = VirtioBlk::kSyncBudget / (64 << 10);
  EXPECT_EQ(queues_[0]->used_idx(), at_once);
  EXPECT_EQ(held_->pending(), 8 - at_once);
  held_->complete_all();
  wait_used(8);
}

TEST_F(VirtioBlkTest, RepeatedMissesStopTryingForAWhile) {
  make_held_device({.queue_size = 128});
  start();
  held_->set_auto(true);
  for (int i = 0; i < 40; ++i)
    request(kBlkTIn, 0, buffer(512), 512, true);
  wait_used(40);
  EXPECT_EQ(held_->read_now_calls(), 8u) << "after 8 misses in a row, 64 reads skip the attempt";
}

TEST_F(VirtioBlkTest, CachedReadBehindABarrierStillWaits) {
  make_held_device({.apple = AppleVariant::kRoot});
  start();
  held_->set_cached(true);
  request(kBlkTOut, 0, buffer(512, 7), 512, false);
  request(kBlkTAppleBarrier, 0);
  uint64_t data = buffer(512);
  uint64_t st = request(kBlkTIn, 0, data, 512, true);
  EXPECT_EQ(status_at(st), 0xAA);
  held_->complete(0);  // the write
  wait_used(1);
  held_->complete(0);  // the barrier's flush
  wait_used(3);
  EXPECT_EQ(status_at(st), kBlkSOk);
  EXPECT_EQ(guest(data, 1)[0], 7) << "the read saw the write before the barrier";
}

// ---- Read-only -------------------------------------------------------------

TEST_F(VirtioBlkTest, ReadOnlyDisk) {
  make_file_device({}, true);
  uint64_t f = blk_->device_features();
  EXPECT_TRUE(f & kBlkFRo);
  EXPECT_FALSE(f & kBlkFDiscard);
  EXPECT_FALSE(f & kBlkFWriteZeroes);
  start();
  uint64_t data = buffer(512, 0x5A);
  uint64_t w = request(kBlkTOut, 0, data, 512, false);
  uint64_t fl = request(kBlkTFlush, 0);
  uint64_t rd = buffer(512);
  uint64_t r = request(kBlkTIn, 0, rd, 512, true);
  wait_used(3);
  EXPECT_EQ(status_at(w), kBlkSIoErr);
  EXPECT_EQ(status_at(fl), kBlkSOk);
  EXPECT_EQ(status_at(r), kBlkSOk);
  EXPECT_EQ(test::read_file(image_), test::make_pattern(kImageSize));
  auto got = guest(rd, 512);
  auto image = test::make_pattern(512);
  EXPECT_EQ(got, image);
}

// ---- Validation ------------------------------------------------------------

class VirtioBlkValidation;
struct BadCase {
  const char* what;
  std::function<std::vector<DriverBuf>(VirtioBlkValidation&, uint64_t status)> bufs;
  uint8_t status;
};

class VirtioBlkValidation : public VirtioBlkTest {
 public:
  using VirtioBlkTest::buffer;
  using VirtioBlkTest::header;
  using VirtioBlkTest::segment;

  void check(const BadCase& c) {
    SCOPED_TRACE(c.what);
    uint64_t st = buffer(1, 0xAA);
    uint64_t errors = trace::guest_error_count();
    uint64_t submitted = held_->submitted();
    size_t before = reaped_[0].size();
    send(c.bufs(*this, st));
    auto used = wait_used(before + 1);
    EXPECT_EQ(status_at(st), c.status);
    EXPECT_EQ(held_->submitted(), submitted) << "nothing reached the disk";
    if (c.status == kBlkSIoErr) {
      EXPECT_GT(trace::guest_error_count(), errors);
    }
    // The device is fine afterwards.
    uint64_t data = buffer(512);
    uint64_t ok = request(kBlkTIn, 1, data, 512, true);
    held_->complete_all();
    wait_used(before + 2);
    EXPECT_EQ(status_at(ok), kBlkSOk);
    EXPECT_EQ(transport_.needs_reset(), 0u);
  }
};

TEST_F(VirtioBlkValidation, BadRequestsGetAnErrorStatus) {
  make_held_device({}, false, 8 << 20);
  start();
  using T = VirtioBlkValidation;
  std::vector<BadCase> cases = {
      {"zero-length read",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTIn, 0), 16, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"zero-length write",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTOut, 0), 16, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"read not a multiple of 512",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTIn, 0), 16, false}, {t.buffer(100), 100, true}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"read beyond the end",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTIn, (8 << 20) / 512 - 1), 16, false},
                                       {t.buffer(1024), 1024, true},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"sector number overflowing",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTIn, ~0ull / 512 + 5), 16, false},
                                       {t.buffer(512), 512, true},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"data buffer outside RAM",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTIn, 0), 16, false}, {0x1000, 512, true}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"data buffer straddling the end of RAM",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTOut, 0), 16, false},
                                       {kRam + kRamSize - 256, 512, false},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"read with device-readable data",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTIn, 0), 16, false}, {t.buffer(512), 512, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"write with device-writable data",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTOut, 0), 16, false}, {t.buffer(512), 512, true}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"readable buffer after a writable one",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTOut, 0), 16, false},
                                       {t.buffer(512), 512, true},
                                       {t.buffer(512), 512, false},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"short header",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTIn, 0), 8, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"header outside RAM",
       [](T&, uint64_t st) {
         return std::vector<DriverBuf>{{0x2000, 16, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"data buffer above size_max",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTIn, 0), 16, false},
             {t.buffer(VirtioBlk::kSizeMax + 512), VirtioBlk::kSizeMax + 512, true},
             {st, 1, true}};
       },
       kBlkSIoErr},
      {"flush with data",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTFlush, 0), 16, false}, {t.buffer(512), 512, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"GET_ID without a buffer",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTGetId, 0), 16, false}, {st, 1, true}};
       },
       kBlkSIoErr},
      {"unknown type",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(0x77, 0), 16, false}, {st, 1, true}};
       },
       kBlkSUnsupp},
      {"SCSI command",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(2, 0), 16, false}, {st, 1, true}};
       },
       kBlkSUnsupp},
      {"zone report on a disk that is not zoned",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(16, 0), 16, false}, {t.buffer(4096), 4096, true}, {st, 1, true}};
       },
       kBlkSUnsupp},
      {"Apple barrier on a plain virtio-blk",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTAppleBarrier, 0), 16, false}, {st, 1, true}};
       },
       kBlkSUnsupp},
      {"discard with the unmap flag",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTDiscard, 0), 16, false},
                                       {t.segment(0, 8, kBlkWriteZeroesFUnmap), 16, false},
                                       {st, 1, true}};
       },
       kBlkSUnsupp},
      {"write zeroes with a reserved flag",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTWriteZeroes, 0), 16, false},
                                       {t.segment(0, 8, 4), 16, false},
                                       {st, 1, true}};
       },
       kBlkSUnsupp},
      {"discard of two segments (max_discard_seg is 1)",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTDiscard, 0), 16, false},
                                       {t.segment(0, 8, 0), 16, false},
                                       {t.segment(16, 8, 0), 16, false},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"discard of zero sectors",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTDiscard, 0), 16, false},
                                       {t.segment(0, 0, 0), 16, false},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"write zeroes above max_write_zeroes_sectors",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{
             {t.header(kBlkTWriteZeroes, 0), 16, false},
             {t.segment(0, VirtioBlk::kMaxWriteZeroesSectors + 1, 0), 16, false},
             {st, 1, true}};
       },
       kBlkSIoErr},
      {"discard beyond the end",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTDiscard, 0), 16, false},
                                       {t.segment((8 << 20) / 512 - 4, 8, 0), 16, false},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
      {"segment list not a multiple of 16 bytes",
       [](T& t, uint64_t st) {
         return std::vector<DriverBuf>{{t.header(kBlkTDiscard, 0), 16, false},
                                       {t.segment(0, 8, 0), 12, false},
                                       {st, 1, true}};
       },
       kBlkSIoErr},
  };
  for (const auto& c : cases)
    check(c);
}

TEST_F(VirtioBlkValidation, MoreDataBuffersThanSegMax) {
  make_held_device({.queue_size = 16});  // seg_max 14
  start();
  // The header shares its buffer with the first data sector, so 16
  // descriptors carry 15 data pieces: the chain is legal, the request is not.
  uint64_t first = buffer(16 + 512);
  memory_.write(first, guest(header(kBlkTOut, 0), 16));
  std::vector<DriverBuf> bufs{{first, 16 + 512, false}};
  for (int i = 0; i < 14; ++i)
    bufs.push_back({buffer(512), 512, false});
  uint64_t st = buffer(1);
  bufs.push_back({st, 1, true});
  ASSERT_EQ(bufs.size(), 16u);
  send(bufs);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSIoErr);
  EXPECT_EQ(held_->submitted(), 0u);
  // One fewer is fine.
  bufs.erase(bufs.end() - 2);
  send(bufs);
  held_->complete_all();
  wait_used(2);
  EXPECT_EQ(status_at(st), kBlkSOk);
}

TEST_F(VirtioBlkValidation, NoStatusByteMeansUsedLengthZero) {
  make_held_device();
  start();
  uint64_t errors = trace::guest_error_count();
  send({{header(kBlkTIn, 0), 16, false}, {buffer(512), 512, false}});   // nothing writable
  send({{header(kBlkTIn, 0), 16, false}, {kRam + kRamSize, 1, true}});  // status outside RAM
  auto used = wait_used(2);
  EXPECT_EQ(used[0].len, 0u);
  EXPECT_EQ(used[1].len, 0u);
  EXPECT_GE(trace::guest_error_count(), errors + 2);
  EXPECT_EQ(held_->submitted(), 0u);
}

TEST_F(VirtioBlkValidation, UnnegotiatedFeaturesAreUnsupported) {
  make_held_device();
  start(kBlkFDiscard | kBlkFFlush);
  uint64_t d = request(kBlkTDiscard, 0, segment(0, 8, 0), 16, false);
  uint64_t f = request(kBlkTFlush, 0);
  wait_used(2);
  EXPECT_EQ(status_at(d), kBlkSUnsupp);
  EXPECT_EQ(status_at(f), kBlkSUnsupp);
  EXPECT_EQ(held_->submitted(), 0u);
}

TEST_F(VirtioBlkValidation, AppleTypesOtherThanTheBarrierAreUnsupported) {
  make_held_device({.apple = AppleVariant::kRoot});
  start();
  for (uint32_t type : {0x0001'0001u, 0x8001'0000u, 0x0002'0000u}) {
    uint64_t st = request(type, 0);
    wait_used(reaped_[0].size() + 1);
    EXPECT_EQ(status_at(st), kBlkSUnsupp) << std::hex << type;
  }
  EXPECT_EQ(held_->submitted(), 0u);
}

TEST_F(VirtioBlkTest, BackendErrorIsIoErr) {
  make_held_device();
  start();
  uint64_t st = request(kBlkTIn, 0, buffer(512), 512, true);
  ASSERT_EQ(held_->pending(), 1u);
  held_->complete(0, -EIO);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSIoErr);
}

// ---- Broken rings ------------------------------------------------------------

TEST_F(VirtioBlkTest, MalformedRingSetsNeedsResetAndResetRecovers) {
  make_held_device();
  start();
  queues_[0]->write_desc(0, kRam, 16, kDescFNext, 1);
  queues_[0]->write_desc(1, kRam, 16, kDescFNext, 0);
  queues_[0]->publish(0);
  blk_->notify(0);
  EXPECT_EQ(transport_.needs_reset(), 1u);
  blk_->notify(0);
  EXPECT_EQ(transport_.needs_reset(), 1u) << "reported once";
  EXPECT_EQ(held_->submitted(), 0u);

  // The driver resets the device and starts over.
  blk_->reset();
  EXPECT_TRUE(blk_->quiescent());
  queues_.clear();
  reaped_.clear();
  start();
  held_->set_auto(true);
  uint64_t data = buffer(512);
  uint64_t st = request(kBlkTIn, 2, data, 512, true);
  wait_used(1);
  EXPECT_EQ(status_at(st), kBlkSOk);
  EXPECT_EQ(guest(data, 512)[0], test::pattern(1024));
}

TEST_F(VirtioBlkTest, RingsOutsideRamSetNeedsResetAtActivation) {
  make_held_device();
  blk_->attach(transport_);
  QueueState bad{.size = 256, .enabled = true, .desc = 0x1000, .driver = kRam, .device = kRam};
  blk_->activate(blk_->device_features(), std::span(&bad, 1));
  EXPECT_EQ(transport_.needs_reset(), 1u);
  blk_->notify(0);  // nothing happens, nothing crashes
  EXPECT_EQ(held_->submitted(), 0u);
}

TEST_F(VirtioBlkTest, SecondActivationWithoutResetIsIgnored) {
  make_held_device();
  start();
  held_->set_auto(true);
  request(kBlkTIn, 0, buffer(512), 512, true);
  wait_used(1);
  uint64_t errors = trace::guest_error_count();
  QueueState other = queues_[0]->state();
  other.desc = kRam;  // would restart the ring elsewhere
  blk_->activate(features_, std::span(&other, 1));
  EXPECT_GT(trace::guest_error_count(), errors);
  uint64_t st = request(kBlkTIn, 0, buffer(512), 512, true);
  wait_used(2);
  EXPECT_EQ(status_at(st), kBlkSOk) << "the first layout still serves";
}

TEST_F(VirtioBlkTest, NotifyBeforeActivationOrOfUnknownQueueIsIgnored) {
  make_held_device();
  uint64_t errors = trace::guest_error_count();
  blk_->notify(0);
  start();
  blk_->notify(1);
  blk_->notify(0xFFFF);
  EXPECT_GE(trace::guest_error_count(), errors + 3);
  EXPECT_EQ(held_->submitted(), 0u);
}

// ---- Ordering: FLUSH, write-through, barrier --------------------------------

TEST_F(VirtioBlkTest, FlushWaitsForEarlierWrites) {
  make_held_device();
  start();
  uint64_t w1 = request(kBlkTOut, 0, buffer(512, 1), 512, false);
  uint64_t fl = request(kBlkTFlush, 0);
  uint64_t w2 = request(kBlkTOut, 8, buffer(512, 2), 512, false);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kWrite, Op::kWrite}))
      << "the flush waits for the write before it";
  held_->complete(0);  // w1
  wait_used(1);
  EXPECT_EQ(status_at(w1), kBlkSOk);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kWrite, Op::kFlush}))
      << "w2 came after the flush and does not hold it";
  spin();
  EXPECT_EQ(status_at(fl), 0xAA) << "no completion before the backend flush";
  held_->complete(1);  // the flush
  wait_used(2);
  EXPECT_EQ(status_at(fl), kBlkSOk);
  EXPECT_EQ(status_at(w2), 0xAA);
  held_->complete(0);
  wait_used(3);
  EXPECT_EQ(status_at(w2), kBlkSOk);
}

TEST_F(VirtioBlkTest, FlushWithNoWritesGoesAtOnceAndReportsFailure) {
  make_held_device();
  start();
  uint64_t r = request(kBlkTIn, 0, buffer(512), 512, true);
  uint64_t fl = request(kBlkTFlush, 0);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kRead, Op::kFlush}));
  held_->complete(1, -EIO);
  wait_used(1);
  EXPECT_EQ(status_at(fl), kBlkSIoErr);
  held_->complete(0);
  wait_used(2);
  EXPECT_EQ(status_at(r), kBlkSOk);
}

TEST_F(VirtioBlkTest, WriteThroughFlushesEachWrite) {
  make_held_device();
  start();
  uint8_t off = 0;
  blk_->write_config(kBlkCfgWriteback, std::span(&off, 1));
  uint64_t w = request(kBlkTOut, 0, buffer(512, 3), 512, false);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kWrite}));
  held_->complete(0);
  spin();
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kFlush}));
  EXPECT_EQ(status_at(w), 0xAA) << "not complete before the data is stable";
  held_->complete(0);
  wait_used(1);
  EXPECT_EQ(status_at(w), kBlkSOk);
  EXPECT_EQ(held_->disk()[0], 3);
}

TEST_F(VirtioBlkTest, WriteBackWithoutFlushFeatureIsWriteThrough) {
  make_held_device();
  start(kBlkFFlush);
  request(kBlkTOut, 0, buffer(512, 3), 512, false);
  held_->complete(0);
  spin();
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kFlush}));
}

TEST_F(VirtioBlkTest, AppleBarrierIsAFullFenceWithFlush) {
  make_held_device({.apple = AppleVariant::kAux});
  start();
  uint64_t r1 = request(kBlkTIn, 0, buffer(512), 512, true);
  uint64_t w1 = request(kBlkTOut, 8, buffer(512, 9), 512, false);
  uint64_t bar = request(kBlkTAppleBarrier, 0);
  uint64_t r2 = request(kBlkTIn, 8, buffer(512), 512, true);
  uint64_t id = request(kBlkTGetId, 0, buffer(20), 20, true);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kRead, Op::kWrite}))
      << "nothing behind the barrier starts";
  held_->complete(1);  // w1
  wait_used(1);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kRead})) << "r1 still runs";
  held_->complete(0);  // r1
  wait_used(2);
  EXPECT_EQ(status_at(r1), kBlkSOk);
  EXPECT_EQ(status_at(w1), kBlkSOk);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kFlush})) << "then a flush";
  spin();
  EXPECT_EQ(status_at(bar), 0xAA);
  EXPECT_EQ(status_at(id), 0xAA) << "even requests the device answers itself wait";
  held_->complete(0);  // the flush
  auto used = wait_used(4);
  EXPECT_EQ(status_at(bar), kBlkSOk);
  EXPECT_EQ(status_at(id), kBlkSOk);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kRead})) << "r2 starts after the barrier";
  held_->complete(0);
  used = wait_used(5);
  EXPECT_EQ(status_at(r2), kBlkSOk);
  // r2 read what w1 wrote: the barrier ordered them.
  EXPECT_EQ(held_->disk()[8 * 512], 9);
}

TEST_F(VirtioBlkTest, BackToBackBarriers) {
  make_held_device({.apple = AppleVariant::kRoot});
  start();
  uint64_t b1 = request(kBlkTAppleBarrier, 0);
  uint64_t b2 = request(kBlkTAppleBarrier, 0);
  uint64_t w = request(kBlkTOut, 0, buffer(512), 512, false);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kFlush})) << "idle: flush at once";
  held_->complete(0);
  wait_used(1);
  EXPECT_EQ(status_at(b1), kBlkSOk);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kFlush})) << "the second barrier";
  held_->complete(0);
  wait_used(2);
  EXPECT_EQ(status_at(b2), kBlkSOk);
  EXPECT_EQ(held_->pending_ops(), (std::vector<Op>{Op::kWrite}));
  held_->complete(0);
  wait_used(3);
  EXPECT_EQ(status_at(w), kBlkSOk);
}

TEST_F(VirtioBlkTest, BarrierFlushFailureIsIoErr) {
  make_held_device({.apple = AppleVariant::kRoot});
  start();
  uint64_t b = request(kBlkTAppleBarrier, 0);
  held_->complete(0, -EIO);
  wait_used(1);
  EXPECT_EQ(status_at(b), kBlkSIoErr);
}

// ---- Queues, notifications, reset -----------------------------------------

TEST_F(VirtioBlkTest, MultipleQueuesNotifySeparately) {
  make_file_device({.num_queues = 3});
  start(kFRingEventIdx);  // every completion interrupts
  auto image = test::make_pattern(kImageSize);
  uint64_t d1 = buffer(4096), d2 = buffer(4096);
  uint64_t s1 = request(kBlkTIn, 100, d1, 4096, true, 1);
  uint64_t s2 = request(kBlkTIn, 200, d2, 4096, true, 2);
  uint64_t s2b = request(kBlkTIn, 300, buffer(512), 512, true, 2);
  wait_used(1, 1);
  wait_used(2, 2);
  EXPECT_EQ(status_at(s1), kBlkSOk);
  EXPECT_EQ(status_at(s2), kBlkSOk);
  EXPECT_EQ(status_at(s2b), kBlkSOk);
  EXPECT_TRUE(
      std::equal(image.begin() + 100 * 512, image.begin() + 108 * 512, guest(d1, 4096).begin()));
  EXPECT_TRUE(
      std::equal(image.begin() + 200 * 512, image.begin() + 208 * 512, guest(d2, 4096).begin()));
  EXPECT_EQ(transport_.queue_notifications(0), 0u);
  EXPECT_EQ(transport_.queue_notifications(1), 1u);
  EXPECT_EQ(transport_.queue_notifications(2), 2u);
}

TEST_F(VirtioBlkTest, EventIdxSuppressesNotifications) {
  make_held_device();
  start();
  queues_[0]->set_used_event(2);  // interrupt me once the third request is used
  for (int i = 0; i < 4; ++i)
    request(kBlkTIn, static_cast<uint64_t>(i), buffer(512), 512, true);
  for (int i = 0; i < 4; ++i) {
    held_->complete(0);
    wait_used(static_cast<size_t>(i + 1));
    EXPECT_EQ(transport_.queue_notifications(0), i >= 2 ? 1u : 0u) << i;
  }
}

TEST_F(VirtioBlkTest, WithoutEventIdxNoInterruptFlagSuppresses) {
  make_held_device();
  start(kFRingEventIdx);
  request(kBlkTIn, 0, buffer(512), 512, true);
  held_->complete(0);
  wait_used(1);
  EXPECT_EQ(transport_.queue_notifications(0), 1u);
  queues_[0]->set_avail_flags(kAvailFNoInterrupt);
  request(kBlkTIn, 0, buffer(512), 512, true);
  held_->complete(0);
  wait_used(2);
  EXPECT_EQ(transport_.queue_notifications(0), 1u);
}

TEST_F(VirtioBlkTest, ResetWithRequestsInFlight) {
  make_held_device({.apple = AppleVariant::kRoot});
  start();
  request(kBlkTIn, 0, buffer(512), 512, true);
  request(kBlkTOut, 0, buffer(512), 512, false);
  request(kBlkTFlush, 0);                       // waits for the write
  request(kBlkTAppleBarrier, 0);                // waits for all
  request(kBlkTIn, 0, buffer(512), 512, true);  // held by the barrier
  EXPECT_EQ(held_->pending(), 2u);
  blk_->reset();
  EXPECT_FALSE(blk_->quiescent()) << "the backend still holds two requests";
  held_->complete_all();
  spin();
  EXPECT_TRUE(test::run_until(loop_, [&] { return blk_->quiescent(); }));
  EXPECT_EQ(queues_[0]->used_idx(), 0) << "no ring is touched after reset";
  EXPECT_EQ(transport_.queue_notifications(0), 0u);
  EXPECT_EQ(held_->pending(), 0u) << "nothing held was started";
}

TEST_F(VirtioBlkTest, ManyRequestsInFlightOnTheRealBackend) {
  make_file_device({.queue_size = 64});
  start();
  auto image = test::make_pattern(kImageSize);
  std::vector<std::pair<uint64_t, uint64_t>> reqs;  // data, sector
  for (int round = 0; round < 4; ++round) {
    size_t base = reaped_[0].size();
    for (uint64_t i = 0; i < 21; ++i) {
      uint64_t sector = (i * 37 + round * 11) % (kImageSize / 512 - 8);
      uint64_t data = buffer(4096);
      request(kBlkTIn, sector, data, 4096, true);
      reqs.emplace_back(data, sector);
    }
    wait_used(base + 21);
  }
  for (auto [data, sector] : reqs)
    ASSERT_TRUE(std::equal(image.begin() + sector * 512, image.begin() + sector * 512 + 4096,
                           guest(data, 4096).begin()));
}

}  // namespace
}  // namespace vmapple::virtio
