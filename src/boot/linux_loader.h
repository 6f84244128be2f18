#pragma once
// Linux direct boot (Documentation/arch/arm64/booting.rst): reads the kernel
// Image (plain or gzip) and the initrd, places them in RAM and writes them
// with the device tree the machine built. Knows nothing about the machine
// beyond its RAM range.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "boot/arm64_image.h"
#include "memory/guest_memory.h"

namespace vmapple::boot {

struct RamRange {
  uint64_t base = 0;
  uint64_t size = 0;
  uint64_t end() const { return base + size; }
};

struct LinuxImages {
  std::string kernel_path, initrd_path;
  std::vector<uint8_t> kernel;  // the uncompressed Image
  Arm64ImageHeader header;
  bool kernel_was_gzip = false;
  std::vector<uint8_t> initrd;  // as given (the kernel unpacks it)
};

// Reads and checks the files; nothing larger than `ram` is ever read or
// inflated. Throws ConfigError naming the flag and file.
LinuxImages read_linux_images(const std::string& kernel_path, const std::string& initrd_path,
                              RamRange ram);

struct LinuxLayout {
  static constexpr uint64_t kBlock = uint64_t{2} << 20;  // the Image's base alignment
  static constexpr uint64_t kDtbMaxSize = 64 * 1024;     // what FdtWriter may produce

  uint64_t kernel_addr = 0;                   // load address and entry point
  uint64_t kernel_end = 0;                    // kernel_addr + image footprint (BSS included)
  uint64_t initrd_start = 0, initrd_end = 0;  // equal: no initrd
  uint64_t dtb_addr = 0;                      // 8-byte aligned, kDtbMaxSize reserved
  bool has_initrd() const { return initrd_end > initrd_start; }
};

// Kernel at the first 2 MiB block of RAM + text_offset, the initrd at the
// next 2 MiB boundary after the kernel's footprint, the device tree at the
// next 2 MiB boundary after that (its own block, as booting.rst advises).
// Throws ConfigError when something does not fit in RAM.
LinuxLayout plan_linux_layout(const LinuxImages& images, RamRange ram);

// Copies kernel, initrd and `dtb` to their places (every boot and reset:
// the previous run changed the kernel's data). False if a range is not RAM.
bool write_linux_images(const GuestMemory& memory, const LinuxLayout& layout,
                        const LinuxImages& images, std::span<const uint8_t> dtb);

}  // namespace vmapple::boot
