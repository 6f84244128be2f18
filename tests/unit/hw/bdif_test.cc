// The backdoor block interface driven as iBoot drives it: a 48-byte request
// descriptor and a sector header in guest RAM, the descriptor's address
// written to CMD in the root or aux window, the status byte read back.
#include "hw/vmapple/bdif.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "base/bits.h"
#include "base/error.h"
#include "base/log.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kBase = 0x3000'0000;
constexpr uint64_t kRam = 0x7000'0000;
constexpr uint64_t kRamSize = 160ull << 20;
constexpr uint64_t kDesc = kRam + 0x1000;
constexpr uint64_t kHeader = kRam + 0x2000;
constexpr uint64_t kStatus = kRam + 0x3000;
constexpr uint64_t kData = kRam + 0x10000;
using B = Bdif;

// A disk whose byte i is (i * 13 + seed) & 0xff; it can be told to fail.
class PatternDisk final : public BdifDisk {
 public:
  PatternDisk(uint64_t size, uint8_t seed) : size_(size), seed_(seed) {}
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, std::span<uint8_t> dst) override {
    ++reads;
    if (fail || offset > size_ || dst.size() > size_ - offset) return false;
    for (size_t i = 0; i < dst.size(); ++i)
      dst[i] = byte(offset + i);
    return true;
  }
  uint8_t byte(uint64_t at) const { return static_cast<uint8_t>(at * 13 + seed_); }
  bool fail = false;
  int reads = 0;

 private:
  uint64_t size_;
  uint8_t seed_;
};

class BdifTest : public ::testing::Test {
 protected:
  BdifTest() : space_(memory_), root_(256ull << 20, 1), aux_(1 << 20, 2) {
    memory_.add_region("ram", kRam, kRamSize);
    bdif_ = std::make_unique<Bdif>(memory_, &root_, &aux_);
    space_.add_mmio("bdif", kBase, B::kMmioSize, *bdif_, B::kRules);
  }

  uint64_t rd(uint64_t offset, unsigned size) {
    uint64_t v = 0x5555;
    EXPECT_EQ(space_.read(kBase + offset, size, &v), MmioStatus::kOk);
    return v;
  }
  void descriptor(uint64_t header, uint32_t header_len, uint64_t data, uint32_t len, uint32_t op,
                  uint64_t status, uint64_t at = kDesc) {
    uint8_t d[48] = {};
    store_le<uint64_t>(d + 0x00, header);
    store_le<uint32_t>(d + 0x08, header_len);
    store_le<uint64_t>(d + 0x10, data);
    store_le<uint32_t>(d + 0x18, len);
    store_le<uint32_t>(d + 0x1c, op);
    store_le<uint64_t>(d + 0x20, status);
    store_le<uint32_t>(d + 0x28, 1);
    ASSERT_TRUE(memory_.write(at, d));
  }
  void sector(uint32_t number) {
    uint8_t h[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    store_le<uint32_t>(h + 8, number);
    ASSERT_TRUE(memory_.write(kHeader, h));
  }
  // One request in `window`; returns the status byte (0xee: not written).
  uint8_t run(uint64_t window, uint64_t desc = kDesc, unsigned width = 8) {
    memory_.write_le<uint8_t>(kStatus, 0xee);
    EXPECT_EQ(space_.write(kBase + window + B::kCMD, width, desc), MmioStatus::kOk);
    return *memory_.read_le<uint8_t>(kStatus);
  }
  uint8_t read_request(uint64_t window, uint32_t sector_number, uint32_t len,
                       uint64_t data = kData) {
    sector(sector_number);
    descriptor(kHeader, 16, data, len, B::kOpRead, kStatus);
    return run(window);
  }
  std::vector<uint8_t> get(uint64_t gpa, size_t len) {
    std::vector<uint8_t> out(len);
    EXPECT_TRUE(memory_.read(gpa, out));
    return out;
  }
  void fill(uint64_t gpa, size_t len, uint8_t v) {
    ASSERT_TRUE(memory_.write(gpa, std::vector<uint8_t>(len, v)));
  }
  void expect_pattern(const PatternDisk& disk, uint64_t gpa, uint64_t offset, size_t len) {
    auto got = get(gpa, len);
    for (size_t i = 0; i < len; ++i)
      ASSERT_EQ(got[i], disk.byte(offset + i)) << "byte " << i;
  }

  GuestMemory memory_;
  AddressSpace space_;
  PatternDisk root_, aux_;
  std::unique_ptr<Bdif> bdif_;
};

TEST_F(BdifTest, ConstantRegistersInEveryWindowAndWidth) {
  for (uint64_t w : {B::kRootWindow, B::kAuxWindow, B::kUsbWindow, uint64_t{0x1F'0000}}) {
    SCOPED_TRACE(w);
    EXPECT_EQ(rd(w + B::kSTATUS, 4), 1u);
    EXPECT_EQ(rd(w + B::kSTATUS, 8), 1u);  // not combined with CFG
    EXPECT_EQ(rd(w + B::kCFG, 4), 2u);
    EXPECT_EQ(rd(w + B::kUNKNOWN1, 4), 0x420u);
    EXPECT_EQ(rd(w + B::kUNKNOWN1, 1), 0x20u);  // truncated to the width
    EXPECT_EQ(rd(w + B::kUNKNOWN1, 2), 0x420u);
    EXPECT_EQ(rd(w + B::kBUSY, 4), 1u);
    EXPECT_EQ(rd(w + B::kUNKNOWN2, 4), 1u);
    EXPECT_EQ(rd(w + B::kUNKNOWN3, 4), 0u);
    EXPECT_EQ(rd(w + B::kCMD, 4), 0xFFFF'FFFFu);
    EXPECT_EQ(rd(w + B::kCMD, 8), ~0ull);
    EXPECT_EQ(rd(w + 0x0C, 2), 0xFFFFu);
    EXPECT_EQ(rd(w + 0xFFF8, 8), ~0ull);
  }
  EXPECT_EQ(rd(B::kRootWindow + B::kNEXT_DEVICE, 4), 0x0800'0000u);
  EXPECT_EQ(rd(B::kAuxWindow + B::kNEXT_DEVICE, 4), 0x0001'0000u);
  EXPECT_EQ(rd(B::kAuxWindow + B::kNEXT_DEVICE, 1), 0u);
  EXPECT_EQ(rd(B::kUsbWindow + B::kNEXT_DEVICE, 4), 0xFFFF'FFFFu);
  // Writes to registers other than CMD change nothing.
  EXPECT_EQ(space_.write(kBase + B::kSTATUS, 4, 0), MmioStatus::kOk);
  EXPECT_EQ(rd(B::kSTATUS, 4), 1u);
  uint64_t v;
  EXPECT_EQ(space_.read(kBase + 2, 4, &v), MmioStatus::kInvalid);  // unaligned
}

TEST_F(BdifTest, ReadsFromTheDiskOfTheWindow) {
  EXPECT_EQ(read_request(B::kRootWindow, 3, 4096), B::kStatusOk);
  expect_pattern(root_, kData, 3 * 512, 4096);
  EXPECT_EQ(read_request(B::kAuxWindow, 7, 1000, kData + 3), B::kStatusOk);  // any length/alignment
  expect_pattern(aux_, kData + 3, 7 * 512, 1000);
  // The last sector of each disk.
  EXPECT_EQ(read_request(B::kAuxWindow, (1 << 20) / 512 - 1, 512), B::kStatusOk);
  expect_pattern(aux_, kData, (1 << 20) - 512, 512);
  // Length 0 succeeds.
  EXPECT_EQ(read_request(B::kRootWindow, 0, 0), B::kStatusOk);
}

TEST_F(BdifTest, CmdWriteWidthsAndOtherWindows) {
  sector(1);
  descriptor(kHeader, 16, kData, 512, B::kOpRead, kStatus);
  EXPECT_EQ(run(B::kRootWindow, kDesc, 4), B::kStatusOk);
  // A 4-byte write zero-extends: the high half of a 64-bit address is lost.
  EXPECT_EQ(run(B::kRootWindow, kDesc | (1ull << 32), 4), B::kStatusOk);
  EXPECT_EQ(run(B::kRootWindow, kDesc | (1ull << 32), 8), 0xee);  // descriptor not in RAM
  // CMD in the USB window and elsewhere does nothing; 0x40C is not CMD.
  EXPECT_EQ(run(B::kUsbWindow), 0xee);
  EXPECT_EQ(run(0x5'0000), 0xee);
  memory_.write_le<uint8_t>(kStatus, 0xee);
  EXPECT_EQ(space_.write(kBase + B::kCMD + 4, 4, kDesc), MmioStatus::kOk);
  EXPECT_EQ(*memory_.read_le<uint8_t>(kStatus), 0xee);
  EXPECT_EQ(root_.reads + aux_.reads, 2);
}

TEST_F(BdifTest, ExactlyOneHundredTwentyEightMiB) {
  const uint32_t max = 128u << 20;
  EXPECT_EQ(read_request(B::kRootWindow, 0, max), B::kStatusOk);
  expect_pattern(root_, kData + max - 4096, max - 4096, 4096);
  fill(kData, 4096, 0x77);
  EXPECT_EQ(read_request(B::kRootWindow, 0, max + 1), B::kStatusFailed);
  EXPECT_EQ(get(kData, 1)[0], 0x77);
}

TEST_F(BdifTest, EveryBadRequestFailsWithStatusOneAndLeavesMemoryAlone) {
  struct Case {
    const char* what;
    uint64_t header;
    uint32_t header_len;
    uint32_t sector;
    uint64_t data;
    uint32_t len;
    uint32_t op;
  } cases[] = {
      {"sector header length 15", kHeader, 15, 0, kData, 512, B::kOpRead},
      {"sector header length 32", kHeader, 32, 0, kData, 512, B::kOpRead},
      {"sector header outside RAM", 0x1000, 16, 0, kData, 512, B::kOpRead},
      {"sector header crossing the end of RAM", kRam + kRamSize - 8, 16, 0, kData, 512, B::kOpRead},
      {"data beyond the end of the disk", kHeader, 16, (256 << 20) / 512 - 1, kData, 1024,
       B::kOpRead},
      {"sector far beyond the disk", kHeader, 16, 0xFFFF'FFFF, kData, 512, B::kOpRead},
      {"data buffer outside RAM", kHeader, 16, 0, 0x2000'0000, 512, B::kOpRead},
      {"data buffer crossing the end of RAM", kHeader, 16, 0, kRam + kRamSize - 256, 512,
       B::kOpRead},
      {"WRITE", kHeader, 16, 0, kData, 512, B::kOpWrite},
      {"unknown operation", kHeader, 16, 0, kData, 512, 0x0003'0002},
      {"operation 0", kHeader, 16, 0, kData, 512, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    fill(kData, 1024, 0x77);
    fill(kRam + kRamSize - 256, 256, 0x77);
    sector(c.sector);
    descriptor(c.header, c.header_len, c.data, c.len, c.op, kStatus);
    uint64_t errors = trace::guest_error_count();
    EXPECT_EQ(run(B::kRootWindow), B::kStatusFailed);
    EXPECT_EQ(get(kData, 1024), std::vector<uint8_t>(1024, 0x77));
    EXPECT_EQ(get(kRam + kRamSize - 256, 256), std::vector<uint8_t>(256, 0x77));
    if (c.op != B::kOpWrite) {
      EXPECT_GT(trace::guest_error_count(), errors);
    }
  }
}

TEST_F(BdifTest, DiskErrorsAndMissingDisks) {
  root_.fail = true;
  EXPECT_EQ(read_request(B::kRootWindow, 0, 512), B::kStatusFailed);
  root_.fail = false;
  Bdif no_disks(memory_, nullptr, nullptr);
  sector(0);
  descriptor(kHeader, 16, kData, 512, B::kOpRead, kStatus);
  memory_.write_le<uint8_t>(kStatus, 0xee);
  no_disks.write(B::kAuxWindow + B::kCMD, 8, kDesc);
  EXPECT_EQ(*memory_.read_le<uint8_t>(kStatus), B::kStatusFailed);
}

TEST_F(BdifTest, DescriptorOrStatusOutsideRamWritesNothingAndNeverCrashes) {
  uint64_t errors = trace::guest_error_count();
  for (uint64_t bad : {uint64_t{0}, uint64_t{0x3000'0000}, kRam - 8, kRam + kRamSize - 40,
                       ~uint64_t{0}, ~uint64_t{0} - 47})
    EXPECT_EQ(run(B::kRootWindow, bad), 0xee) << bad;
  EXPECT_EQ(trace::guest_error_count(), errors + 6);
  // Status address outside RAM: the data still arrives, the status is dropped.
  sector(2);
  descriptor(kHeader, 16, kData, 512, B::kOpRead, kRam + kRamSize);
  EXPECT_EQ(run(B::kRootWindow), 0xee);
  expect_pattern(root_, kData, 1024, 512);
  EXPECT_EQ(trace::guest_error_count(), errors + 7);
}

class BdifFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-bdif-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string make(const std::string& name, const std::vector<uint8_t>& bytes) {
    auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(BdifFileTest, AuxHeaderIsSkipped) {
  std::vector<uint8_t> bytes(0x4000 + 4096);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(i < 0x4000 ? 0xAA : i * 5);
  auto path = make("aux.img", bytes);
  FileBdifDisk disk(path, 0x4000);
  EXPECT_EQ(disk.size(), 4096u);
  std::vector<uint8_t> got(512);
  ASSERT_TRUE(disk.read(512, got));
  EXPECT_TRUE(std::equal(got.begin(), got.end(), bytes.begin() + 0x4000 + 512));
  EXPECT_FALSE(disk.read(4096 - 256, got));  // beyond the end
  FileBdifDisk whole(path, 0);
  EXPECT_EQ(whole.size(), bytes.size());
  ASSERT_TRUE(whole.read(0, got));
  EXPECT_EQ(got[0], 0xAA);
}

TEST_F(BdifFileTest, TruncatedOrMissingFilesAreConfigErrors) {
  auto small = make("small.img", std::vector<uint8_t>(0x4000));
  EXPECT_THROW(FileBdifDisk(small, 0x4000), ConfigError);
  EXPECT_THROW(FileBdifDisk((dir_ / "missing").string(), 0), ConfigError);
}

}  // namespace
}  // namespace vmapple
