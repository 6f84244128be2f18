#pragma once
// What the ARM PrimeCell peripherals (PL011, PL031, PL061) share: the ID
// registers at 0xFE0-0xFFC and the reporting of writes to reserved bits.
#include <cstdint>
#include <string_view>

#include "base/log.h"

namespace vmapple::primecell {

inline constexpr uint64_t kPeriphID0 = 0xFE0;  // PeriphID0..3, then PCellID0..3
inline constexpr uint64_t kPCellID3 = 0xFFC;
inline constexpr uint32_t kPCellID = 0xB105'F00D;

constexpr bool is_id_register(uint64_t offset) {
  return offset >= kPeriphID0 && offset <= kPCellID3;
}

// One byte of the 64-bit PCellID:PeriphID pair per 32-bit register.
constexpr uint32_t id_register(uint64_t offset, uint32_t periph_id) {
  uint64_t id = uint64_t{kPCellID} << 32 | periph_id;
  return static_cast<uint32_t>((id >> (8 * ((offset - kPeriphID0) / 4))) & 0xFF);
}

// The defined bits of a register write; setting others is a guest error.
inline uint32_t defined_bits(std::string_view device, std::string_view reg, uint64_t value,
                             uint32_t mask) {
  if (value & ~uint64_t{mask})
    guest_error(device, "{} write {:#x} sets reserved bits {:#x}", reg, value,
                value & ~uint64_t{mask});
  return static_cast<uint32_t>(value & mask);
}

// Writes the device ignores, reported as guest errors.
inline void read_only_write(std::string_view device, uint64_t offset, uint64_t value) {
  guest_error(device, "write {:#x} to read-only register at {:#x}", value, offset);
}
inline void unknown_write(std::string_view device, uint64_t offset, uint64_t value) {
  guest_error(device, "write {:#x} to {} at {:#x}", value,
              is_id_register(offset) ? "read-only ID register" : "reserved offset", offset);
}

}  // namespace vmapple::primecell
