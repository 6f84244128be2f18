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

TEST_F(FirmwareTest, TwoCpusShareASpinlockAndAnAtomicCounter) {
  // CPU 0 starts CPU 1 with PSCI CPU_ON; both take an LDAXR/STXR spinlock
  // and do LDXR/STXR atomic adds 20000 times; CPU 1 ends with CPU_OFF, which
  // CPU 0 observes with AFFINITY_INFO before checking the totals.
  std::string fw = std::string(VMAPPLE_GUEST_DIR) + "/firmware/smp_firmware.bin";
  auto r = vmapple::testing::run_vmapple(
      dir_, {"run", "--firmware", fw, "--memory", "64M", "--cpus", "2", "--serial", "stdio"});
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("smp: cpu1 started"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("smp: locked counter 40000 atomic counter 40000 OK"), std::string::npos)
      << r.out;
}

}  // namespace
