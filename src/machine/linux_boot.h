#pragma once
// Linux direct boot on the vmapple machine: the boot module's loader with the
// machine's RAM range and device tree. Built once (reading and checking the
// files), loaded at every boot and reset.
#include <cstdint>
#include <vector>

#include "boot/linux_loader.h"
#include "machine/machine_config.h"
#include "memory/guest_memory.h"

namespace vmapple {

class LinuxBoot {
 public:
  // Reads --kernel and --initrd and plans the layout; throws ConfigError.
  explicit LinuxBoot(const MachineConfig& config);

  struct Entry {
    uint64_t pc = 0;   // the kernel's first instruction
    uint64_t dtb = 0;  // x0
  };
  // Writes kernel, initrd and a device tree with a fresh rng-seed into RAM.
  Entry load(const GuestMemory& memory) const;
  // The tree load() writes (a new rng-seed each call).
  std::vector<uint8_t> device_tree() const;
  const boot::LinuxLayout& layout() const { return layout_; }
  const boot::LinuxImages& images() const { return images_; }

 private:
  MachineConfig config_;
  boot::LinuxImages images_;
  boot::LinuxLayout layout_;
};

// `vmapple dump-dtb`: the tree the machine would boot with; with --kernel
// and --initrd the initrd range is where the loader would put it.
std::vector<uint8_t> vmapple_device_tree(const MachineConfig& config);

}  // namespace vmapple
