#include "cli/run_flags.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"

namespace vmapple {
namespace {

class RunFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-flags-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    firmware_ = write_file("fw.bin", 4096);
    flags_.firmware = firmware_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_file(const std::string& name, size_t size) {
    auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << std::string(size, '\x5a');
    return path;
  }

  // The message of the ConfigError the flags produce, or "" if they pass.
  std::string error() {
    try {
      validate_run_flags(flags_);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path dir_;
  std::string firmware_;
  RunFlags flags_;
};

TEST_F(RunFlagsTest, DefaultsAreValid) {
  VmConfig vm = validate_run_flags(flags_);
  EXPECT_EQ(vm.machine.ram_size, 4ull << 30);
  EXPECT_EQ(vm.machine.cpus, 1u);
  EXPECT_EQ(vm.machine.firmware, firmware_);
  EXPECT_EQ(vm.machine.serial, "stdio");
  EXPECT_EQ(vm.on_panic, PanicAction::kExit);
}

TEST_F(RunFlagsTest, MemoryErrorsNameTheFlag) {
  flags_.memory = "12XB";
  EXPECT_EQ(error().rfind("--memory: '12XB' has an unknown unit 'XB'", 0), 0u) << error();
  flags_.memory = "512K";
  EXPECT_EQ(error().rfind("--memory: '512K' is too small", 0), 0u) << error();
  flags_.memory = "1000001K";
  EXPECT_EQ(error().rfind("--memory: '1000001K' is not a multiple of 4 KiB", 0), 0u) << error();
  flags_.memory = "2T";
  EXPECT_EQ(error().rfind("--memory: '2T' does not fit the memory map", 0), 0u) << error();
  flags_.memory = "512M";
  EXPECT_EQ(error(), "");
  EXPECT_EQ(validate_run_flags(flags_).machine.ram_size, 512ull << 20);
}

TEST_F(RunFlagsTest, CpusMustBeInRange) {
  for (const char* bad : {"0", "33", "two", "-1"}) {
    flags_.cpus = bad;
    EXPECT_EQ(error().rfind("--cpus: ", 0), 0u) << bad << ": " << error();
  }
  flags_.cpus = "32";
  EXPECT_EQ(validate_run_flags(flags_).machine.cpus, 32u);
}

TEST_F(RunFlagsTest, FirmwareMustExistBeReadableAndFit) {
  flags_.firmware = (dir_ / "missing.bin").string();
  EXPECT_EQ(error(), "--firmware: '" + flags_.firmware + "': No such file or directory");
  flags_.firmware = write_file("big.bin", (1 << 20) + 1);
  EXPECT_NE(error().find("larger than the 1 MiB firmware region"), std::string::npos) << error();
  flags_.firmware = write_file("exact.bin", 1 << 20);
  EXPECT_EQ(error(), "");
  flags_.firmware = write_file("empty.bin", 0);
  EXPECT_EQ(error(), "--firmware: '" + flags_.firmware + "' is empty");
  flags_.firmware = dir_.string();
  EXPECT_EQ(error(), "--firmware: '" + flags_.firmware + "' is not a regular file");
  if (geteuid() != 0) {  // root reads anything
    flags_.firmware = write_file("secret.bin", 16);
    std::filesystem::permissions(flags_.firmware, std::filesystem::perms::none);
    EXPECT_EQ(error().rfind("--firmware: ", 0), 0u);
  }
}

TEST_F(RunFlagsTest, BootSourcesAreExclusiveAndConsistent) {
  flags_.kernel = write_file("Image", 64);
  EXPECT_NE(error().find("--firmware and --kernel cannot be used together"), std::string::npos);
  flags_.firmware.clear();
  EXPECT_EQ(error(), "");
  flags_.kernel.clear();
  EXPECT_EQ(error().rfind("nothing to boot", 0), 0u);
  flags_.firmware = firmware_;
  flags_.initrd = write_file("initrd", 64);
  EXPECT_EQ(error(), "--initrd needs --kernel");
  flags_.initrd.clear();
  flags_.append = "console=ttyAMA0";
  EXPECT_EQ(error(), "--append needs --kernel");
  flags_.firmware.clear();
  flags_.kernel = (dir_ / "nope").string();
  EXPECT_EQ(error().rfind("--kernel: '", 0), 0u);
}

TEST_F(RunFlagsTest, DiskSpecs) {
  DiskConfig d = parse_disk_spec("root.img,ro,engine=threads");
  EXPECT_EQ(d.path, "root.img");
  EXPECT_TRUE(d.read_only);
  EXPECT_EQ(d.engine, "threads");
  EXPECT_FALSE(parse_disk_spec("a.img").read_only);
  flags_.disks = {"a.img,fast"};
  EXPECT_EQ(error(),
            "--disk: unknown disk option 'fast' (use ro, rw, engine=... or apple=root|aux)");
  flags_.disks = {",ro"};
  EXPECT_EQ(error().rfind("--disk: ", 0), 0u);
  flags_.disks = {"a.img,engine=aio"};
  EXPECT_EQ(error().rfind("--disk: 'engine=aio'", 0), 0u);
}

TEST_F(RunFlagsTest, AppleDiskSpecs) {
  EXPECT_EQ(parse_disk_spec("a.img").apple, "");  // a standard virtio-blk-pci
  DiskConfig root = parse_disk_spec("macos.img,apple=root");
  EXPECT_EQ(root.path, "macos.img");
  EXPECT_EQ(root.apple, "root");
  DiskConfig aux = parse_disk_spec("aux.img,ro,apple=aux,engine=threads");
  EXPECT_EQ(aux.apple, "aux");
  EXPECT_TRUE(aux.read_only);
  EXPECT_EQ(aux.engine, "threads");
  // The variant is mandatory (spec 6.1), with QEMU's wording.
  for (const char* bad :
       {"a.img,apple", "a.img,apple=", "a.img,apple=unspecified", "a.img,apple=Root"}) {
    flags_.disks = {bad};
    EXPECT_EQ(error().rfind("--disk: ", 0), 0u) << bad;
    EXPECT_NE(error().find("variant"), std::string::npos) << bad << ": " << error();
  }
}

TEST_F(RunFlagsTest, SerialEcidTraceAndPanic) {
  flags_.serial = "tcp:1234";
  EXPECT_EQ(error().rfind("--serial: 'tcp:1234' is not a serial backend", 0), 0u) << error();
  flags_.serial = "file:";
  EXPECT_EQ(error().rfind("--serial: ", 0), 0u);
  flags_.serial = "unix:/tmp/x.sock";
  flags_.ecid = "0x1122334455667788";
  EXPECT_EQ(validate_run_flags(flags_).machine.ecid, 0x1122334455667788ull);
  flags_.ecid = "12q";
  EXPECT_EQ(error().rfind("--ecid: ", 0), 0u);
  flags_.ecid = "0";
  flags_.trace = "zzz*";
  EXPECT_EQ(error().rfind("--trace: 'zzz*' matches no trace category", 0), 0u) << error();
  flags_.trace = "guest-error";
  flags_.on_panic = "reboot";
  EXPECT_EQ(error(), "--on-panic: 'reboot' is not a panic action (use exit or continue)");
  flags_.on_panic = "continue";
  EXPECT_EQ(validate_run_flags(flags_).on_panic, PanicAction::kContinue);
}

}  // namespace
}  // namespace vmapple
