#pragma once
// Register fields of the GICv3 CPU interface (ICC_*_EL1, Arm IHI 0069 12.2)
// as GicV3 implements them. The registers themselves are reached through
// GicV3::read_sysreg/write_sysreg (the vCPU's SysReg exit).
#include <cstdint>

#include "hw/intc/gicv3_state.h"

namespace vmapple::icc {

// ICC_CTLR_EL1.
inline constexpr uint64_t kCtlrCbpr = 1u << 0;
inline constexpr uint64_t kCtlrEoiMode = 1u << 1;
inline constexpr unsigned kCtlrPriBitsShift = 8;  // PRIbits: priority bits - 1
inline constexpr unsigned kCtlrIdBitsShift = 11;  // IDbits: 0 = 16-bit INTIDs
inline constexpr uint64_t kCtlrReadOnly = uint64_t{gicv3::kPriorityBits - 1} << kCtlrPriBitsShift;

// ICC_SRE_EL1: SRE, DFB and DIB are RAO/WI (system registers only).
inline constexpr uint64_t kSreValue = 0x7;

// ICC_IGRPEN0/1_EL1.
inline constexpr uint64_t kIgrpenEnable = 1;

// ICC_SGI0R/SGI1R/ASGI1R_EL1.
inline constexpr unsigned kSgiAff1Shift = 16;
inline constexpr unsigned kSgiIntidShift = 24;
inline constexpr unsigned kSgiAff2Shift = 32;
inline constexpr uint64_t kSgiIrm = uint64_t{1} << 40;  // every PE but the sender
inline constexpr unsigned kSgiRsShift = 44;
inline constexpr unsigned kSgiAff3Shift = 48;

// An SGI1R value targeting the CPUs of `target_list` (bit n: Aff0 = n) in
// cluster `aff1`.
constexpr uint64_t sgi_value(unsigned intid, unsigned aff1, uint16_t target_list) {
  return uint64_t{intid & 15} << kSgiIntidShift | uint64_t{aff1 & 0xFF} << kSgiAff1Shift |
         target_list;
}

}  // namespace vmapple::icc
