#pragma once
// The virtual machine: owns the event loop, the machine and (once the CPU
// lands) the vCPU threads, and decides how the VMM process ends.
#include <atomic>
#include <memory>

#include "base/event_loop.h"
#include "hw/misc/pvpanic_mmio.h"
#include "vmm/vm_config.h"

namespace vmapple {

class VmappleMachine;

class Vm final : public PvpanicListener {
 public:
  // Builds the machine; throws ConfigError for anything the user must fix.
  explicit Vm(const VmConfig& config);
  ~Vm() override;

  // Runs the guest to its end and returns the process exit status.
  int run();

  // Ends the VM with `status` (first request wins). Thread-safe.
  void request_exit(int status);
  // The status a request_exit() asked for, or -1.
  int exit_status() const { return exit_status_.load(); }

  void pvpanic_event(PvpanicEvent event) override;

  VmappleMachine& machine() { return *machine_; }
  EventLoop& loop() { return loop_; }

 private:
  VmConfig config_;
  EventLoop loop_;
  std::unique_ptr<VmappleMachine> machine_;
  std::atomic<int> exit_status_{-1};
};

}  // namespace vmapple
