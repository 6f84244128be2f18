#pragma once
// What the user asked the machine to be; validated by the CLI before the
// machine is built, so everything here is already known to be well-formed.
#include <cstdint>
#include <string>
#include <vector>

namespace vmapple {

struct DiskConfig {
  std::string path;
  bool read_only = false;
  std::string engine = "auto";  // auto, io_uring, threads
  // Empty: a standard virtio-blk-pci function. "root" or "aux": the Apple
  // variant (vmapple-virtio-blk-pci, spec 6) with that variant.
  std::string apple;
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
};

}  // namespace vmapple
