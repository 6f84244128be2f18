// The data disk through Linux's virtio-blk driver on the vmapple machine: the
// ext4 image made by scripts/guest-image mounts in the guest, and what the
// guest writes and syncs is in the image file after the VM powered off (read
// on the host with debugfs). The Apple variant of the device has no Linux
// driver; a user-space driver in the initramfs checks it (see below).
// Label `slow`.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
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

TEST_F(LinuxDiskTest, AppleVariantWorksThroughAUserSpaceDriver) {
  // apple=root makes the function vmapple-virtio-blk-pci (106b:1a00), the
  // device macOS boots from. Stock Linux's virtio-pci only takes vendor
  // 0x1af4 devices 0x1000..0x107f, so Linux enumerates the function (mass
  // storage class, slot 3) but binds no driver; the initramfs's apple-vblk
  // (tests/guest/linux/apple_vblk.c) drives it from user space: Apple type,
  // WRITE + FLUSH + READ at sector 2048, the Apple barrier (OK) and an
  // unknown type (UNSUPP). The standard disk in slot 2 works next to it.
  std::string apple = (dir_ / "apple.img").string();
  std::ofstream(apple, std::ios::binary).close();
  fs::resize_file(apple, 16 << 20);
  std::string token = random_token();
  auto args = boot_args("pci,apple,disk", "vmapple.token=" + token);
  args.insert(args.end(), {"--disk", disk_, "--disk", apple + ",apple=root"});
  RunningVm vm(dir_, args);
  ASSERT_EQ(vm.wait_exit(), 0) << vm.log();
  std::string out = vm.out();
  std::string pci;
  for (auto& l : results(out, "pci"))
    pci += l + "\n";
  EXPECT_NE(pci.find("dev=0000:00:02.0 id=0x1af4:0x1042 class=0x010000 driver=virtio-pci"),
            std::string::npos)
      << out;
  EXPECT_NE(pci.find("dev=0000:00:03.0 id=0x106b:0x1a00 class=0x010000 driver=none"),
            std::string::npos)
      << out;
  EXPECT_NE(pci.find("dev=0000:00:01.0 id=0x1b36:0x000d class=0x0c0330 driver=xhci_hcd"),
            std::string::npos)
      << out;

  auto a = results(out, "apple");
  std::vector<std::string> want = {"dev=0000:00:03.0",
                                   "type=1 capacity=32768",
                                   "write status=0",
                                   "flush status=0",
                                   "read status=0 match=yes",
                                   "barrier status=0 unknown status=2",
                                   "ok"};
  std::vector<std::string> got;
  for (auto& l : a)
    if (l.rfind("features ", 0) != 0) got.push_back(l);
  EXPECT_EQ(got, want) << out;
  // The sectors are in the image file, in place.
  std::string expect;
  for (int i = 0; i < 4096; i += 32) {
    char line[40];
    snprintf(line, sizeof line, "apple-vblk sector %8d ....\n", 2048 + i / 512);
    expect += line;
  }
  std::ifstream img(apple, std::ios::binary);
  img.seekg(2048 * 512);
  std::string bytes(4096, '\0');
  img.read(bytes.data(), bytes.size());
  EXPECT_EQ(bytes, expect);

  auto disk = results(out, "disk");
  ASSERT_FALSE(disk.empty()) << out;
  EXPECT_EQ(disk.back(), "ok") << out;
  EXPECT_EQ(host_cat(disk_, "guest.txt"), "token=" + token + "\n");
}

}  // namespace
}  // namespace vmapple::testing
