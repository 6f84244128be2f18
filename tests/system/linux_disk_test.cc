// The data disk through Linux's virtio-blk driver on the vmapple machine: the
// ext4 image made by scripts/guest-image mounts in the guest, and what the
// guest writes and syncs is in the image file after the VM powered off (read
// on the host with debugfs). The Apple variant of the device is enumerated
// on PCI but has no Linux driver (see below). Label `slow`.
#include <gtest/gtest.h>

#include <random>

#include "linux_guest.h"

namespace vmapple::testing {
namespace {

using LinuxDiskTest = LinuxTest;

std::string random_token() {
  std::random_device rd;
  return "tok" + std::to_string(rd()) + std::to_string(rd());
}

// `debugfs -R 'cat /NAME'` of the image.
std::string host_cat(const std::string& image, const std::string& name) {
  auto [status, out] = shell("debugfs -R 'cat /" + name + "' " + image + " 2>/dev/null", false);
  EXPECT_EQ(status, 0) << out;
  return out;
}

std::string seq_text(int n) {
  std::string s;
  for (int i = 1; i <= n; ++i)
    s += std::to_string(i) + "\n";
  return s;
}

TEST_F(LinuxDiskTest, Ext4WrittenInTheGuestIsIntactOnTheHostImage) {
  std::string token = random_token();
  auto args = boot_args("disk", "vmapple.token=" + token);
  args.insert(args.end(), {"--disk", disk_});
  RunningVm vm(dir_, args);
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  auto lines = results(vm.out(), "disk");
  ASSERT_EQ(lines.size(), 3u) << vm.log();
  EXPECT_EQ(lines[0], "mounted hello=hello from the vmapple data disk");
  EXPECT_EQ(lines[2], "ok");
  EXPECT_EQ(host_cat(disk_, "guest.txt"), "token=" + token + "\n");
  EXPECT_EQ(host_cat(disk_, "seq.txt"), seq_text(100000));
  // The file system is clean: the guest unmounted it before powering off.
  auto [status, fsck] = shell("e2fsck -fn " + disk_);
  EXPECT_EQ(status, 0) << fsck;
}

TEST_F(LinuxDiskTest, AppleVariantIsEnumeratedNextToAStandardDisk) {
  // apple=root makes the function vmapple-virtio-blk-pci (106b:1a00), the
  // device macOS boots from. Stock Linux's virtio-pci only takes vendor
  // 0x1af4 devices 0x1000..0x107f, so Linux sees the function (mass storage
  // class, slot 3) but binds no driver; the standard disk in slot 2 works
  // next to it.
  std::string apple = (dir_ / "apple.img").string();
  fs::copy_file(image_.disk, apple);
  std::string token = random_token();
  auto args = boot_args("pci,disk", "vmapple.token=" + token);
  args.insert(args.end(), {"--disk", disk_, "--disk", apple + ",apple=root"});
  RunningVm vm(dir_, args);
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  std::string out = vm.out();
  std::vector<std::string> pci = results(out, "pci");
  auto has = [&](const std::string& s) {
    for (auto& l : pci)
      if (l.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("dev=0000:00:02.0 id=0x1af4:0x1042 class=0x010000 driver=virtio-pci")) << out;
  EXPECT_TRUE(has("dev=0000:00:03.0 id=0x106b:0x1a00 class=0x010000 driver=none")) << out;
  EXPECT_TRUE(has("dev=0000:00:01.0 id=0x1b36:0x000d class=0x0c0330 driver=xhci_hcd")) << out;
  auto disk = results(out, "disk");
  ASSERT_FALSE(disk.empty()) << out;
  EXPECT_EQ(disk.back(), "ok") << out;
  EXPECT_EQ(host_cat(disk_, "guest.txt"), "token=" + token + "\n");
  EXPECT_EQ(host_cat(apple, "guest.txt"), "");  // the Apple disk was not touched
}

}  // namespace
}  // namespace vmapple::testing
