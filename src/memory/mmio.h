#pragma once
// The device side of an MMIO region.
#include <cstdint>

namespace vmapple {

class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  // `offset` is relative to the region base; `size` is one of the region's
  // implemented sizes and the access is naturally aligned (AddressSpace
  // guarantees both). Handlers take their device's own lock.
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, unsigned size, uint64_t value) = 0;
};

// Which access sizes the guest may use and which the device implements.
// Accesses outside [min_size, max_size] or not naturally aligned are invalid
// (a bus error for the CPU). Valid accesses wider than impl_max are split into
// ascending naturally aligned pieces (low part at the lower offset); narrower
// than impl_min are widened: reads extract their bytes, writes are passed
// zero-extended at the widened offset, as on a bus with byte lanes.
struct MmioAccessRules {
  uint8_t min_size = 1;
  uint8_t max_size = 8;
  uint8_t impl_min = 1;
  uint8_t impl_max = 8;
};

// The rules of ARM PrimeCell peripherals (PL011, PL031, PL061): 32-bit
// registers, any access width.
inline constexpr MmioAccessRules kPrimeCellRules{1, 8, 4, 4};

}  // namespace vmapple
