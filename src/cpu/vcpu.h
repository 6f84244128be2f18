#pragma once
// The interface every accelerator implements (interp, kvm, hvf): one vCPU
// that runs until it needs the VMM, and says why with a VcpuExit. The VMM has
// one dispatch path for all accelerators.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/sysreg.h"

namespace vmapple {

// A guest access to a physical address outside RAM. For a read, the VMM
// answers with Vcpu::complete_mmio_read() before the next run().
struct MmioExit {
  uint64_t gpa = 0;
  unsigned size = 0;  // 1, 2, 4 or 8
  bool is_write = false;
  uint64_t value = 0;  // the value written
};

// HVC (or SMC) at EL1: the PSCI/SMCCC conduit. The instruction has retired;
// the VMM writes results to x0..x3 with set_reg() before the next run().
struct HvcExit {
  uint16_t imm = 0;
  uint64_t x[4] = {};
  bool is_smc = false;
};

// A system-register access the CPU does not implement itself (the GIC CPU
// interface). For a read the VMM answers with complete_sysreg_read(); for
// either, complete_sysreg(false) makes it UNDEFINED in the guest.
struct SysRegExit {
  SysRegId id;
  bool is_write = false;
  uint64_t value = 0;  // the value written
};

// WFI with no interrupt pending: sleep until an interrupt input rises, a
// kick, or `deadline_ns` (nanoseconds of the VM's Clock), the earliest timer
// event.
struct WfiExit {
  std::optional<uint64_t> deadline_ns;
};

// kick() was called (another thread wants the vCPU's attention).
struct KickedExit {};
// The vCPU stopped itself for good (e.g. a fatal host condition).
struct FatalExit {
  std::string why;
};

using VcpuExit = std::variant<MmioExit, HvcExit, SysRegExit, WfiExit, KickedExit, FatalExit>;

enum class Reg : unsigned {
  kX0 = 0,
  kX30 = 30,
  kSp,  // the SP of the current exception level and SPSel
  kPc,
  kPstate,  // SPSR layout: NZCV, DAIF, M[3:0]
  kSpEl0,
  kSpEl1,
};
inline constexpr Reg xreg(unsigned n) {
  return static_cast<Reg>(n);
}

class Vcpu {
 public:
  virtual ~Vcpu() = default;

  // Runs guest code on the calling thread until an exit.
  virtual VcpuExit run() = 0;
  // Makes run() return KickedExit soon (at once if it is not running; the
  // next run() returns it). Thread-safe.
  virtual void kick() = 0;

  virtual void complete_mmio_read(uint64_t value) = 0;
  virtual void complete_sysreg_read(uint64_t value) = 0;
  // false: the access of the last SysRegExit is UNDEFINED in the guest.
  virtual void complete_sysreg(bool handled) = 0;

  virtual uint64_t reg(Reg r) const = 0;
  virtual void set_reg(Reg r, uint64_t value) = 0;

  // What the VMM does with a WfiExit: sleeps until an interrupt input of
  // this vCPU is high, a kick, or `deadline_ns` (the VM's Clock).
  virtual void wait_for_interrupt(std::optional<uint64_t> deadline_ns) = 0;

  // Guest instructions retired so far, where the accelerator counts them.
  virtual uint64_t instructions_retired() const { return 0; }

  // Architectural reset: EL1h, DAIF masked, MMU off, registers as at power-on.
  virtual void reset() = 0;
};

}  // namespace vmapple
