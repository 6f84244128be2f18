#pragma once
// What the user asked the machine to be; validated by the CLI before the
// machine is built, so everything here is already known to be well-formed.
#include <cstdint>
#include <string>
#include <vector>

namespace vmapple {

struct DiskConfig {
  // Which disk of the Apple boot chain it is, if any: the backdoor (bdif)
  // serves kAux in its aux window and kRoot in its root window.
  enum class Role { kData, kAux, kRoot };

  std::string path;
  bool read_only = false;
  std::string engine = "auto";  // auto, io_uring, threads
  // Empty: a standard virtio-blk-pci function. "root" or "aux": the Apple
  // variant (vmapple-virtio-blk-pci, spec 6) with that variant.
  // Disks with the aux or root role are that Apple variant anyway.
  std::string apple;
  Role role = Role::kData;
  // Bytes at the start of the file the guest never sees: 16 KiB for the aux
  // storage of a Virtualization.framework bundle (its metadata header).
  uint64_t header_offset = 0;
};

struct MachineConfig {
  uint64_t ram_size = 4ull << 30;
  unsigned cpus = 1;
  std::string firmware;  // flat binary for 0x0010_0000, or empty
  std::string kernel;    // arm64 Image for direct boot, or empty
  std::string initrd;
  std::string append;
  std::vector<DiskConfig> disks;
  std::string serial = "stdio";
  uint64_t ecid = 0;
  // The default devices of spec 2.8: the XHCI controller with a USB keyboard
  // and tablet. Off with --no-defaults.
  bool default_devices = true;
};

}  // namespace vmapple
