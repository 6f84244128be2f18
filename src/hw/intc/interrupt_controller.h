#pragma once
// The interrupt controller as the machine wires it: devices get IrqLines for
// SPIs, per-CPU lines for PPIs (the timers); vCPUs reach the CPU interface
// through system-register accesses (the SysReg exit). The GICv3 implements it.
#include <cstdint>

#include "base/irq_line.h"
#include "base/sysreg.h"

namespace vmapple {

class CpuInterruptInputs;

class InterruptController {
 public:
  virtual ~InterruptController() = default;
  virtual unsigned num_spis() const = 0;
  // Shared peripheral interrupt `spi` (INTID 32 + spi).
  virtual IrqLine& spi(unsigned spi) = 0;
  // Private peripheral interrupt `intid` (16..31) of CPU `cpu`.
  virtual IrqLine& ppi(unsigned cpu, unsigned intid) = 0;

  // The CPU interface (ICC_*_EL1) of `cpu`. False: not a register of the
  // controller; the CPU then treats the access as UNDEFINED.
  virtual bool read_sysreg(unsigned cpu, SysRegId id, uint64_t& value) = 0;
  virtual bool write_sysreg(unsigned cpu, SysRegId id, uint64_t value) = 0;

  // Connects the IRQ/FIQ outputs of `cpu` (the vCPU implements them).
  virtual void connect_cpu(unsigned cpu, CpuInterruptInputs* inputs) = 0;
};

// What the controller drives on each vCPU: its IRQ and FIQ inputs. The vCPU
// implements it; raising a line wakes the vCPU from WFI.
class CpuInterruptInputs {
 public:
  virtual ~CpuInterruptInputs() = default;
  virtual void set_irq(bool level) = 0;
  virtual void set_fiq(bool level) = 0;
};

}  // namespace vmapple
