#include "boot/linux_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/error.h"
#include "unit/boot/boot_test_util.h"

namespace vmapple::boot {
namespace {

using testing::gzip;
using testing::make_image;
using testing::write_file;

constexpr uint64_t kMiB = 1 << 20;
constexpr RamRange kRam{0x7000'0000, 64 * kMiB};

class LinuxLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-boot-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name, const std::vector<uint8_t>& data) {
    auto p = dir_ / name;
    write_file(p, data);
    return p.string();
  }

  // The ConfigError message of `f`, or "" if it did not throw.
  template <class F>
  std::string error_of(F f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path dir_;
};

TEST_F(LinuxLoaderTest, PlacesKernelInitrdAndDtbInOrder) {
  auto image = make_image(3 * kMiB + 100, 0, 5 * kMiB + 4096);
  std::vector<uint8_t> initrd(kMiB + 3, 0xab);
  LinuxImages im = read_linux_images(file("Image", image), file("initrd", initrd), kRam);
  EXPECT_FALSE(im.kernel_was_gzip);
  LinuxLayout l = plan_linux_layout(im, kRam);
  EXPECT_EQ(l.kernel_addr, 0x7000'0000u);
  EXPECT_EQ(l.kernel_end, 0x7000'0000u + 5 * kMiB + 4096);
  EXPECT_EQ(l.initrd_start, 0x7000'0000u + 6 * kMiB);  // next 2 MiB boundary
  EXPECT_EQ(l.initrd_end, l.initrd_start + kMiB + 3);
  EXPECT_EQ(l.dtb_addr, 0x7000'0000u + 8 * kMiB);
  EXPECT_EQ(l.dtb_addr % 8, 0u);
  EXPECT_TRUE(l.has_initrd());
}

TEST_F(LinuxLoaderTest, HonoursTextOffset) {
  auto image = make_image(4096, 0x80000, 2 * kMiB);
  LinuxLayout l = plan_linux_layout(read_linux_images(file("Image", image), "", kRam), kRam);
  EXPECT_EQ(l.kernel_addr, 0x7008'0000u);
  EXPECT_EQ(l.kernel_end, 0x7028'0000u);
  EXPECT_FALSE(l.has_initrd());
  EXPECT_EQ(l.initrd_start, 0x7040'0000u);
  EXPECT_EQ(l.dtb_addr, 0x7040'0000u);
}

TEST_F(LinuxLoaderTest, InflatesAGzipKernel) {
  auto image = make_image(kMiB, 0, 2 * kMiB);
  LinuxImages im = read_linux_images(file("vmlinuz", gzip(image)), "", kRam);
  EXPECT_TRUE(im.kernel_was_gzip);
  EXPECT_EQ(im.kernel, image);
  EXPECT_EQ(im.header.image_size, 2 * kMiB);
}

TEST_F(LinuxLoaderTest, WritesTheImagesAndClearsTheBss) {
  GuestMemory memory;
  memory.add_region("ram", kRam.base, kRam.size);
  auto image = make_image(kMiB, 0, 2 * kMiB);
  std::vector<uint8_t> initrd(5000, 0x5c);
  LinuxImages im = read_linux_images(file("Image", image), file("initrd", initrd), kRam);
  LinuxLayout l = plan_linux_layout(im, kRam);
  // A previous run left garbage where the BSS goes.
  std::vector<uint8_t> garbage(kMiB, 0xee);
  ASSERT_TRUE(memory.write(l.kernel_addr + kMiB, garbage));
  std::vector<uint8_t> dtb = {0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3, 4};
  ASSERT_TRUE(write_linux_images(memory, l, im, dtb));

  std::vector<uint8_t> back(image.size());
  ASSERT_TRUE(memory.read(l.kernel_addr, back));
  EXPECT_EQ(back, image);
  std::vector<uint8_t> bss(kMiB);
  ASSERT_TRUE(memory.read(l.kernel_addr + kMiB, bss));
  EXPECT_EQ(bss, std::vector<uint8_t>(kMiB, 0));
  std::vector<uint8_t> rd(initrd.size());
  ASSERT_TRUE(memory.read(l.initrd_start, rd));
  EXPECT_EQ(rd, initrd);
  std::vector<uint8_t> tree(dtb.size());
  ASSERT_TRUE(memory.read(l.dtb_addr, tree));
  EXPECT_EQ(tree, dtb);
}

TEST_F(LinuxLoaderTest, ErrorsNameTheFlagAndTheFile) {
  std::string text = file("notes.txt", std::vector<uint8_t>(200, 'x'));
  EXPECT_EQ(
      error_of([&] { read_linux_images(text, "", kRam); }),
      "--kernel: '" + text + "' is not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38)");

  auto packed = gzip(make_image(kMiB, 0, kMiB));
  packed.resize(packed.size() / 2);
  std::string cut = file("cut.gz", packed);
  EXPECT_EQ(error_of([&] {
              read_linux_images(cut, "", kRam);
            }).rfind("--kernel: '" + cut + "' is a corrupt gzip file (", 0),
            0u);

  EXPECT_EQ(error_of([&] { read_linux_images((dir_ / "missing").string(), "", kRam); }),
            "--kernel: '" + (dir_ / "missing").string() + "' cannot be read");
}

TEST_F(LinuxLoaderTest, KernelThatDoesNotFit) {
  // image_size (BSS included) is what must fit, not the file.
  auto big = file("Image", make_image(4096, 0, 65 * kMiB));
  LinuxImages im = read_linux_images(big, "", kRam);
  std::string e = error_of([&] { plan_linux_layout(im, kRam); });
  EXPECT_EQ(e.rfind("--kernel: '" + big + "' needs 65 MiB from 0x70000000", 0), 0u) << e;
  EXPECT_NE(e.find("does not fit in the 64 MiB of --memory"), std::string::npos) << e;

  // A file larger than RAM is refused before it is read.
  std::string huge = file("huge", make_image(2 * kMiB, 0, 2 * kMiB));
  e = error_of([&] { read_linux_images(huge, "", {kRam.base, kMiB}); });
  EXPECT_EQ(e, "--kernel: '" + huge + "' (2 MiB) does not fit in the 1 MiB of --memory");

  // A gzip bomb stops at the RAM size.
  std::string bomb = file("bomb.gz", gzip(make_image(8 * kMiB, 0, 8 * kMiB)));
  e = error_of([&] { read_linux_images(bomb, "", {kRam.base, 4 * kMiB}); });
  EXPECT_EQ(e, "--kernel: '" + bomb + "' decompresses to more than 4194304 bytes");
}

TEST_F(LinuxLoaderTest, InitrdAndDtbThatDoNotFit) {
  auto kernel = file("Image", make_image(4096, 0, 30 * kMiB));
  auto initrd = file("initrd", std::vector<uint8_t>(35 * kMiB, 1));
  LinuxImages im = read_linux_images(kernel, initrd, kRam);
  EXPECT_EQ(error_of([&] { plan_linux_layout(im, kRam); }),
            "--initrd: '" + initrd +
                "' (35 MiB) does not fit in the 64 MiB of --memory after the "
                "kernel");

  // Kernel and initrd fit exactly; the device tree's block does not.
  auto exact = file("initrd2", std::vector<uint8_t>(34 * kMiB, 1));
  im = read_linux_images(kernel, exact, kRam);
  EXPECT_EQ(error_of([&] { plan_linux_layout(im, kRam); }),
            "--memory: 64 MiB leaves no room for the device tree after the kernel and the initrd");
}

}  // namespace
}  // namespace vmapple::boot
