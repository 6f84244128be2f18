#include "hw/vmapple/cfg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"

namespace vmapple {
namespace {

VmappleCfgProperties known_properties() {
  VmappleCfgProperties p;
  p.nr_cpus = 4;
  p.ecid = 0x1122'3344'5566'7788;
  p.ram_size = 0x1'0000'0000;  // 4 GiB
  p.run_installer1 = 0xA1;
  p.run_installer2 = 0xA2B2C3D4;
  p.rnd = 0xDEAD'BEEF;
  p.mac_en0 = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  p.mac_en1 = {0x02, 0x66, 0x77, 0x88, 0x99, 0xAA};
  p.mac_wifi0 = {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
  p.mac_bt0 = {0xF0, 0xE0, 0xD0, 0xC0, 0xB0, 0xA0};
  p.serial = "SER-42";
  return p;
}

std::string hex(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes)
    s += fmt::format("{:02x}", b);
  return s;
}

std::string hex_of(std::string_view text) {
  return hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// Checks fields by their bytes and remembers which bytes were checked, so the
// rest of the image can be required to be zero.
class ImageChecker {
 public:
  explicit ImageChecker(std::span<const uint8_t> image) : image_(image), seen_(image.size()) {}
  void expect(size_t offset, std::string_view expected_hex) {
    size_t len = expected_hex.size() / 2;
    ASSERT_LE(offset + len, image_.size());
    EXPECT_EQ(hex(image_.subspan(offset, len)), expected_hex) << "at offset " << std::hex << offset;
    for (size_t i = 0; i < len; ++i)
      seen_[offset + i] = true;
  }
  // char[32]: the text, then NULs.
  void expect_string(size_t offset, std::string_view text) {
    expect(offset, hex_of(text) + std::string(2 * (32 - text.size()), '0'));
  }
  void expect_rest_zero() {
    for (size_t i = 0; i < image_.size(); ++i)
      if (!seen_[i]) {
        EXPECT_EQ(image_[i], 0) << "at offset " << std::hex << i;
      }
  }

 private:
  std::span<const uint8_t> image_;
  std::vector<bool> seen_;
};

TEST(VmappleCfgTest, EveryFieldAtItsOffset) {
  VmappleCfg cfg(known_properties());
  auto image = cfg.image();
  ASSERT_EQ(image.size(), 0x5A8u);
  ImageChecker c(image);
  c.expect(0x000, "02000000");                          // version
  c.expect(0x004, "04000000");                          // nr_cpus
  c.expect(0x008, "01000000");                          // unknown 1
  c.expect(0x00C, "01000000");                          // unknown 2
  c.expect(0x010, "20000000");                          // unknown 3
  c.expect(0x014, "00000000");                          // unknown 4
  c.expect(0x018, "8877665544332211");                  // ecid
  c.expect(0x020, "0000000001000000");                  // ram_size
  c.expect(0x028, "a1000000");                          // run_installer1
  c.expect(0x02C, "01000000");                          // unknown 5
  c.expect(0x030, "01000000");                          // unknown 6
  c.expect(0x034, "d4c3b2a2");                          // run_installer2
  c.expect(0x038, "efbeadde");                          // rnd
  c.expect(0x03C, "00000000");                          // unknown 7
  c.expect(0x040, "0211223344550000");                  // mac_en0 + padding
  c.expect(0x048, "0266778899aa0000");                  // mac_en1
  c.expect(0x050, "0a0b0c0d0e0f0000");                  // mac_wifi0
  c.expect(0x058, "f0e0d0c0b0a00000");                  // mac_bt0
  c.expect(0x100, "00000000010000000200000003000000");  // cpu_ids[0..3]
  c.expect(0x110, std::string(2 * 4 * 124, '0'));       // cpu_ids[4..127]
  c.expect_string(0x500, "SER-42");
  c.expect_string(0x520, "D/A");
  c.expect_string(0x540, "VM0001");
  c.expect(0x580, "01000000");  // unknown 10
  c.expect_string(0x584, "Apple M1 (Virtual)");
  c.expect_rest_zero();
}

TEST(VmappleCfgTest, DefaultStrings) {
  VmappleCfgProperties p;
  p.nr_cpus = 1;
  VmappleCfg cfg(p);
  auto image = cfg.image();
  EXPECT_EQ(hex(image.subspan(0x500, 5)), hex_of("1234") + "00");
  EXPECT_EQ(hex(image.subspan(0x540, 7)), hex_of("VM0001") + "00");
  EXPECT_EQ(hex(image.subspan(0x100, 8)), "0000000000000000");
}

TEST(VmappleCfgTest, MaximumCpusFillTheTable) {
  auto p = known_properties();
  p.nr_cpus = 128;
  VmappleCfg cfg(p);
  auto image = cfg.image();
  EXPECT_EQ(hex(image.subspan(0x004, 4)), "80000000");
  EXPECT_EQ(hex(image.subspan(0x2FC, 4)), "7f000000");  // cpu_ids[127]
  EXPECT_EQ(hex(image.subspan(0x300, 4)), "00000000");  // scratch untouched
}

std::string config_error(const VmappleCfgProperties& p) {
  try {
    VmappleCfg cfg(p);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(VmappleCfgTest, StringsOf31CharactersFit32DoNot) {
  auto p = known_properties();
  std::string s31(31, 'x');
  p.serial = p.model = p.soc_name = s31;
  VmappleCfg cfg(p);
  auto image = cfg.image();
  for (size_t off : {0x500, 0x540, 0x584}) {
    EXPECT_EQ(hex(image.subspan(off, 32)), hex_of(s31) + "00") << std::hex << off;
  }
  EXPECT_EQ(hex(image.subspan(0x520, 4)), hex_of("D/A") + "00");  // neighbour intact

  p.serial = std::string(32, 'x');
  EXPECT_EQ(config_error(p), "cfg: serial: value too long (32 characters, maximum 31)");
  p = known_properties();
  p.model = std::string(40, 'm');
  EXPECT_EQ(config_error(p), "cfg: model: value too long (40 characters, maximum 31)");
  p = known_properties();
  p.soc_name = std::string(32, 's');
  EXPECT_EQ(config_error(p), "cfg: soc_name: value too long (32 characters, maximum 31)");
}

TEST(VmappleCfgTest, StringsAreCheckedInOrderSerialModelSocName) {
  auto p = known_properties();
  p.serial = p.model = p.soc_name = std::string(33, 'x');
  EXPECT_NE(config_error(p).find("cfg: serial:"), std::string::npos);
  p.serial = "ok";
  EXPECT_NE(config_error(p).find("cfg: model:"), std::string::npos);
  p.model = "ok";
  EXPECT_NE(config_error(p).find("cfg: soc_name:"), std::string::npos);
  p.soc_name = "ok";
  EXPECT_EQ(config_error(p), "");
}

TEST(VmappleCfgTest, EmbeddedNulIsRejected) {
  auto p = known_properties();
  p.model = std::string("VM\0X", 4);
  EXPECT_EQ(config_error(p), "cfg: model: value contains a NUL character");
}

TEST(VmappleCfgTest, NrCpusBounds) {
  auto p = known_properties();
  p.nr_cpus = 0;
  EXPECT_EQ(config_error(p), "cfg: nr_cpus: 0 is out of range (1 to 128)");
  p.nr_cpus = 129;
  EXPECT_EQ(config_error(p), "cfg: nr_cpus: 129 is out of range (1 to 128)");
  p.nr_cpus = 0xFFFF'FFFF;
  EXPECT_NE(config_error(p), "");
  for (uint32_t n : {1u, 32u, 128u}) {
    p.nr_cpus = n;
    EXPECT_EQ(config_error(p), "") << n;
  }
}

class VmappleCfgResetTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kBelow = VmappleCfg::kBase - 0x1000;
  static constexpr uint64_t kAbove = VmappleCfg::kBase + VmappleCfg::kSize;

  VmappleCfgResetTest() {
    // Neighbouring RAM right up against both ends, to catch stray writes.
    memory_.add_region("below", kBelow, 0x1000);
    memory_.add_region("cfg", VmappleCfg::kBase, VmappleCfg::kSize);
    memory_.add_region("above", kAbove, 0x1000);
    fill(kBelow, 0x1000, 0xAA);
    fill(kAbove, 0x1000, 0xAA);
  }
  void fill(uint64_t gpa, uint64_t len, uint8_t v) {
    std::vector<uint8_t> bytes(len, v);
    ASSERT_TRUE(memory_.write(gpa, bytes));
  }
  std::vector<uint8_t> bytes(uint64_t gpa, uint64_t len) {
    std::vector<uint8_t> out(len);
    EXPECT_TRUE(memory_.read(gpa, out));
    return out;
  }
  void expect_neighbours_intact() {
    EXPECT_EQ(bytes(kBelow, 0x1000), std::vector<uint8_t>(0x1000, 0xAA));
    EXPECT_EQ(bytes(kAbove, 0x1000), std::vector<uint8_t>(0x1000, 0xAA));
  }
  void expect_region_is(std::span<const uint8_t> image) {
    auto region = bytes(VmappleCfg::kBase, VmappleCfg::kSize);
    EXPECT_TRUE(std::equal(image.begin(), image.end(), region.begin()));
    EXPECT_TRUE(std::all_of(region.begin() + static_cast<ptrdiff_t>(image.size()), region.end(),
                            [](uint8_t b) { return b == 0; }));
  }

  GuestMemory memory_;
};

TEST_F(VmappleCfgResetTest, ResetZeroesGuestWritesAndRestoresTheSameImage) {
  VmappleCfgDevice device(known_properties(), memory_);
  EXPECT_EQ(device.name(), "vmapple-cfg");
  device.reset();
  expect_region_is(device.cfg().image());
  auto first = bytes(VmappleCfg::kBase, VmappleCfg::kSize);
  EXPECT_EQ(*memory_.read_le<uint32_t>(VmappleCfg::kBase + 0x38), 0xDEAD'BEEFu);

  // The guest scribbles over the whole region (including the rnd field).
  fill(VmappleCfg::kBase, VmappleCfg::kSize, 0x55);
  memory_.write_le<uint32_t>(VmappleCfg::kBase + 0x38, 0x12345678);
  device.reset();
  EXPECT_EQ(bytes(VmappleCfg::kBase, VmappleCfg::kSize), first);
  expect_neighbours_intact();

  // Only the first reset's image, not a fresh rnd, ever reaches the guest.
  fill(VmappleCfg::kBase + VmappleCfg::kSize - 16, 16, 0x77);
  device.reset();
  EXPECT_EQ(bytes(VmappleCfg::kBase, VmappleCfg::kSize), first);
}

TEST_F(VmappleCfgResetTest, ResetReturnsFalseWithoutTheRegion) {
  GuestMemory empty;
  VmappleCfg cfg(known_properties());
  EXPECT_FALSE(cfg.reset(empty));
  GuestMemory small;
  small.add_region("short", VmappleCfg::kBase, VmappleCfg::kSize - 0x1000);
  EXPECT_FALSE(cfg.reset(small));
  EXPECT_THROW(VmappleCfgDevice(known_properties(), small), ConfigError);
  EXPECT_TRUE(cfg.reset(memory_));
  expect_region_is(cfg.image());
  expect_neighbours_intact();
}

TEST_F(VmappleCfgResetTest, BadPropertiesFailDeviceConstruction) {
  auto p = known_properties();
  p.soc_name = std::string(32, 's');
  EXPECT_THROW(VmappleCfgDevice(p, memory_), ConfigError);
}

}  // namespace
}  // namespace vmapple
