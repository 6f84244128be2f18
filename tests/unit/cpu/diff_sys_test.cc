// Random-instruction differential test of the system instructions a Linux
// process may execute at EL0, against qemu-aarch64 (diff_harness.h,
// docs/cpu/testing.md): the HINT space (NOP, YIELD, PAC*/AUT* hints, BTI,
// ESB, CSDB, ...), barriers and CLREX, MRS/MSR of NZCV, FPCR, FPSR and the
// EL0-readable ID/thread registers, and the EL0 cache maintenance
// instructions (DC ZVA zeroes part of the case's data window, DC CVAC/CVAU/
// CIVAC and IC IVAU are no-ops with an address in it).
#include <gtest/gtest.h>

#include "unit/cpu/diff_groups.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 3000;
constexpr unsigned kWindow = 256;

void gen_system_el0(Rng& r, const CaseContext& ctx, Case& c) {
  unsigned t = reg(r);
  switch (r.below(6)) {
    case 0: {  // HINT #imm, except WFE/WFI (2, 3), which would wait
      unsigned imm;
      do {
        imm = r.below(128);
      } while (imm == 2 || imm == 3);
      c.insn = 0xd503201fu | imm << 5;
      break;
    }
    case 1: {  // DSB, DMB, ISB, CLREX with every CRm
      static constexpr uint32_t kOps[] = {0xd503309fu, 0xd50330bfu, 0xd50330dfu, 0xd503305fu};
      c.insn = kOps[r.below(4)] | r.below(16) << 8;
      break;
    }
    case 2: {  // MRS of NZCV, FPCR, FPSR, CTR_EL0, DCZID_EL0, TPIDR_EL0, TPIDRRO_EL0
      static constexpr uint32_t kRegs[] = {0xd53b4200u, 0xd53b4400u, 0xd53b4420u, 0xd53b0020u,
                                           0xd53b00e0u, 0xd53bd040u, 0xd53bd060u};
      c.insn = kRegs[r.below(7)] | t;
      break;
    }
    case 3: {  // MSR NZCV / FPCR / FPSR (FPCR/FPSR persist: later MRS cases read them)
      static constexpr uint32_t kRegs[] = {0xd51b4200u, 0xd51b4400u, 0xd51b4420u};
      unsigned which = r.below(3);
      c.insn = kRegs[which] | t;
      // qemu's Cortex-A57 has AArch32 at EL0, so it keeps the AArch32-only
      // FPSR.{N,Z,C,V} [31:28] and FPCR.{Stride,Len} [21:20], [18:16]; with
      // our AArch64-only ID registers they are RES0. Write them as zero.
      static constexpr uint64_t kAarch32Only[] = {0, 0x003f0000, 0xf0000000};
      if (t != 31) c.in.x[t] &= ~kAarch32Only[which];
      break;
    }
    default: {  // DC ZVA, DC CVAC, DC CVAU, DC CIVAC, IC IVAU on an address in the window
      static constexpr uint32_t kOps[] = {0xd50b7420u, 0xd50b7a20u, 0xd50b7b20u, 0xd50b7e20u,
                                          0xd50b7520u};
      t = r.below(31);
      c.in.x[t] = ctx.data_addr + r.below(kWindow);
      c.insn = kOps[r.below(5)] | t;
      break;
    }
  }
}

const Group kGroups[] = {
    {"system_el0", {.data_bytes = kWindow}, gen_system_el0},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffSys, kGroups, kDefaultCases);

}  // namespace
}  // namespace vmapple::arm64::test::diff
