// The USB keyboard and tablet behind the machine's xHCI, and the power
// button on the PL061, as Linux sees them: lsusb from sysfs, a key press
// injected through the host control socket (`vmapple run --control`, see
// docs/control.md) read from /dev/input/eventN, and a power-button press that
// the guest answers with poweroff through gpio-keys. Label `slow`.
#include <gtest/gtest.h>

#include "linux_guest.h"

namespace vmapple::testing {
namespace {

using LinuxInputTest = LinuxTest;

TEST_F(LinuxInputTest, SysfsListsTheKeyboardAndTheTablet) {
  RunningVm vm(dir_, boot_args("usb"));
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  std::string all;
  for (auto& l : results(vm.out(), "usb"))
    all += l + "\n";
  // Vendor 0x0627 (as QEMU's HID devices), product 0x0001, our strings.
  EXPECT_NE(all.find("id=0627:0001 product=vmapple USB Keyboard"), std::string::npos) << all;
  EXPECT_NE(all.find("id=0627:0001 product=vmapple USB Tablet"), std::string::npos) << all;
  // usbhid bound both and evdev made input devices of them.
  EXPECT_NE(all.find("name=vmapple vmapple USB Keyboard"), std::string::npos) << all;
  EXPECT_NE(all.find("name=vmapple vmapple USB Tablet"), std::string::npos) << all;
  EXPECT_NE(all.find("name=gpio-keys"), std::string::npos) << all;
}

TEST_F(LinuxInputTest, KeyInjectedFromTheHostArrivesAsAnInputEvent) {
  std::string sock = (dir_ / "control.sock").string();
  auto args = boot_args("key");
  args.insert(args.end(), {"--control", sock});
  RunningVm vm(dir_, args);
  // The guest holds the keyboard's event device open before it says so.
  ASSERT_TRUE(vm.wait_for("vmapple-result: key waiting")) << vm.log();
  auto [status, reply] = ctl(sock, "key KEY_A");
  EXPECT_EQ(status, 0) << reply;
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  auto lines = results(vm.out(), "key");
  ASSERT_EQ(lines.size(), 2u) << vm.log();
  EXPECT_EQ(lines[1], "ok code=30") << vm.log();  // EV_KEY KEY_A value 1 (press)
}

TEST_F(LinuxInputTest, PowerButtonMakesTheGuestPowerOff) {
  std::string sock = (dir_ / "control.sock").string();
  auto args = boot_args("power");
  args.insert(args.end(), {"--control", sock});
  RunningVm vm(dir_, args);
  ASSERT_TRUE(vm.wait_for("vmapple-result: power waiting")) << vm.log();
  auto [status, reply] = ctl(sock, "power-button");
  EXPECT_EQ(status, 0) << reply;
  // gpio-keys reports KEY_POWER (116); the guest's answer is poweroff -f,
  // i.e. PSCI SYSTEM_OFF, which ends the VMM with status 0.
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  auto lines = results(vm.out(), "power");
  ASSERT_EQ(lines.size(), 2u) << vm.log();
  EXPECT_EQ(lines[1], "pressed") << vm.log();
  EXPECT_EQ(vm.out().find("vmapple-init: powering off"), std::string::npos)
      << "the guest must power off from the power step";
}

}  // namespace
}  // namespace vmapple::testing
