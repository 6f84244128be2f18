#pragma once
// The device tree Linux boots with on the vmapple machine, generated from the
// board table (memory_map.h) and the configuration, so it describes exactly
// the machine vmapple builds. docs/boot.md lists its nodes.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "machine/machine_config.h"

namespace vmapple {

struct FdtChosen {
  std::string bootargs;
  uint64_t initrd_start = 0, initrd_end = 0;  // equal: no initrd
  // Random bytes for /chosen/rng-seed (the kernel seeds its RNG with them).
  std::array<uint8_t, 64> rng_seed{};
};

// 64 bytes from the host's getrandom().
std::array<uint8_t, 64> host_rng_seed();

std::vector<uint8_t> build_vmapple_fdt(const MachineConfig& config, const FdtChosen& chosen);

namespace fdt_layout {
// The fixed-clock every PrimeCell device names as apb_pclk (Linux's AMBA bus
// enables it before probing) and the PL011's uartclk.
inline constexpr uint32_t kApbClockHz = 24'000'000;
inline constexpr uint32_t kKeyPower = 116;  // KEY_POWER in linux/input-event-codes.h
// GIC interrupt specifier cells.
inline constexpr uint32_t kSpi = 0, kPpi = 1;
inline constexpr uint32_t kLevelHigh = 4;
}  // namespace fdt_layout

}  // namespace vmapple
