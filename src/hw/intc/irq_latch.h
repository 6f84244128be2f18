#pragma once
// Stand-in interrupt controller until the GICv3 lands: it records the level
// of every input line and delivers nothing.
#include <memory>
#include <vector>

#include "hw/intc/interrupt_controller.h"

namespace vmapple {

class IrqLatch final : public InterruptController {
 public:
  IrqLatch(unsigned num_cpus, unsigned num_spis) : spis_(num_spis), ppis_(num_cpus * 16) {}

  unsigned num_spis() const override { return static_cast<unsigned>(spis_.size()); }
  IrqLine& spi(unsigned n) override { return spis_.at(n); }
  IrqLine& ppi(unsigned cpu, unsigned intid) override { return ppis_.at(cpu * 16 + (intid - 16)); }
  bool spi_level(unsigned n) const { return spis_.at(n).level(); }
  bool read_sysreg(unsigned, SysRegId, uint64_t&) override { return false; }
  bool write_sysreg(unsigned, SysRegId, uint64_t) override { return false; }
  void connect_cpu(unsigned, CpuInterruptInputs*) override {}

 private:
  std::vector<LatchIrqLine> spis_;
  std::vector<LatchIrqLine> ppis_;
};

}  // namespace vmapple
