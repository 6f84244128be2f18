// `vmapple run --kernel` errors (one line, exit 2, before the guest starts)
// and `vmapple dump-dtb`, driven through the built binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../unit/boot/image_util.h"
#include "vmapple_process.h"

namespace {

using vmapple::boot::testing::make_image;
using vmapple::boot::testing::write_file;
using Result = vmapple::testing::ProcessResult;

constexpr uint64_t kMiB = 1 << 20;

class BootCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-bootcli-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name, const std::vector<uint8_t>& data) {
    write_file(dir_ / name, data);
    return (dir_ / name).string();
  }
  Result run(const std::vector<std::string>& args) {
    return vmapple::testing::run_vmapple(dir_, args, {std::chrono::milliseconds(30'000)});
  }
  void expect_error(const std::vector<std::string>& args, const std::string& line) {
    Result r = run(args);
    EXPECT_EQ(r.status, 2) << r.err;
    auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0], line);
  }

  std::filesystem::path dir_;
};

TEST_F(BootCliTest, NotAnImage) {
  std::string text = file("README", std::vector<uint8_t>(4096, 'a'));
  expect_error({"run", "--memory", "64M", "--kernel", text, "--serial", "none"},
               "vmapple: --kernel: '" + text +
                   "' is not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38)");
}

TEST_F(BootCliTest, CorruptGzip) {
  // A gzip header (deflate, no flags) followed by a block of reserved type 3.
  std::vector<uint8_t> packed = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x07, 0, 0, 0};
  std::string cut = file("vmlinuz", packed);
  Result r = run({"run", "--memory", "64M", "--kernel", cut, "--serial", "none"});
  EXPECT_EQ(r.status, 2);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_EQ(r.err_lines()[0].rfind("vmapple: --kernel: '" + cut + "' is a corrupt gzip file (", 0),
            0u)
      << r.err;
}

TEST_F(BootCliTest, KernelOrInitrdTooBigForMemory) {
  std::string big = file("Image", make_image(4096, 0, 80 * kMiB));
  expect_error({"run", "--memory", "64M", "--kernel", big, "--serial", "none"},
               "vmapple: --kernel: '" + big +
                   "' needs 80 MiB from 0x70000000 (its image_size, BSS included) and does not "
                   "fit in the 64 MiB of --memory");
  std::string kernel = file("Image2", make_image(4096, 0, 8 * kMiB));
  std::string initrd = file("initrd", std::vector<uint8_t>(60 * kMiB, 7));
  expect_error(
      {"run", "--memory", "64M", "--kernel", kernel, "--initrd", initrd, "--serial", "none"},
      "vmapple: --initrd: '" + initrd +
          "' (60 MiB) does not fit in the 64 MiB of --memory after the kernel");
}

std::string dtc(const std::filesystem::path& dtb, const std::filesystem::path& dir) {
  std::string cmd = "dtc -I dtb -O dts -o " + (dir / "out.dts").string() + " " + dtb.string() +
                    " 2>" + (dir / "dtc.err").string();
  EXPECT_EQ(system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(vmapple::testing::slurp(dir / "dtc.err"), "");
  return vmapple::testing::slurp(dir / "out.dts");
}

TEST_F(BootCliTest, DumpDtbDescribesTheConfiguration) {
  auto dtb = dir_ / "vm.dtb";
  Result r = run({"dump-dtb", dtb.string(), "--memory", "1G", "--cpus", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::string dts = dtc(dtb, dir_);
  EXPECT_NE(dts.find("cpu@0 {"), std::string::npos) << dts;
  EXPECT_NE(dts.find("cpu@1 {"), std::string::npos);
  EXPECT_EQ(dts.find("cpu@2 {"), std::string::npos);
  EXPECT_NE(dts.find("reg = <0x00 0x70000000 0x00 0x40000000>;"), std::string::npos);
  EXPECT_NE(dts.find("compatible = \"arm,psci-1.0\\0arm,psci-0.2\";"), std::string::npos);
  EXPECT_NE(dts.find("pci-host-ecam-generic"), std::string::npos);
  EXPECT_EQ(dts.find("linux,initrd-start"), std::string::npos);  // no --initrd

  // With --kernel/--initrd/--append: the initrd range the loader uses.
  std::string kernel = file("Image", make_image(4096, 0, 3 * kMiB));
  std::string initrd = file("initrd", std::vector<uint8_t>(4096, 1));
  r = run({"dump-dtb", dtb.string(), "--memory", "256M", "--kernel", kernel, "--initrd", initrd,
           "--append", "console=ttyAMA0 quiet"});
  ASSERT_EQ(r.status, 0) << r.err;
  dts = dtc(dtb, dir_);
  EXPECT_NE(dts.find("bootargs = \"console=ttyAMA0 quiet\";"), std::string::npos) << dts;
  EXPECT_NE(dts.find("linux,initrd-start = <0x00 0x70400000>;"), std::string::npos) << dts;
  EXPECT_NE(dts.find("linux,initrd-end = <0x00 0x70401000>;"), std::string::npos) << dts;
}

TEST_F(BootCliTest, DumpDtbErrors) {
  expect_error({"dump-dtb", (dir_ / "x.dtb").string(), "--memory", "64K"},
               "vmapple: --memory: '64K' is too small (at least 1 MiB)");
  auto unwritable = (dir_ / "no-such-dir" / "x.dtb").string();
  expect_error({"dump-dtb", unwritable},
               "vmapple: dump-dtb: '" + unwritable + "' cannot be written");
}

// The boot protocol, seen from a minimal Image (tests/guest/boot): x0 = the
// device tree, x1..x3 = 0, EL1h, DAIF masked, MMU off; PSCI SYSTEM_RESET
// loads a fresh image and boots it again; SYSTEM_OFF ends with status 0.
TEST_F(BootCliTest, BootProtocolAndResetReload) {
  std::string image = std::string(VMAPPLE_GUEST_DIR) + "/boot/boot_protocol_image.bin";
  Result r = vmapple::testing::run_vmapple(
      dir_, {"run", "--memory", "256M", "--kernel", image, "--serial", "stdio", "--append", "x"},
      {std::chrono::milliseconds(30'000)});
  EXPECT_EQ(r.status, 0) << r.err;
  // 2 MiB image_size from 0x70000000, no initrd: the tree at 0x70200000.
  const std::string state =
      ": x0 0x0000000070200000 x1-x3 zero fdt-magic EL1h daif-masked mmu-off fresh-image\r\n";
  EXPECT_EQ(r.out, "boot 1" + state + "boot 2" + state);
  EXPECT_NE(r.err.find("guest reset (PSCI SYSTEM_RESET)"), std::string::npos) << r.err;
}

}  // namespace
