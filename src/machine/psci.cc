#include "machine/psci.h"

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTracePsci("psci", false);
constexpr uint64_t kAffinityMask = 0xff00ffffffull;  // Aff3, Aff2, Aff1, Aff0

}  // namespace

int64_t Psci::call(unsigned caller, const uint64_t x[4]) {
  auto function = static_cast<uint32_t>(x[0]);
  VMAPPLE_TRACE(kTracePsci, "cpu{} call {:#x} ({:#x}, {:#x}, {:#x})", caller, function, x[1], x[2],
                x[3]);
  switch (function) {
    case psci::kVersion:
      return psci::kPsciVersion_1_1;
    case psci::kCpuOn32:
      return cpu_on(x[1], static_cast<uint32_t>(x[2]), static_cast<uint32_t>(x[3]), true);
    case psci::kCpuOn64:
      return cpu_on(x[1], x[2], x[3], false);
    case psci::kCpuOff:
      platform_.cpu_off(caller);
      return psci::kSuccess;
    case psci::kCpuSuspend32:
    case psci::kCpuSuspend64:
      platform_.cpu_suspend(caller);
      return psci::kSuccess;
    case psci::kAffinityInfo32:
      return affinity_info(static_cast<uint32_t>(x[1]), x[2]);
    case psci::kAffinityInfo64:
      return affinity_info(x[1], x[2]);
    case psci::kMigrateInfoType:
      return psci::kMigrateTypeNoTrustedOs;
    case psci::kSystemOff:
      platform_.system_off();
      return psci::kSuccess;
    case psci::kSystemReset:
      platform_.system_reset();
      return psci::kSuccess;
    case psci::kFeatures:
      return features(static_cast<uint32_t>(x[1]));
    default:
      // Includes SMCCC_VERSION: unsupported, so Linux assumes SMCCC v1.0 and
      // never issues the ARCH_WORKAROUND calls.
      guest_error("psci", "cpu{}: unsupported function {:#x}", caller, function);
      return psci::kNotSupported;
  }
}

int Psci::find_cpu(uint64_t mpidr) const {
  for (unsigned i = 0; i < platform_.cpu_count(); ++i)
    if ((platform_.cpu_mpidr(i) & kAffinityMask) == (mpidr & kAffinityMask))
      return static_cast<int>(i);
  return -1;
}

int64_t Psci::cpu_on(uint64_t target, uint64_t entry, uint64_t context, bool is32) {
  int cpu = find_cpu(is32 ? static_cast<uint32_t>(target) : target);
  if (cpu < 0) return psci::kInvalidParameters;
  if (!platform_.entry_valid(entry)) return psci::kInvalidAddress;
  switch (platform_.cpu_state(cpu)) {
    case CpuPowerState::kOn:
      return psci::kAlreadyOn;
    case CpuPowerState::kOnPending:
      return psci::kOnPending;
    case CpuPowerState::kOff:
      break;
  }
  return platform_.cpu_on(cpu, entry, context) ? psci::kSuccess : psci::kAlreadyOn;
}

int64_t Psci::affinity_info(uint64_t target, uint64_t level) {
  // Only level 0 (a single CPU) is meaningful with one CPU per Aff0 value.
  if (level != 0) return psci::kInvalidParameters;
  int cpu = find_cpu(target);
  if (cpu < 0) return psci::kInvalidParameters;
  return static_cast<int64_t>(platform_.cpu_state(cpu));
}

int64_t Psci::features(uint32_t function) {
  switch (function) {
    case psci::kVersion:
    case psci::kCpuOff:
    case psci::kCpuOn32:
    case psci::kCpuOn64:
    case psci::kAffinityInfo32:
    case psci::kAffinityInfo64:
    case psci::kMigrateInfoType:
    case psci::kSystemOff:
    case psci::kSystemReset:
    case psci::kFeatures:
      return psci::kSuccess;
    case psci::kCpuSuspend32:
    case psci::kCpuSuspend64:
      return 0;  // original power_state format, no OS-initiated mode
    default:
      return psci::kNotSupported;
  }
}

}  // namespace vmapple
