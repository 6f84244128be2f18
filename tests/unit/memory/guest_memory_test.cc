#include "memory/guest_memory.h"

#include <gtest/gtest.h>

#include <array>

#include "base/error.h"

namespace vmapple {
namespace {

class GuestMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_.add_region("low", 0x1000, 0x2000);
    mem_.add_region("ram", 0x7000'0000, 0x10'0000);
  }
  GuestMemory mem_;
};

TEST_F(GuestMemoryTest, RoundTripsAndStartsZeroed) {
  std::array<uint8_t, 4> in{1, 2, 3, 4}, out{};
  EXPECT_TRUE(mem_.read(0x7000'0000, out));
  EXPECT_EQ(out, (std::array<uint8_t, 4>{}));
  EXPECT_TRUE(mem_.write(0x7000'0ffe, in));
  EXPECT_TRUE(mem_.read(0x7000'0ffe, out));
  EXPECT_EQ(out, in);
  EXPECT_EQ(mem_.read_le<uint32_t>(0x7000'0ffe), 0x04030201u);
  EXPECT_TRUE(mem_.write_le<uint64_t>(0x2ff8, 0x1122334455667788ull));
  EXPECT_EQ(mem_.read_le<uint16_t>(0x2ffe), 0x1122u);
}

TEST_F(GuestMemoryTest, RejectsRangesOutsideOrAcrossRegions) {
  std::array<uint8_t, 8> buf{};
  EXPECT_FALSE(mem_.read(0x0, buf));
  EXPECT_FALSE(mem_.read(0x2ffc, buf));                  // runs off the end of "low"
  EXPECT_FALSE(mem_.write(0x7010'0000 - 4, buf));        // runs off the end of RAM
  EXPECT_FALSE(mem_.span_at(0xffff'ffff'ffff'fffc, 8));  // wraps around
  EXPECT_FALSE(mem_.span_at(0x7000'0000, 0x10'0001));
  EXPECT_FALSE(mem_.read_le<uint32_t>(0x3000));
  EXPECT_FALSE(mem_.write_le<uint32_t>(0x0ffe, 1));
  ASSERT_TRUE(mem_.span_at(0x7000'0000, 0x10'0000));
  EXPECT_EQ(mem_.span_at(0x7000'0000, 0x10'0000)->size(), 0x10'0000u);
  EXPECT_TRUE(mem_.span_at(0x3000 - 1, 1));
  EXPECT_EQ(mem_.find(0x2fff)->name, "low");
  EXPECT_EQ(mem_.find(0x3000), nullptr);
}

TEST_F(GuestMemoryTest, OverlappingRegionsAreRefused) {
  EXPECT_THROW(mem_.add_region("bad", 0x2000, 0x2000), ConfigError);
  EXPECT_THROW(mem_.add_region("bad", 0x0, 0x1001), ConfigError);
  EXPECT_THROW(mem_.add_region("empty", 0x10000, 0), ConfigError);
  EXPECT_THROW(mem_.add_region("wrap", ~0ull - 10, 0x1000), ConfigError);
  EXPECT_NO_THROW(mem_.add_region("adjacent", 0x3000, 0x1000));
}

TEST_F(GuestMemoryTest, ZeroClearsUnalignedRangesExactly) {
  auto s = *mem_.span_at(0x7000'0000, 0x10'0000);
  std::fill(s.begin(), s.end(), 0xAB);
  EXPECT_TRUE(mem_.zero(0x7000'0010, 0x3000));
  EXPECT_EQ(s[0xf], 0xAB);
  EXPECT_EQ(s[0x10], 0);
  EXPECT_EQ(s[0x2000], 0);
  EXPECT_EQ(s[0x300f], 0);
  EXPECT_EQ(s[0x3010], 0xAB);
  EXPECT_FALSE(mem_.zero(0x7000'0000, 0x10'0001));
}

TEST(GuestMemoryLarge, HugeRegionsAreMappedLazily) {
  GuestMemory mem;
  mem.add_region("ram", 0x7000'0000, 64ull << 30);  // 64 GiB of address space, no RSS
  EXPECT_TRUE(mem.write_le<uint32_t>(0x7000'0000 + (64ull << 30) - 4, 0xdeadbeef));
  EXPECT_EQ(mem.read_le<uint32_t>(0x7000'0000 + (64ull << 30) - 4), 0xdeadbeefu);
}

}  // namespace
}  // namespace vmapple
