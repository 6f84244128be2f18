#pragma once
// One vCPU thread: runs the Vcpu and dispatches its exits (MMIO to the
// AddressSpace, HVC to PSCI, system registers to the interrupt controller,
// WFI to a sleep). A powered-off vCPU parks its thread until CPU_ON.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "cpu/vcpu.h"
#include "hw/intc/interrupt_controller.h"
#include "machine/psci.h"
#include "memory/address_space.h"

namespace vmapple {

class VcpuRunner {
 public:
  VcpuRunner(unsigned index, Vcpu& vcpu, AddressSpace& bus, InterruptController& gic, Psci& psci);
  ~VcpuRunner();

  void start();
  // Ends the thread (joins). Safe from any thread but the vCPU's own.
  void stop();

  // OFF → ON: reset, PC = entry, x0 = context. False unless OFF.
  bool power_on(uint64_t entry, uint64_t context);
  // From the vCPU's own thread: park after the current exit (PSCI CPU_OFF).
  void power_off_self();
  // From another thread: stop running guest code and wait until parked.
  void power_off_and_wait();
  CpuPowerState state() const;

  unsigned index() const { return index_; }
  Vcpu& vcpu() { return vcpu_; }
  // Called (on the vCPU thread) when the vCPU cannot go on.
  std::function<void(const std::string&)> on_fatal;

 private:
  void thread_main();
  bool wait_until_on();
  void dispatch(VcpuExit& exit);

  unsigned index_;
  Vcpu& vcpu_;
  AddressSpace& bus_;
  InterruptController& gic_;
  Psci& psci_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  CpuPowerState state_ = CpuPowerState::kOff;
  bool off_requested_ = false;
  bool stop_ = false;
  uint64_t entry_ = 0;
  uint64_t context_ = 0;
  std::thread thread_;
};

}  // namespace vmapple
