#include "boot/arm64_image.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "unit/boot/boot_test_util.h"

namespace vmapple::boot {
namespace {

using testing::gzip;
using testing::make_image;

TEST(Arm64ImageTest, ReadsTheHeaderFields) {
  auto image = make_image(4096, 0x80000, 0x1234000, 0xa);
  Arm64ImageHeader h = parse_arm64_image(image);
  EXPECT_EQ(h.text_offset, 0x80000u);
  EXPECT_EQ(h.image_size, 0x1234000u);
  EXPECT_EQ(h.flags, 0xau);
  EXPECT_EQ(image_footprint(h, image.size()), 0x1234000u);
}

TEST(Arm64ImageTest, FootprintIsTheFileWhenLargerThanImageSize) {
  auto image = make_image(8192, 0, 4096);
  EXPECT_EQ(image_footprint(parse_arm64_image(image), image.size()), 8192u);
}

TEST(Arm64ImageTest, ZeroImageSizeMeansAPre317KernelAtTheLegacyOffset) {
  auto image = make_image(4096, 0, 0, 1 /* ignored: flags are undefined then */);
  Arm64ImageHeader h = parse_arm64_image(image);
  EXPECT_EQ(h.text_offset, Arm64ImageHeader::kLegacyTextOffset);
  EXPECT_EQ(h.flags, 0u);
}

void expect_rejected(const std::vector<uint8_t>& image, const std::string& phrase) {
  try {
    parse_arm64_image(image);
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
  }
}

TEST(Arm64ImageTest, RejectsFilesWithoutTheMagic) {
  auto image = make_image(4096, 0, 8192);
  image[0x3b] = 0;
  expect_rejected(image, "is not an arm64 Image");
  expect_rejected(std::vector<uint8_t>(63, 0), "is not an arm64 Image");
  expect_rejected({}, "is not an arm64 Image");
  // An ELF vmlinux is not an Image either.
  std::vector<uint8_t> elf(4096, 0);
  elf[0] = 0x7f, elf[1] = 'E', elf[2] = 'L', elf[3] = 'F';
  expect_rejected(elf, "is not an arm64 Image");
}

TEST(Arm64ImageTest, RejectsBigEndianAndCorruptOffsets) {
  expect_rejected(make_image(4096, 0, 8192, 0xb), "big-endian");
  expect_rejected(make_image(4096, 2 << 20, 8192), "text_offset");
  expect_rejected(make_image(4096, 0x80010, 8192), "text_offset");
  expect_rejected(make_image(4096, 0, uint64_t{1} << 50), "image_size");
}

TEST(GzipTest, DetectsAndInflates) {
  auto image = make_image(300000, 0, 400000);
  auto packed = gzip(image);
  ASSERT_TRUE(is_gzip(packed));
  EXPECT_FALSE(is_gzip(image));
  EXPECT_EQ(gunzip(packed, 1 << 20), image);
  EXPECT_EQ(gunzip(packed, image.size()), image);  // exactly at the bound
}

TEST(GzipTest, OutputIsBounded) {
  std::vector<uint8_t> zeros(4 << 20, 0);
  auto packed = gzip(zeros);  // a few KiB that inflate to 4 MiB
  try {
    gunzip(packed, 1 << 20);
    FAIL() << "inflated past the bound";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("decompresses to more than 1048576 bytes"),
              std::string::npos)
        << e.what();
  }
}

TEST(GzipTest, CorruptAndTruncatedStreamsAreErrors) {
  auto packed = gzip(make_image(100000, 0, 100000));
  auto truncated = std::vector<uint8_t>(packed.begin(), packed.begin() + packed.size() / 2);
  auto corrupt = packed;
  for (size_t i = 20; i < 60; ++i)
    corrupt[i] ^= 0x5a;
  auto bad_crc = packed;
  bad_crc[bad_crc.size() - 6] ^= 1;  // the CRC32 in the trailer
  for (const auto& bad : {truncated, corrupt, bad_crc}) {
    try {
      gunzip(bad, 1 << 20);
      FAIL() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("is a corrupt gzip file (", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace vmapple::boot
