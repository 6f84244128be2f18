#pragma once
// EL1/EL0 system registers of the software CPU that are plain state. Fields
// that take effect (SCTLR, TCR, TTBRn, CPACR, CNTKCTL) are read by the MMU,
// the exception code and the timer straight from here.
#include <cstdint>

namespace vmapple::arm64 {

struct SysRegs {
  uint64_t sctlr = 0x30d00800;  // RES1 bits; M=0 (MMU off) at reset
  uint64_t tcr = 0;
  uint64_t ttbr0 = 0;
  uint64_t ttbr1 = 0;
  uint64_t mair = 0;
  uint64_t amair = 0;
  uint64_t vbar = 0;
  uint64_t elr = 0;
  uint64_t spsr = 0;
  uint64_t esr = 0;
  uint64_t far = 0;
  uint64_t par = 0;
  uint64_t cpacr = 0;
  uint64_t contextidr = 0;
  uint64_t tpidr_el0 = 0;
  uint64_t tpidrro_el0 = 0;
  uint64_t tpidr_el1 = 0;
  uint64_t cntkctl = 0;
  uint64_t mdscr = 0;
  uint64_t afsr0 = 0;
  uint64_t afsr1 = 0;
  uint64_t csselr = 0;
  uint64_t oslsr = 0xa;  // OSLM = 0b10 (OS lock implemented); OSLK = 1 at cold reset
  uint64_t osdlr = 0;    // OS double lock (DLK), storage only
  uint64_t mdccint = 0;
  uint64_t dbgbvr[2] = {};
  uint64_t dbgbcr[2] = {};
  uint64_t dbgwvr[2] = {};
  uint64_t dbgwcr[2] = {};
  uint64_t dbgclaim = 0;
  uint64_t mpidr = 0x80000000;
  uint64_t cntfrq = 24'000'000;  // CNTFRQ_EL0 (writable at EL1: no EL3)
};

// SCTLR_EL1 bits that take effect.
namespace sctlr {
inline constexpr uint64_t kM = 1u << 0;
inline constexpr uint64_t kA = 1u << 1;
inline constexpr uint64_t kSa = 1u << 3;
inline constexpr uint64_t kSa0 = 1u << 4;
inline constexpr uint64_t kUma = 1u << 9;
inline constexpr uint64_t kDze = 1u << 14;
inline constexpr uint64_t kUct = 1u << 15;
inline constexpr uint64_t kNtwi = 1u << 16;
inline constexpr uint64_t kNtwe = 1u << 18;
inline constexpr uint64_t kUci = 1u << 26;
}  // namespace sctlr

}  // namespace vmapple::arm64
