#pragma once
// A system register named by its encoding (op0, op1, CRn, CRm, op2), packed
// the way KVM's ARM64_SYS_REG does, so the CPU, the GIC CPU interface and the
// hardware accelerators name a register the same way.
#include <cstdint>

namespace vmapple {

struct SysRegId {
  uint32_t packed = 0;

  static constexpr SysRegId make(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                 unsigned op2) {
    return {(op0 & 3) << 14 | (op1 & 7) << 11 | (crn & 15) << 7 | (crm & 15) << 3 | (op2 & 7)};
  }
  // From the MRS/MSR/SYS instruction word (bits [20:5] hold o0:op1:CRn:CRm:op2).
  static constexpr SysRegId from_insn(uint32_t insn) {
    return make(2 | ((insn >> 19) & 1), (insn >> 16) & 7, (insn >> 12) & 15, (insn >> 8) & 15,
                (insn >> 5) & 7);
  }
  constexpr unsigned op0() const { return packed >> 14 & 3; }
  constexpr unsigned op1() const { return packed >> 11 & 7; }
  constexpr unsigned crn() const { return packed >> 7 & 15; }
  constexpr unsigned crm() const { return packed >> 3 & 15; }
  constexpr unsigned op2() const { return packed & 7; }
  constexpr bool operator==(const SysRegId&) const = default;
};

// ICC_* registers of the GICv3 CPU interface (Arm IHI 0069, 12.2).
namespace icc {
inline constexpr SysRegId kPmrEl1 = SysRegId::make(3, 0, 4, 6, 0);
inline constexpr SysRegId kIar0El1 = SysRegId::make(3, 0, 12, 8, 0);
inline constexpr SysRegId kEoir0El1 = SysRegId::make(3, 0, 12, 8, 1);
inline constexpr SysRegId kHppir0El1 = SysRegId::make(3, 0, 12, 8, 2);
inline constexpr SysRegId kBpr0El1 = SysRegId::make(3, 0, 12, 8, 3);
inline constexpr SysRegId kAp0r0El1 = SysRegId::make(3, 0, 12, 8, 4);  // ..AP0R3: op2 4..7
inline constexpr SysRegId kAp1r0El1 = SysRegId::make(3, 0, 12, 9, 0);  // ..AP1R3: op2 0..3
inline constexpr SysRegId kDirEl1 = SysRegId::make(3, 0, 12, 11, 1);
inline constexpr SysRegId kRprEl1 = SysRegId::make(3, 0, 12, 11, 3);
inline constexpr SysRegId kSgi1rEl1 = SysRegId::make(3, 0, 12, 11, 5);
inline constexpr SysRegId kAsgi1rEl1 = SysRegId::make(3, 0, 12, 11, 6);
inline constexpr SysRegId kSgi0rEl1 = SysRegId::make(3, 0, 12, 11, 7);
inline constexpr SysRegId kIar1El1 = SysRegId::make(3, 0, 12, 12, 0);
inline constexpr SysRegId kEoir1El1 = SysRegId::make(3, 0, 12, 12, 1);
inline constexpr SysRegId kHppir1El1 = SysRegId::make(3, 0, 12, 12, 2);
inline constexpr SysRegId kBpr1El1 = SysRegId::make(3, 0, 12, 12, 3);
inline constexpr SysRegId kCtlrEl1 = SysRegId::make(3, 0, 12, 12, 4);
inline constexpr SysRegId kSreEl1 = SysRegId::make(3, 0, 12, 12, 5);
inline constexpr SysRegId kIgrpen0El1 = SysRegId::make(3, 0, 12, 12, 6);
inline constexpr SysRegId kIgrpen1El1 = SysRegId::make(3, 0, 12, 12, 7);
}  // namespace icc

}  // namespace vmapple
