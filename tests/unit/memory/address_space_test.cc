#include "memory/address_space.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "base/error.h"
#include "base/log.h"

namespace vmapple {
namespace {

// Records every access the AddressSpace delivers, with a register file
// behind it.
struct Recorder : MmioHandler {
  struct Access {
    bool write;
    uint64_t offset;
    unsigned size;
    uint64_t value;
    bool operator==(const Access&) const = default;
  };
  std::vector<Access> log;
  std::map<uint64_t, uint64_t> regs;

  uint64_t read(uint64_t offset, unsigned size) override {
    uint64_t v = regs.count(offset) ? regs[offset] : 0;
    log.push_back({false, offset, size, v});
    return v;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    log.push_back({true, offset, size, value});
    regs[offset] = value;
  }
};

class AddressSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_.add_region("ram", 0x7000'0000, 0x1000);
    as_.add_mmio("dev", 0x2000'0000, 0x1000, dev_);
  }
  GuestMemory mem_;
  AddressSpace as_{mem_};
  Recorder dev_;
};

TEST_F(AddressSpaceTest, DispatchesByAddressAndSize) {
  for (unsigned size : {1u, 2u, 4u, 8u}) {
    EXPECT_EQ(as_.write(0x2000'0010, size, 0x1122334455667788ull), MmioStatus::kOk);
    uint64_t expected =
        size == 8 ? 0x1122334455667788ull : 0x1122334455667788ull & ((1ull << (8 * size)) - 1);
    EXPECT_EQ(dev_.log.back(), (Recorder::Access{true, 0x10, size, expected}));
  }
  dev_.regs[0x20] = 0xffff'ffff'ffff'ffffull;
  uint64_t v = 0;
  EXPECT_EQ(as_.read(0x2000'0020, 2, &v), MmioStatus::kOk);
  EXPECT_EQ(v, 0xffffu);  // a device's excess bits never leak past the access size
}

TEST_F(AddressSpaceTest, RamIsReachedDirectly) {
  EXPECT_EQ(as_.write(0x7000'0008, 8, 0x0102030405060708ull), MmioStatus::kOk);
  uint64_t v = 0;
  EXPECT_EQ(as_.read(0x7000'000c, 4, &v), MmioStatus::kOk);
  EXPECT_EQ(v, 0x01020304u);
  EXPECT_TRUE(dev_.log.empty());
}

TEST_F(AddressSpaceTest, UnassignedReadsZeroAndDropsWrites) {
  uint64_t v = 123;
  EXPECT_EQ(as_.read(0x1000'0000, 4, &v), MmioStatus::kUnassigned);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(as_.write(0x2000'1000, 4, 1), MmioStatus::kUnassigned);  // one past the region
  EXPECT_EQ(as_.write(0xffff'ffff'ffff'fff8, 8, 1), MmioStatus::kUnassigned);
  EXPECT_TRUE(dev_.log.empty());
}

TEST_F(AddressSpaceTest, InvalidSizesAndAlignmentAreRefusedAndCounted) {
  uint64_t v;
  uint64_t before = trace::guest_error_count();
  EXPECT_EQ(as_.read(0x2000'0001, 4, &v), MmioStatus::kInvalid);
  EXPECT_EQ(as_.write(0x2000'0ffc, 8, 0), MmioStatus::kInvalid);
  EXPECT_EQ(as_.read(0x2000'0000, 3, &v), MmioStatus::kInvalid);
  EXPECT_EQ(as_.read(0x2000'0000, 16, &v), MmioStatus::kInvalid);
  EXPECT_TRUE(dev_.log.empty());
  EXPECT_EQ(trace::guest_error_count() - before, 2u);
}

TEST_F(AddressSpaceTest, OverlapsAreRejectedAtRegistration) {
  Recorder other;
  EXPECT_THROW(as_.add_mmio("x", 0x2000'0fff, 2, other), ConfigError);
  EXPECT_THROW(as_.add_mmio("x", 0x1fff'f000, 0x1001, other), ConfigError);
  EXPECT_THROW(as_.add_mmio("x", 0x6fff'ffff, 2, other), ConfigError);  // into RAM
  EXPECT_THROW(as_.add_mmio("x", 0x3000'0000, 0, other), ConfigError);
  EXPECT_NO_THROW(as_.add_mmio("x", 0x2000'1000, 0x1000, other));
  EXPECT_NO_THROW(as_.add_mmio("y", 0x1fff'f000, 0x1000, other));
}

TEST_F(AddressSpaceTest, RegionsCanBeRemovedAndReplaced) {
  Recorder other;
  EXPECT_TRUE(as_.remove_mmio(0x2000'0000));
  EXPECT_FALSE(as_.remove_mmio(0x2000'0000));
  uint64_t v;
  EXPECT_EQ(as_.read(0x2000'0000, 4, &v), MmioStatus::kUnassigned);
  as_.add_mmio("other", 0x2000'0000, 0x100, other);
  EXPECT_EQ(as_.write(0x2000'0004, 4, 9), MmioStatus::kOk);
  EXPECT_EQ(other.regs[4], 9u);
  EXPECT_EQ(as_.find_mmio(0x2000'00ff)->name, "other");
  EXPECT_FALSE(as_.find_mmio(0x2000'0100));
}

TEST(AddressSpaceRules, WideAccessesSplitAscendingNarrowOnesWiden) {
  GuestMemory mem;
  AddressSpace as(mem);
  Recorder dev;
  as.add_mmio("r32", 0x1000, 0x100, dev, MmioAccessRules{1, 8, 4, 4});
  dev.regs[0x10] = 0xAABBCCDD;
  dev.regs[0x14] = 0x11223344;
  uint64_t v;
  EXPECT_EQ(as.read(0x1010, 8, &v), MmioStatus::kOk);
  EXPECT_EQ(v, 0x11223344AABBCCDDull);
  EXPECT_EQ(as.read(0x1011, 1, &v), MmioStatus::kOk);
  EXPECT_EQ(v, 0xCCu);
  EXPECT_EQ(as.read(0x1012, 2, &v), MmioStatus::kOk);
  EXPECT_EQ(v, 0xAABBu);
  dev.log.clear();
  EXPECT_EQ(as.write(0x1020, 8, 0x0000000500000006ull), MmioStatus::kOk);
  ASSERT_EQ(dev.log.size(), 2u);
  EXPECT_EQ(dev.log[0], (Recorder::Access{true, 0x20, 4, 6}));
  EXPECT_EQ(dev.log[1], (Recorder::Access{true, 0x24, 4, 5}));
  EXPECT_EQ(as.write(0x1032, 2, 0xBEEF), MmioStatus::kOk);
  EXPECT_EQ(dev.log.back(), (Recorder::Access{true, 0x30, 4, 0xBEEF0000}));
}

TEST(AddressSpaceRules, SizesOutsideTheAllowedRangeAreInvalid) {
  GuestMemory mem;
  AddressSpace as(mem);
  Recorder dev;
  as.add_mmio("aes", 0x1000, 0x100, dev, MmioAccessRules{4, 8, 4, 4});
  uint64_t v;
  EXPECT_EQ(as.read(0x1000, 1, &v), MmioStatus::kInvalid);
  EXPECT_EQ(as.write(0x1000, 2, 0), MmioStatus::kInvalid);
  EXPECT_EQ(as.read(0x1000, 4, &v), MmioStatus::kOk);
  EXPECT_EQ(dev.log.size(), 1u);
}

}  // namespace
}  // namespace vmapple
