#pragma once
// What the machine needs of every device: a name and a system reset.
#include <string_view>

#include "memory/mmio.h"

namespace vmapple {

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  // System reset: back to the power-on register state. Called with no vCPU
  // running.
  virtual void reset() = 0;
};

// A device with one MMIO register window.
class MmioDevice : public Device, public MmioHandler {};

}  // namespace vmapple
