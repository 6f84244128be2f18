// `vmapple run --firmware`: the bare-metal test firmware (tests/guest/
// firmware/hello.c) on the interp CPU prints through the PL011, reads the cfg
// region, takes a timer interrupt through the GICv3 and powers off with PSCI
// SYSTEM_OFF, which ends the VMM with status 0.
#include <gtest/gtest.h>

#include <filesystem>

#include "vmapple_process.h"

namespace {

class FirmwareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-fw-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FirmwareTest, HelloFirmwareRunsToPowerOff) {
  std::string fw = std::string(VMAPPLE_GUEST_DIR) + "/firmware/hello_firmware.bin";
  ASSERT_TRUE(std::filesystem::exists(fw)) << fw;
  auto r = vmapple::testing::run_vmapple(
      dir_, {"run", "--firmware", fw, "--memory", "128M", "--cpus", "2", "--ecid",
             "0x1122334455667788", "--serial", "stdio"});
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("firmware: hello from the vmapple machine"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cfg nr_cpus=2 ecid=0x1122334455667788 ram_size=0x0000000008000000"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("psci version 0x0000000000010001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("timer interrupt taken through the GIC (INTID 30)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("firmware: powering off"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("PSCI SYSTEM_OFF"), std::string::npos) << r.err;
}

}  // namespace
