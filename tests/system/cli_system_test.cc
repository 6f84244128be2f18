// Runs the built `vmapple` binary as a user would and checks exit statuses
// and the one-line errors.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include "vmapple_process.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Result = vmapple::testing::ProcessResult;
using vmapple::testing::slurp;

class CliSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-cli-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    firmware_ = make_file("fw.bin", 4096);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string make_file(const std::string& name, size_t size) {
    auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << std::string(size, '\0');
    return p;
  }

  Result run(const std::vector<std::string>& args) {
    return vmapple::testing::run_vmapple(dir_, args);
  }

  void expect_usage_error(const std::vector<std::string>& args, const std::string& prefix) {
    Result r = run(args);
    EXPECT_EQ(r.status, 2) << r.err;
    auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind(prefix, 0), 0u) << lines[0];
    EXPECT_EQ(r.out, "");
  }

  std::filesystem::path dir_;
  std::string firmware_;
};

TEST_F(CliSystemTest, BadMemorySizeExitsTwoNamingTheFlag) {
  expect_usage_error({"run", "--memory", "12XB", "--firmware", firmware_},
                     "vmapple: --memory: '12XB'");
}

TEST_F(CliSystemTest, MissingFirmwareExitsTwoNamingTheFlag) {
  auto missing = (dir_ / "nope.bin").string();
  expect_usage_error({"run", "--firmware", missing}, "vmapple: --firmware: '" + missing + "'");
}

TEST_F(CliSystemTest, OversizedFirmwareExitsTwo) {
  expect_usage_error({"run", "--firmware", make_file("big.bin", (1 << 20) + 512)},
                     "vmapple: --firmware: ");
}

TEST_F(CliSystemTest, UnknownOptionAndMissingCommandExitTwo) {
  expect_usage_error({"run", "--firmware", firmware_, "--frobnicate"}, "vmapple: ");
  expect_usage_error({}, "vmapple: ");
  expect_usage_error({"fly"}, "vmapple: ");
  expect_usage_error({"run", "--cpus", "64", "--firmware", firmware_}, "vmapple: --cpus: ");
}

TEST_F(CliSystemTest, BadDiskExitsTwoNamingTheFile) {
  auto odd = make_file("odd.img", 1000);
  expect_usage_error({"run", "--firmware", firmware_, "--disk", odd, "--serial", "none"},
                     "vmapple: --disk: ");
  auto missing = (dir_ / "missing.img").string();
  Result r = run({"run", "--firmware", firmware_, "--disk", missing, "--serial", "none"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST_F(CliSystemTest, VersionAndHelp) {
  Result v = run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("vmapple ", 0), 0u) << v.out;
  Result h = run({"run", "--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--memory"), std::string::npos);
  EXPECT_NE(h.out.find("Examples:"), std::string::npos);
  Result t = run({"run", "--trace", "help"});
  EXPECT_EQ(t.status, 0);
  EXPECT_NE(t.out.find("guest-error"), std::string::npos);
  EXPECT_NE(t.out.find("pl011"), std::string::npos);
}

// A guest that powers off at once (PSCI SYSTEM_OFF over HVC): the map shows
// the default USB devices, and --no-defaults leaves them out.
TEST_F(CliSystemTest, NoDefaultsLeavesOutTheUsbController) {
  std::ofstream(firmware_, std::ios::binary)
      .write("\x00\x01\x80\x52\x00\x80\xb0\x72\x02\x00\x00\xd4", 12);
  Result with = run({"run", "--firmware", firmware_, "--memory", "64M", "--serial", "none"});
  EXPECT_EQ(with.status, 0) << with.err;
  EXPECT_NE((with.out + with.err).find("pci 00:01.0  xhci"), std::string::npos) << with.err;
  Result without =
      run({"run", "--firmware", firmware_, "--memory", "64M", "--serial", "none", "--no-defaults"});
  EXPECT_EQ(without.status, 0) << without.err;
  EXPECT_NE((without.out + without.err).find("pcie-ecam"), std::string::npos) << without.err;
  EXPECT_EQ((without.out + without.err).find("xhci"), std::string::npos) << without.err;
}

TEST_F(CliSystemTest, SpinningGuestStopsCleanlyOnSigterm) {
  // A guest that never stops (`b .` at the reset vector) on a full machine:
  // the VMM stays responsive and ends on SIGTERM with status 128 + 15.
  auto disk = make_file("disk.img", 1 << 20);
  std::ofstream(firmware_, std::ios::binary).write("\x00\x00\x00\x14", 4);
  Result r = vmapple::testing::run_vmapple(
      dir_,
      {"run", "--firmware", firmware_, "--memory", "64M", "--cpus", "2", "--disk", disk, "--serial",
       "none", "--ecid", "0x42"},
      {.timeout = std::chrono::seconds(20),
       .signal_after = std::make_pair(std::chrono::milliseconds(500), SIGTERM)});
  EXPECT_EQ(r.status, 128 + SIGTERM) << r.err;
  EXPECT_NE(r.err.find("stopping the VM"), std::string::npos) << r.err;
}

TEST_F(CliSystemTest, GuestTakingExceptionsForeverStopsOnSigint) {
  // Zeroed firmware is UDF #0 at the reset vector with VBAR_EL1 = 0, a hole:
  // the CPU takes exception after exception and the VMM must still stop.
  Result r = vmapple::testing::run_vmapple(
      dir_, {"run", "--firmware", firmware_, "--memory", "64M", "--serial", "none"},
      {.timeout = std::chrono::seconds(20),
       .signal_after = std::make_pair(std::chrono::milliseconds(500), SIGINT)});
  EXPECT_EQ(r.status, 128 + SIGINT) << r.err;
}

}  // namespace
