#include "base/size.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace vmapple {
namespace {

TEST(ParseSize, AcceptsPlainAndBinaryUnits) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_size("4G"), 4ull << 30);
  EXPECT_EQ(parse_size("4g"), 4ull << 30);
  EXPECT_EQ(parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_size("1TB"), 1ull << 40);
  EXPECT_EQ(parse_size("64K"), 64ull << 10);
  EXPECT_EQ(parse_size("10B"), 10u);
}

TEST(ParseSize, RejectsUnknownUnitsGarbageAndOverflow) {
  EXPECT_THROW(parse_size("12XB"), ConfigError);
  EXPECT_THROW(parse_size(""), ConfigError);
  EXPECT_THROW(parse_size("G"), ConfigError);
  EXPECT_THROW(parse_size("-1G"), ConfigError);
  EXPECT_THROW(parse_size("4 G"), ConfigError);
  EXPECT_THROW(parse_size("4GG"), ConfigError);
  EXPECT_THROW(parse_size("99999999999T"), ConfigError);
  EXPECT_THROW(parse_size("99999999999999999999"), ConfigError);
  try {
    parse_size("12XB");
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown unit 'XB'"), std::string::npos) << e.what();
  }
}

TEST(ParseU64, DecimalAndHex) {
  EXPECT_EQ(parse_u64("0"), 0u);
  EXPECT_EQ(parse_u64("18446744073709551615"), ~0ull);
  EXPECT_EQ(parse_u64("0x1234abcd"), 0x1234abcdu);
  EXPECT_EQ(parse_u64("0XFF"), 0xffu);
  EXPECT_THROW(parse_u64("0x"), ConfigError);
  EXPECT_THROW(parse_u64("12a"), ConfigError);
  EXPECT_THROW(parse_u64("18446744073709551616"), ConfigError);
  EXPECT_THROW(parse_u64("-5"), ConfigError);
}

TEST(FormatSize, LargestExactUnit) {
  EXPECT_EQ(format_size(4ull << 30), "4 GiB");
  EXPECT_EQ(format_size(1536ull << 10), "1536 KiB");
  EXPECT_EQ(format_size(100), "100 bytes");
  EXPECT_EQ(format_size(0), "0 bytes");
}

}  // namespace
}  // namespace vmapple
