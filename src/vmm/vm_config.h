#pragma once
#include <string>

#include "machine/machine_config.h"

namespace vmapple {

// What the VMM does when the guest reports a panic through pvpanic.
enum class PanicAction { kExit, kContinue };

struct VmConfig {
  MachineConfig machine;
  PanicAction on_panic = PanicAction::kExit;
};

}  // namespace vmapple
