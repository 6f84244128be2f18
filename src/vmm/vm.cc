#include "vmm/vm.h"

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "machine/vmapple_machine.h"

namespace vmapple {

Vm::Vm(const VmConfig& config) : config_(config) {
  machine_ = std::make_unique<VmappleMachine>(config_.machine, loop_, *this,
                                              [this] { request_exit(kExitPoweredOff); });
  machine_->reset();
}

Vm::~Vm() = default;

int Vm::run() {
  fmt::print(stderr, "{}", machine_->describe());
  log_info(
      "no accelerator is available to run the guest: the AArch64 CPU (interp) is not part of "
      "this build yet, and kvm/hvf are not supported on this host");
  return kExitNoAccel;
}

void Vm::request_exit(int status) {
  int expected = -1;
  if (exit_status_.compare_exchange_strong(expected, status)) loop_.stop();
}

void Vm::pvpanic_event(PvpanicEvent event) {
  switch (event) {
    case PvpanicEvent::kPanicked:
      log_info("guest event: panicked (pvpanic)");
      if (config_.on_panic == PanicAction::kExit) request_exit(kExitGuestPanic);
      break;
    case PvpanicEvent::kCrashLoaded:
      log_info("guest event: panicked, crash kernel loaded (pvpanic); the guest keeps running");
      break;
    case PvpanicEvent::kShutdown:
      log_info("guest event: shutdown requested (pvpanic)");
      request_exit(kExitPoweredOff);
      break;
  }
}

}  // namespace vmapple
