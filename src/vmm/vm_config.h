#pragma once
#include <string>

#include "machine/machine_config.h"

namespace vmapple {

// What the VMM does when the guest reports a panic through pvpanic.
enum class PanicAction { kExit, kContinue };

// Which engine runs the vCPUs (design.md: interp everywhere, kvm on
// Linux/arm64, hvf on macOS/arm64).
enum class Accel { kInterp, kKvm, kHvf };

struct VmConfig {
  MachineConfig machine;
  PanicAction on_panic = PanicAction::kExit;
  Accel accel = Accel::kInterp;
  // Print instructions retired and the rate when the VM ends.
  bool stats = false;
  // The control socket's path (docs/control.md), or empty for none.
  std::string control_path;
};

}  // namespace vmapple
