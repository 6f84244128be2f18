#pragma once
// Stage-1 translation (4K granule, 48-bit VA), the software TLB and every
// data/instruction memory access of one vCPU. RAM is reached with direct host
// loads and stores; anything else is MMIO and leaves as a VMM exit.
//
// CONTRACT (owned by the MMU work; the rest of the CPU codes against it):
//  - load<T>/store<T> for T = uint8_t..uint64_t and unsigned __int128: a
//    fault takes the data abort (Core::take_abort, which throws); MMIO goes
//    through mmio_access() (interp_vcpu), which may throw VmmExit.
//  - fetch(): the host pointer of the 4 KiB code page holding `va` and its
//    guest physical address; a fault takes the instruction abort.
//  - flush/TLBI/AT entry points used by the SYS instruction handlers.
#include <cstdint>

#include "memory/guest_memory.h"

namespace vmapple::arm64 {

struct Core;
class CodeWatch;

enum class AccessKind : uint8_t { kRead, kWrite, kFetch };

struct AccessFlags {
  bool unprivileged = false;  // LDTR/STTR: permission check as EL0
  bool exclusive = false;     // LDXR/STXR family (alignment always checked)
  bool acquire_release = false;
  bool cache_maintenance = false;  // DC ops: faults report CM=1
};

struct FetchPage {
  const uint8_t* host = nullptr;  // the page's first byte
  uint64_t gpa = 0;               // page-aligned guest physical address
};

class Mmu {
 public:
  Mmu(Core& core, const GuestMemory& ram, CodeWatch& code);

  template <typename T>
  T load(uint64_t va, AccessFlags flags = {});
  template <typename T>
  void store(uint64_t va, T value, AccessFlags flags = {});

  FetchPage fetch(uint64_t va);

  // TLB maintenance of this vCPU (the broadcast IS forms are done by the
  // caller through the System).
  void flush_all();
  void flush_va(uint64_t va, uint16_t asid, bool all_asids, bool last_level_only);
  void flush_asid(uint16_t asid);
  // Called after TTBRn/TCR/SCTLR change.
  void on_translation_regs_changed();

  // AT S1E1R/W, S1E0R/W: the PAR_EL1 value (never takes an exception).
  uint64_t address_translate(uint64_t va, bool el0, bool write);
  // DC ZVA: zeroes the 64-byte block holding va (a checked write).
  void zero_block(uint64_t va);
};

}  // namespace vmapple::arm64
