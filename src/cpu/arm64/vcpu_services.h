#pragma once
// What an instruction handler may ask of the vCPU around it (interp_vcpu.cc):
// VMM exits, interrupts, the counter, and the SMP broadcasts. Handlers reach
// them through the Core they run on.
#include <cstdint>
#include <functional>
#include <optional>

#include "base/sysreg.h"

namespace vmapple::arm64 {

struct Core;
class Mmu;

// An access to a guest physical address outside RAM by the current
// instruction. Returns the value read (0 for writes). The first time it
// throws VmmExit (leaving run() with an MmioExit); when the instruction is
// executed again after the VMM answered, it returns the answer.
uint64_t mmio_access(Core& core, uint64_t gpa, unsigned size, bool is_write, uint64_t value);

// A system register the CPU does not implement itself (the GIC CPU
// interface): leaves run() with a SysRegExit the same way. Returns the value
// read (writes: 0), or nullopt when the VMM says the register does not exist
// (the caller then makes the instruction UNDEFINED).
std::optional<uint64_t> sysreg_access(Core& core, SysRegId id, bool is_write, uint64_t value);

// HVC/SMC used as the PSCI conduit: run() returns HvcExit after the current
// instruction retires (next_pc is the return address).
void request_hvc_exit(Core& core, uint16_t imm, bool is_smc);
// WFI: run() returns WfiExit after this instruction unless an interrupt is
// already pending.
void request_wfi_exit(Core& core);
// WFE: returns at once if the event register was set (clearing it);
// otherwise waits briefly for SEV from another vCPU or an interrupt.
void wait_for_event(Core& core);
// SEV (all vCPUs) and SEVL (this one).
void send_event(Core& core, bool local_only);

// ISR_EL1: I (bit 7) while the IRQ input is high, F (bit 6) for FIQ.
uint32_t interrupt_status(const Core& core);

// The guest's physical counter (CNTPCT_EL0), 24 MHz.
uint64_t counter_value(const Core& core);
// The timer registers changed: recompute outputs and the next deadline.
void timer_changed(Core& core);

// Drops pre-decoded code: everything (IC IALLU/IALLUIS), or the 64-byte line
// of one guest physical address (IC IVAU after translation). The decoded
// code is shared by all vCPUs, so `broadcast` changes nothing today.
void invalidate_code_all(Core& core, bool broadcast);
void invalidate_code_line(Core& core, uint64_t gpa, bool broadcast);

// TLBI ...IS: runs `op` on every other vCPU's MMU (this one does it itself);
// the issuer's next DSB waits until all have done it.
void broadcast_tlbi(Core& core, std::function<void(Mmu&)> op);
// DSB: completes outstanding broadcasts.
void data_synchronization_barrier(Core& core);

}  // namespace vmapple::arm64
