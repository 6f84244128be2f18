#pragma once
// PSCI 1.1 over HVC (the vmapple platform has no EL2/EL3, so the VMM is the
// firmware): the calls Linux and the Apple boot ROM make, decoded from x0..x3
// and carried out through the PsciPlatform the VMM implements.
#include <cstdint>

namespace vmapple {

namespace psci {
inline constexpr uint32_t kVersion = 0x84000000;
inline constexpr uint32_t kCpuSuspend32 = 0x84000001;
inline constexpr uint32_t kCpuSuspend64 = 0xc4000001;
inline constexpr uint32_t kCpuOff = 0x84000002;
inline constexpr uint32_t kCpuOn32 = 0x84000003;
inline constexpr uint32_t kCpuOn64 = 0xc4000003;
inline constexpr uint32_t kAffinityInfo32 = 0x84000004;
inline constexpr uint32_t kAffinityInfo64 = 0xc4000004;
inline constexpr uint32_t kMigrateInfoType = 0x84000006;
inline constexpr uint32_t kSystemOff = 0x84000008;
inline constexpr uint32_t kSystemReset = 0x84000009;
inline constexpr uint32_t kFeatures = 0x8400000a;
inline constexpr uint32_t kSmcccVersion = 0x80000000;

inline constexpr int64_t kSuccess = 0;
inline constexpr int64_t kNotSupported = -1;
inline constexpr int64_t kInvalidParameters = -2;
inline constexpr int64_t kAlreadyOn = -4;
inline constexpr int64_t kOnPending = -5;
inline constexpr int64_t kInvalidAddress = -9;

inline constexpr uint32_t kPsciVersion_1_1 = 0x10001;
inline constexpr int64_t kMigrateTypeNoTrustedOs = 2;
}  // namespace psci

enum class CpuPowerState { kOn = 0, kOff = 1, kOnPending = 2 };

// What PSCI needs from the VMM.
class PsciPlatform {
 public:
  virtual ~PsciPlatform() = default;
  virtual unsigned cpu_count() const = 0;
  virtual uint64_t cpu_mpidr(unsigned cpu) const = 0;  // affinity fields only
  virtual CpuPowerState cpu_state(unsigned cpu) const = 0;
  // Starts an OFF cpu at `entry` (EL1, MMU off, DAIF masked, x0 = context).
  virtual bool cpu_on(unsigned cpu, uint64_t entry, uint64_t context) = 0;
  virtual bool entry_valid(uint64_t entry) const = 0;  // inside RAM
  // These do not return to the caller's guest code.
  virtual void cpu_off(unsigned self) = 0;
  virtual void cpu_suspend(unsigned self) = 0;  // = WFI until an interrupt
  virtual void system_off() = 0;
  virtual void system_reset() = 0;
};

class Psci {
 public:
  explicit Psci(PsciPlatform& platform) : platform_(platform) {}
  // Handles HVC #0 from `caller` with arguments x0..x3; returns x0. For
  // calls that do not return (CPU_OFF, SYSTEM_*), the platform has acted and
  // the value is irrelevant.
  int64_t call(unsigned caller, const uint64_t x[4]);

 private:
  int64_t cpu_on(uint64_t target, uint64_t entry, uint64_t context, bool is32);
  int64_t affinity_info(uint64_t target, uint64_t level);
  int64_t features(uint32_t function);
  int find_cpu(uint64_t mpidr) const;

  PsciPlatform& platform_;
};

}  // namespace vmapple
