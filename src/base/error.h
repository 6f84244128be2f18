#pragma once
// Error types. A ConfigError is a user mistake found before the guest starts:
// its message is one line naming the flag or file and what is wrong, and the
// command exits with status 2. Guest errors never throw (see log.h).
#include <stdexcept>
#include <string>

namespace vmapple {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Process exit statuses of the `vmapple` command.
enum ExitStatus : int {
  kExitPoweredOff = 0,  // guest powered off (PSCI SYSTEM_OFF, pvpanic SHUTDOWN)
  kExitFailure = 1,     // the VMM failed at run time
  kExitUsage = 2,       // bad flag, file or configuration: nothing was started
  kExitGuestPanic = 3,  // the guest reported a panic through pvpanic
  kExitNoAccel = 4,     // no accelerator can run this guest on this host
};

}  // namespace vmapple
