#pragma once
// The interrupt controller as the machine wires it: devices get IrqLines for
// SPIs, per-CPU lines for PPIs (the timers). The GICv3 implements this.
#include "base/irq_line.h"

namespace vmapple {

class InterruptController {
 public:
  virtual ~InterruptController() = default;
  virtual unsigned num_spis() const = 0;
  // Shared peripheral interrupt `spi` (INTID 32 + spi).
  virtual IrqLine& spi(unsigned spi) = 0;
  // Private peripheral interrupt `intid` (16..31) of CPU `cpu`.
  virtual IrqLine& ppi(unsigned cpu, unsigned intid) = 0;
};

}  // namespace vmapple
