#pragma once
// The virtual machine: owns the event loop, the machine, the vCPUs and their
// threads, plays the PSCI firmware, and decides how the VMM process ends.
#include <atomic>
#include <memory>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"
#include "hw/misc/pvpanic_mmio.h"
#include "machine/psci.h"
#include "vmm/vm_config.h"

namespace vmapple {

class LinuxBoot;
class VmappleMachine;
class ControlServer;
class Vcpu;
class VcpuRunner;
namespace arm64 {
class CpuCluster;
}

class Vm final : public PvpanicListener, public PsciPlatform {
 public:
  // Builds the machine and its vCPUs; throws ConfigError for anything the
  // user must fix.
  explicit Vm(const VmConfig& config);
  ~Vm() override;

  // Runs the guest to its end and returns the process exit status.
  int run();

  // Ends the VM with `status` (first request wins). Thread-safe.
  void request_exit(int status);
  // The status a request_exit() asked for, or -1.
  int exit_status() const { return exit_status_.load(); }

  void pvpanic_event(PvpanicEvent event) override;

  // PsciPlatform
  unsigned cpu_count() const override;
  uint64_t cpu_mpidr(unsigned cpu) const override;
  CpuPowerState cpu_state(unsigned cpu) const override;
  bool cpu_on(unsigned cpu, uint64_t entry, uint64_t context) override;
  bool entry_valid(uint64_t entry) const override;
  void cpu_off(unsigned self) override;
  void cpu_suspend(unsigned self) override;
  void system_off() override;
  void system_reset() override;

  VmappleMachine& machine() { return *machine_; }
  EventLoop& loop() { return loop_; }
  Vcpu& vcpu(unsigned n);

 private:
  void create_vcpus();
  void boot();
  void reset_system();
  void watch_signals();
  void start_control();
  void print_stats(uint64_t elapsed_ns) const;

  VmConfig config_;
  EventLoop loop_;
  HostClock clock_;
  std::unique_ptr<VmappleMachine> machine_;
  std::unique_ptr<LinuxBoot> linux_;  // null: firmware boot
  Psci psci_{*this};
  std::unique_ptr<arm64::CpuCluster> cluster_;
  std::vector<std::unique_ptr<Vcpu>> vcpus_;
  std::vector<std::unique_ptr<VcpuRunner>> runners_;
  std::atomic<int> exit_status_{-1};
  int signal_fd_ = -1;
  uint64_t created_ns_ = 0;
  // Last: closed first, before the machine whose devices it drives.
  std::unique_ptr<ControlServer> control_;
};

}  // namespace vmapple
