// Linux direct boot on the vmapple machine (issue 9): Debian's arm64 kernel
// with the busybox initramfs of scripts/guest-image reaches /init on the
// PL011 console; the clock (PL031), PSCI SYSTEM_OFF / SYSTEM_RESET and PSCI
// CPU_ON with working SGIs, each seen from inside the guest. Label `slow`.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include "linux_guest.h"

namespace vmapple::testing {
namespace {

using LinuxBootTest = LinuxTest;

TEST_F(LinuxBootTest, BootsToInitAndPowerOffEndsTheVmmWithStatusZero) {
  // No step: /init loads its modules, prints the marker and runs
  // `poweroff -f` (PSCI SYSTEM_OFF) after the (empty) step list.
  RunningVm vm(dir_, boot_args("none"));
  ASSERT_TRUE(vm.wait_for("vmapple-init: ready")) << vm.log();
  // Every module of load.order went in (18 with Debian's 6.1 kernel).
  EXPECT_TRUE(std::regex_search(vm.out(), std::regex("vmapple-init: loaded 1[0-9] modules")))
      << vm.log();
  EXPECT_TRUE(results(vm.out(), "modules").empty()) << vm.log();  // no insmod failed
  EXPECT_EQ(vm.wait_exit(), 0) << vm.log();
  EXPECT_NE(vm.out().find("vmapple-init: powering off"), std::string::npos) << vm.log();
}

TEST_F(LinuxBootTest, GuestDateMatchesTheHostClock) {
  RunningVm vm(dir_, boot_args("date"));
  ASSERT_TRUE(vm.wait_for("vmapple-result: date")) << vm.log();
  auto host = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  auto lines = results(vm.out(), "date");
  ASSERT_EQ(lines.size(), 1u) << vm.log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(lines[0], m, std::regex("epoch=([0-9]+) rtc=([0-9]+)")))
      << lines[0];
  long guest = std::stol(m[1]), rtc = std::stol(m[2]);
  // The kernel set its clock from the PL031 at boot; the RTC reads live.
  EXPECT_LE(std::labs(guest - host), 5) << lines[0] << " host " << host;
  EXPECT_LE(std::labs(rtc - host), 5) << lines[0] << " host " << host;
  EXPECT_EQ(vm.wait_exit(), 0) << vm.log();
}

TEST_F(LinuxBootTest, RebootResetsTheMachineAndBootsAgain) {
  // The data disk remembers the first boot: reboot -f (PSCI SYSTEM_RESET)
  // on the first, poweroff -f on the second.
  auto args = boot_args("reboot");
  args.insert(args.end(), {"--disk", disk_});
  RunningVm vm(dir_, args);
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  std::string out = vm.out();
  EXPECT_EQ(count(out, "vmapple-init: ready"), 2u) << vm.log();
  auto lines = results(out, "reboot");
  ASSERT_EQ(lines.size(), 2u) << vm.log();
  EXPECT_EQ(lines[0], "first-boot");
  EXPECT_EQ(lines[1], "second-boot");
}

TEST_F(LinuxBootTest, TwoCpusComeOnlineAndExchangeIpis) {
  RunningVm vm(dir_, boot_args("smp", "", 2));
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  auto lines = results(vm.out(), "smp");
  ASSERT_FALSE(lines.empty()) << vm.log();
  EXPECT_EQ(lines[0], "online=0-1 nproc=2") << vm.log();
  // "IPI0:  4  71  Rescheduling interrupts": both CPUs took some SGIs.
  long cpu0 = 0, cpu1 = 0;
  std::smatch m;
  for (size_t i = 1; i < lines.size(); ++i)
    if (std::regex_search(lines[i], m, std::regex(R"(^IPI[0-9]+:\s+([0-9]+)\s+([0-9]+)\s)"))) {
      cpu0 += std::stol(m[1]);
      cpu1 += std::stol(m[2]);
    }
  EXPECT_GT(cpu0, 0) << vm.log();
  EXPECT_GT(cpu1, 0) << vm.log();
}

}  // namespace
}  // namespace vmapple::testing
