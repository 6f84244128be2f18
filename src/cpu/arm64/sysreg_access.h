#pragma once
// MRS/MSR of every system register the software CPU implements (scope §1.2,
// §1.3): the ID registers with the scope's exact values, the EL1 state that
// takes effect, the generic timer, and the GIC CPU interface (forwarded to
// the VMM). EL0 may reach only what the Arm ARM allows; configurable EL0
// traps report EC 0x18, everything else unimplemented is UNDEFINED (EC 0x00).
#include <cstdint>

#include "base/sysreg.h"
#include "cpu/arm64/core.h"

namespace vmapple::arm64 {

// Identification register values (scope §1.2).
namespace idreg {
inline constexpr uint64_t kMidr = 0x000f0510;  // implementer 0: software
inline constexpr uint64_t kIdAa64Pfr0 = 0x1100000001000011;
inline constexpr uint64_t kIdAa64Dfr0 = 0x00101006;
// ID_AA64ISAR0_EL1: AES = 0b0010 (AES and PMULL), SHA1 = 1, SHA2 = 1 (SHA256
// only), CRC32 = 1; everything else (atomics, RDM, SHA3, SM3/4, DP, FHM,
// TS, TLB, RNDR) 0.
inline constexpr uint64_t kIdAa64Isar0 = 0x2u << 4 | 0x1u << 8 | 0x1u << 12 | 0x1u << 16;
inline constexpr uint64_t kIdAa64Mmfr0 = 0x0f000025;
inline constexpr uint64_t kCtr = 0x8444c004;
inline constexpr uint64_t kDczid = 4;  // 64-byte DC ZVA blocks
inline constexpr uint64_t kDczidDzp = 1u << 4;
inline constexpr uint64_t kClidr = 0x0a200023;
// CCSIDR_EL1 per CSSELR (Level:InD): 32 KiB 2-way L1 D, 48 KiB 3-way L1 I,
// 2 MiB 16-way unified L2, all with 64-byte lines.
inline constexpr uint64_t kCcsidrL1d = 255u << 13 | 1u << 3 | 2;
inline constexpr uint64_t kCcsidrL1i = 255u << 13 | 2u << 3 | 2;
inline constexpr uint64_t kCcsidrL2 = 2047u << 13 | 15u << 3 | 2;
}  // namespace idreg

// MRS: the register's value at the current EL, or the exception it raises
// (throws ExceptionTaken). GIC registers may throw VmmExit first; the
// instruction then runs again with the VMM's answer. `rt` is only used in
// the syndrome of a trap.
uint64_t read_sysreg(Core& c, SysRegId id, unsigned rt);
// MSR (register): same rules. Writes that change translation or the decoded
// block's assumptions set Core::end_block.
void write_sysreg(Core& c, SysRegId id, uint64_t value, unsigned rt);

// ISS of an EC 0x18 trap (Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10],
// Rt [9:5], CRm [4:1], direction [0] = 1 for reads).
constexpr uint32_t sysreg_trap_iss(SysRegId id, unsigned rt, bool is_read) {
  return id.op0() << 20 | id.op2() << 17 | id.op1() << 14 | id.crn() << 10 | (rt & 31) << 5 |
         id.crm() << 1 | (is_read ? 1u : 0u);
}

// Takes the EC 0x18 trap of an access at the current instruction.
[[noreturn]] inline void trap_sysreg(Core& c, SysRegId id, unsigned rt, bool is_read) {
  c.take_sync(ec::kSysReg, sysreg_trap_iss(id, rt, is_read), c.pc);
}

}  // namespace vmapple::arm64
