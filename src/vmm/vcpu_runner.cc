#include "vmm/vcpu_runner.h"

#include <type_traits>

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTraceVcpu("vcpu", false);

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

VcpuRunner::VcpuRunner(unsigned index, Vcpu& vcpu, AddressSpace& bus, InterruptController& gic,
                       Psci& psci)
    : index_(index), vcpu_(vcpu), bus_(bus), gic_(gic), psci_(psci) {}

VcpuRunner::~VcpuRunner() {
  stop();
}

void VcpuRunner::start() {
  thread_ = std::thread([this] { thread_main(); });
}

void VcpuRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  vcpu_.kick();
  if (thread_.joinable()) thread_.join();
}

bool VcpuRunner::power_on(uint64_t entry, uint64_t context) {
  {
    std::lock_guard lock(mutex_);
    if (state_ != CpuPowerState::kOff) return false;
    state_ = CpuPowerState::kOnPending;
    entry_ = entry;
    context_ = context;
  }
  cv_.notify_all();
  return true;
}

void VcpuRunner::power_off_self() {
  std::lock_guard lock(mutex_);
  off_requested_ = true;
}

void VcpuRunner::power_off_and_wait() {
  std::unique_lock lock(mutex_);
  if (state_ == CpuPowerState::kOff) return;
  off_requested_ = true;
  if (state_ == CpuPowerState::kOnPending || !thread_.joinable()) {
    state_ = CpuPowerState::kOff;
    off_requested_ = false;
    return;
  }
  lock.unlock();
  vcpu_.kick();
  lock.lock();
  cv_.wait(lock, [&] { return state_ == CpuPowerState::kOff || stop_; });
}

CpuPowerState VcpuRunner::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool VcpuRunner::wait_until_on() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stop_ || state_ != CpuPowerState::kOff; });
  if (stop_) return false;
  if (state_ == CpuPowerState::kOnPending) {
    vcpu_.reset();
    vcpu_.set_reg(Reg::kPc, entry_);
    vcpu_.set_reg(xreg(0), context_);
    state_ = CpuPowerState::kOn;
    VMAPPLE_TRACE(kTraceVcpu, "cpu{} on at {:#x}", index_, entry_);
  }
  return true;
}

void VcpuRunner::thread_main() {
  while (wait_until_on()) {
    VcpuExit exit = vcpu_.run();
    dispatch(exit);
    std::lock_guard lock(mutex_);
    if (off_requested_) {
      off_requested_ = false;
      state_ = CpuPowerState::kOff;
      VMAPPLE_TRACE(kTraceVcpu, "cpu{} off", index_);
      cv_.notify_all();
    }
  }
}

void VcpuRunner::dispatch(VcpuExit& exit) {
  std::visit(Overloaded{
                 [&](MmioExit& e) {
                   if (e.is_write) {
                     bus_.write(e.gpa, e.size, e.value);
                   } else {
                     uint64_t value = 0;
                     bus_.read(e.gpa, e.size, &value);
                     vcpu_.complete_mmio_read(value);
                   }
                 },
                 [&](HvcExit& e) {
                   int64_t result = psci_.call(index_, e.x);
                   vcpu_.set_reg(xreg(0), static_cast<uint64_t>(result));
                 },
                 [&](SysRegExit& e) {
                   if (e.is_write) {
                     vcpu_.complete_sysreg(gic_.write_sysreg(index_, e.id, e.value));
                   } else {
                     uint64_t value = 0;
                     if (gic_.read_sysreg(index_, e.id, value))
                       vcpu_.complete_sysreg_read(value);
                     else
                       vcpu_.complete_sysreg(false);
                   }
                 },
                 [&](WfiExit& e) { vcpu_.wait_for_interrupt(e.deadline_ns); },
                 [&](KickedExit&) {},
                 [&](FatalExit& e) {
                   log_warning(fmt::format("vcpu{}: {}", index_, e.why));
                   power_off_self();
                   if (on_fatal) on_fatal(e.why);
                 },
             },
             exit);
}

}  // namespace vmapple
