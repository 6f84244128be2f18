#include "vmm/vm.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "cpu/arm64/interp_vcpu.h"
#include "machine/linux_boot.h"
#include "machine/vmapple_machine.h"
#include "vmm/control.h"
#include "vmm/vcpu_runner.h"

namespace vmapple {
namespace {

constexpr unsigned kVirtualTimerPpi = 27;
constexpr unsigned kPhysicalTimerPpi = 30;

}  // namespace

Vm::Vm(const VmConfig& config) : config_(config) {
  machine_ = std::make_unique<VmappleMachine>(config_.machine, loop_, *this,
                                              [this] { request_exit(kExitPoweredOff); });
  if (!config_.machine.kernel.empty()) linux_ = std::make_unique<LinuxBoot>(config_.machine);
  create_vcpus();
  machine_->reset();
  start_control();
}

Vm::~Vm() {
  for (auto& r : runners_)
    r->stop();
  if (signal_fd_ >= 0) close(signal_fd_);
}

void Vm::create_vcpus() {
  cluster_ = std::make_unique<arm64::CpuCluster>(machine_->memory(), clock_);
  auto& gic = machine_->interrupts();
  for (unsigned i = 0; i < config_.machine.cpus; ++i) {
    auto vcpu = std::make_unique<arm64::InterpVcpu>(*cluster_, i, gic.ppi(i, kVirtualTimerPpi),
                                                    gic.ppi(i, kPhysicalTimerPpi));
    gic.connect_cpu(i, vcpu.get());
    runners_.push_back(
        std::make_unique<VcpuRunner>(i, *vcpu, machine_->address_space(), gic, psci_));
    runners_.back()->on_fatal = [this](const std::string&) { request_exit(kExitFailure); };
    vcpus_.push_back(std::move(vcpu));
  }
}

Vcpu& Vm::vcpu(unsigned n) {
  return *vcpus_.at(n);
}

void Vm::boot() {
  // CPU 0 starts at EL1h, MMU off, DAIF masked (VcpuRunner resets it); the
  // others stay off until PSCI CPU_ON.
  if (linux_) {
    // Linux direct boot (booting.rst): x0 = the device tree, x1..x3 = 0.
    // Reloaded at every reset: the last run changed the kernel's data.
    LinuxBoot::Entry entry = linux_->load(machine_->memory());
    runners_.at(0)->power_on(entry.pc, entry.dtb);
    return;
  }
  // Firmware boot (spec 3.1): the start of the firmware region.
  runners_.at(0)->power_on(board::kFirmware.base, 0);
}

int Vm::run() {
  fmt::print(stderr, "{}", machine_->describe());
  if (config_.accel != Accel::kInterp) {
    bool kvm = config_.accel == Accel::kKvm;
    log_info(fmt::format("{} is not available on this host (it needs {}); use --accel interp",
                         kvm ? "kvm" : "hvf", kvm ? "Linux on arm64" : "macOS on arm64"));
    return kExitNoAccel;
  }
  watch_signals();
  uint64_t start_ns = clock_.now_ns();
  for (auto& r : runners_)
    r->start();
  boot();
  loop_.run();
  for (auto& r : runners_)
    r->stop();
  if (config_.stats) print_stats(clock_.now_ns() - start_ns);
  return exit_status_.load();
}

void Vm::print_stats(uint64_t elapsed_ns) const {
  uint64_t total = 0;
  for (const auto& v : vcpus_)
    total += v->instructions_retired();
  double seconds = static_cast<double>(elapsed_ns) / 1e9;
  fmt::print(stderr, "stats: {} instructions in {:.3f} s, {:.1f} MIPS\n", total, seconds,
             seconds > 0 ? static_cast<double>(total) / seconds / 1e6 : 0.0);
}

void Vm::watch_signals() {
  // vCPU threads inherit the mask, so only the I/O thread sees the signals.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) return;
  loop_.add_fd(signal_fd_, EPOLLIN, [this](uint32_t) {
    signalfd_siginfo info{};
    if (read(signal_fd_, &info, sizeof info) != sizeof info) return;
    log_info(fmt::format("stopping the VM on {}", strsignal(static_cast<int>(info.ssi_signo))));
    request_exit(128 + static_cast<int>(info.ssi_signo));
  });
}

void Vm::request_exit(int status) {
  int expected = -1;
  if (exit_status_.compare_exchange_strong(expected, status)) loop_.stop();
}

// --- PSCI -------------------------------------------------------------------

unsigned Vm::cpu_count() const {
  return static_cast<unsigned>(runners_.size());
}

uint64_t Vm::cpu_mpidr(unsigned cpu) const {
  return board::mpidr_affinity(cpu);
}

CpuPowerState Vm::cpu_state(unsigned cpu) const {
  return runners_.at(cpu)->state();
}

bool Vm::cpu_on(unsigned cpu, uint64_t entry, uint64_t context) {
  return runners_.at(cpu)->power_on(entry, context);
}

bool Vm::entry_valid(uint64_t entry) const {
  return (entry & 3) == 0 && machine_->memory().find(entry) != nullptr;
}

void Vm::cpu_off(unsigned self) {
  runners_.at(self)->power_off_self();
}

void Vm::cpu_suspend(unsigned) {
  // A standby state may end at any time: returning at once is a valid
  // CPU_SUSPEND, and the guest's idle loop then runs WFI.
}

void Vm::system_off() {
  log_info("guest powered off (PSCI SYSTEM_OFF)");
  for (auto& r : runners_)
    r->power_off_self();
  request_exit(kExitPoweredOff);
}

void Vm::system_reset() {
  log_info("guest reset (PSCI SYSTEM_RESET)");
  loop_.post([this] { reset_system(); });
  // Every vCPU parks before the machine is reset on the I/O thread.
  for (auto& r : runners_)
    r->power_off_self();
}

void Vm::reset_system() {
  for (auto& r : runners_)
    r->power_off_and_wait();
  machine_->reset();
  boot();
}

// --- pvpanic ----------------------------------------------------------------

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

// --- control socket ---------------------------------------------------------

void Vm::start_control() {
  created_ns_ = clock_.now_ns();
  if (config_.control_path.empty()) return;
  ControlHooks hooks;
  hooks.status = [this] {
    nlohmann::json cpus = nlohmann::json::array();
    for (auto& r : runners_) {
      CpuPowerState s = r->state();
      cpus.push_back(s == CpuPowerState::kOn    ? "on"
                     : s == CpuPowerState::kOff ? "off"
                                                : "on-pending");
    }
    return nlohmann::json{{"state", exit_status() < 0 ? "running" : "stopping"},
                          {"cpus", runners_.size()},
                          {"cpu_states", cpus},
                          {"uptime_ms", (clock_.now_ns() - created_ns_) / 1'000'000}};
  };
  hooks.quit = [this] {
    log_info("stopping the VM on a control socket 'quit'");
    request_exit(kExitPoweredOff);
  };
  control_ =
      std::make_unique<ControlServer>(config_.control_path, loop_, *machine_, std::move(hooks));
}

}  // namespace vmapple
