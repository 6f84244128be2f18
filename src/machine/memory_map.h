#pragma once
// The vmapple memory and interrupt map (spec section 2.1 and 2.2), as one table.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vmapple::board {

struct MapEntry {
  std::string_view name;
  uint64_t base;
  uint64_t size;
  int spi;  // GIC SPI number (INTID = 32 + spi), or -1 for none
  constexpr uint64_t end() const { return base + size; }
};

inline constexpr MapEntry kFirmware{"firmware", 0x0010'0000, 0x0010'0000, -1};
inline constexpr MapEntry kCfg{"cfg", 0x0040'0000, 0x0001'0000, -1};
inline constexpr MapEntry kGicDist{"gic-dist", 0x1000'0000, 0x0001'0000, -1};
inline constexpr MapEntry kGicRedist{"gic-redist", 0x1001'0000, 0x0040'0000, -1};
inline constexpr MapEntry kUart{"pl011", 0x2001'0000, 0x0001'0000, 1};
inline constexpr MapEntry kRtc{"pl031", 0x2005'0000, 0x0000'1000, 2};
inline constexpr MapEntry kGpio{"pl061", 0x2006'0000, 0x0000'1000, 5};
inline constexpr MapEntry kPvpanic{"pvpanic", 0x2007'0000, 0x0000'0002, -1};
inline constexpr MapEntry kBdif{"bdif", 0x3000'0000, 0x0020'0000, -1};
inline constexpr MapEntry kGfx{"apple-gfx", 0x3020'0000, 0x0001'0000, 17};
inline constexpr MapEntry kIosfc{"apple-gfx-iosfc", 0x3021'0000, 0x0001'0000, 16};
inline constexpr MapEntry kAes1{"aes", 0x3022'0000, 0x0000'4000, 18};
inline constexpr MapEntry kAes2{"aes-2", 0x3023'0000, 0x0000'4000, -1};
inline constexpr MapEntry kPcieEcam{"pcie-ecam", 0x4000'0000, 0x1000'0000, -1};
inline constexpr MapEntry kPcieMmio{"pcie-mmio", 0x5000'0000, 0x1FFF'0000, -1};
// RAM's size is the user's --memory; the entry's size is the largest allowed.
inline constexpr uint64_t kRamBase = 0x7000'0000;
inline constexpr unsigned kPhysAddrBits =
    40;  // the smallest IPA size of the accelerators we target
inline constexpr uint64_t kMaxRamSize = (uint64_t{1} << kPhysAddrBits) - kRamBase;
inline constexpr MapEntry kRam{"ram", kRamBase, kMaxRamSize, -1};

inline constexpr std::array kMemoryMap = {
    kFirmware, kCfg, kGicDist, kGicRedist, kUart, kRtc,      kGpio,     kPvpanic,
    kBdif,     kGfx, kIosfc,   kAes1,      kAes2, kPcieEcam, kPcieMmio, kRam};

// PCIe INTx line k (0..15) is SPI 32 + k.
inline constexpr unsigned kPcieIntxSpiBase = 32;
inline constexpr unsigned kPcieIntxLines = 16;
inline constexpr unsigned kNumSpis = 256;
// Per-CPU timer PPIs (INTIDs).
inline constexpr unsigned kVirtualTimerPpi = 27;
inline constexpr unsigned kPhysicalTimerPpi = 30;

inline constexpr unsigned kMaxCpus = 32;
inline constexpr uint64_t kRamAlignment = 0x1000;
inline constexpr uint64_t kMinRamSize = 0x10'0000;  // 1 MiB

// MPIDR affinity of CPU n: clusters of 16 (spec 2.3).
constexpr uint64_t mpidr_affinity(unsigned cpu) {
  return (cpu % 16) | (uint64_t(cpu / 16) << 8);
}

// The entry containing `gpa`, for tools and error messages.
constexpr std::optional<MapEntry> entry_at(uint64_t gpa) {
  for (const auto& e : kMemoryMap)
    if (gpa >= e.base && gpa - e.base < e.size) return e;
  return std::nullopt;
}

}  // namespace vmapple::board
