#pragma once
// The `interp` accelerator's vCPU: the software AArch64 CPU behind the Vcpu
// interface, returning the same exits as KVM and Hypervisor.framework. It
// also receives the interrupt controller's IRQ/FIQ outputs.
#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/irq_line.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/cpu_cluster.h"
#include "cpu/vcpu.h"
#include "hw/intc/interrupt_controller.h"

namespace vmapple::arm64 {

class Mmu;
class GenericTimer;
class HandlerTable;

class InterpVcpu final : public Vcpu, public CpuInterruptInputs {
 public:
  // `index` is the vCPU number (MPIDR Aff0 = index % 16, Aff1 = index / 16);
  // the timer outputs drive PPI 27 (virtual) and 30 (physical).
  InterpVcpu(CpuCluster& cluster, unsigned index, IrqLine& virtual_timer, IrqLine& physical_timer);
  ~InterpVcpu() override;

  VcpuExit run() override;
  void kick() override;
  void complete_mmio_read(uint64_t value) override;
  void complete_sysreg_read(uint64_t value) override;
  void complete_sysreg(bool handled) override;
  uint64_t reg(Reg r) const override;
  void set_reg(Reg r, uint64_t value) override;
  void reset() override;

  void set_irq(bool level) override;
  void set_fiq(bool level) override;

  // Sleeps until an interrupt input is high, a kick, or `deadline_ns`
  // (host monotonic); what the VMM does with a WfiExit.
  void wait_for_interrupt(std::optional<uint64_t> deadline_ns) override;

  unsigned index() const { return index_; }
  Core& core() { return core_; }
  Mmu& mmu() { return *mmu_; }
  CpuCluster& cluster() { return cluster_; }
  uint64_t instructions_retired() const override { return instructions_; }
  // run() returns KickedExit once this many instructions retired in total
  // (checked at page boundaries and every few thousand taken branches); for
  // fuzzing and tests of guests that never stop by themselves.
  void set_instruction_limit(uint64_t limit) { instruction_limit_ = limit; }

  // --- services for instruction handlers (vcpu_services.h) -------------
  uint64_t mmio(uint64_t gpa, unsigned size, bool is_write, uint64_t value);
  std::optional<uint64_t> sysreg(SysRegId id, bool is_write, uint64_t value);
  void request_exit(VcpuExit exit);
  bool interrupt_pending() const;
  uint32_t interrupt_status() const;
  void wait_for_event();
  void signal_event();
  void sync_tlb(uint64_t generation);
  void note_tlb_broadcast();
  void wait_tlb_broadcasts(uint64_t generation);
  void timer_changed();

 private:
  struct Replay {
    uint64_t value = 0;
    bool handled = true;
  };
  enum Signal : uint32_t { kKick = 1, kEvent = 2, kIrq = 4, kFiq = 8, kTlb = 16 };

  void run_blocks();
  void run_page(const HandlerTable& handlers);
  uint32_t attention_mask() const;
  void execute_one_replayed();
  bool deliver_interrupts();
  void check_timer();
  uint64_t step_instruction(uint64_t slot);

  CpuCluster& cluster_;
  unsigned index_;
  Core core_;
  std::unique_ptr<Mmu> mmu_;
  std::unique_ptr<GenericTimer> timer_;

  // Set from other threads.
  std::atomic<bool> irq_{false};
  std::atomic<bool> fiq_{false};
  std::atomic<uint32_t> signals_{0};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;

  // The exit the current instruction asked for, and answers being replayed.
  std::optional<VcpuExit> pending_exit_;
  bool reexecute_ = false;  // the instruction at pc left with a VmmExit
  std::vector<Replay> replay_;
  size_t replay_pos_ = 0;

  std::atomic<bool> running_{false};
  std::atomic<uint64_t> seen_tlb_generation_{0};
  uint64_t code_generation_ = 0;
  uint64_t instructions_ = 0;
  uint64_t instruction_limit_ = ~uint64_t{0};
  int32_t budget_ = 0;

  // Direct-mapped cache of decoded pages by guest physical page.
  struct PageEntry {
    uint64_t gpa = ~0ull;
    DecodedPage* page = nullptr;
  };
  std::array<PageEntry, 256> pages_{};
};

}  // namespace vmapple::arm64
