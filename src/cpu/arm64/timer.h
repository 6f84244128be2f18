#pragma once
// The Arm generic timer of one vCPU (Arm ARM D11): the counter (CNTPCT_EL0 =
// CNTVCT_EL0, CNTVOFF = 0) and the EL1 physical and virtual timers. Each
// timer's output is a level: ENABLE && ISTATUS && !IMASK, driving PPI 30
// (physical) and PPI 27 (virtual) through the IrqLines the vCPU wires.
//
// Only the vCPU thread touches the registers. Register setters just store;
// update() recomputes the outputs at the clock's current time and drives the
// lines, so the caller decides when (after an MSR, periodically, at run()).
#include <cstdint>
#include <optional>

#include "base/clock.h"
#include "base/irq_line.h"

namespace vmapple::arm64 {

// CNTP_CTL_EL0 / CNTV_CTL_EL0 bits.
namespace cntctl {
inline constexpr uint64_t kEnable = 1u << 0;
inline constexpr uint64_t kImask = 1u << 1;
inline constexpr uint64_t kIstatus = 1u << 2;  // read-only, computed
}  // namespace cntctl

class GenericTimer {
 public:
  enum class Channel : unsigned { kPhysical = 0, kVirtual = 1 };

  GenericTimer(const Clock& clock, IrqLine& virtual_out, IrqLine& physical_out);

  // CNTPCT_EL0 = CNTVCT_EL0 (24 MHz ticks).
  uint64_t counter() const { return clock_.counter(); }

  // CTL with ISTATUS computed at the current counter (0 while disabled).
  uint64_t ctl(Channel ch) const;
  void set_ctl(Channel ch, uint64_t value);  // ENABLE and IMASK; the rest is RO/RES0
  uint64_t cval(Channel ch) const { return t(ch).cval; }
  void set_cval(Channel ch, uint64_t value) { t(ch).cval = value; }
  // TVAL: bits [31:0] of CVAL - counter (a signed 32-bit quantity; bits
  // [63:32] read as zero). A write sets CVAL = counter + SignExtend(value[31:0]).
  uint64_t tval(Channel ch) const;
  void set_tval(Channel ch, uint64_t value);

  // The output level a timer would have now (ENABLE && ISTATUS && !IMASK).
  bool output(Channel ch) const { return output_at(t(ch), counter()); }
  // Recomputes both outputs now and drives the lines (only on changes).
  void update();
  // The earliest counter value at which an enabled, unmasked timer whose
  // condition is not yet met will fire; nullopt if none will.
  std::optional<uint64_t> next_deadline_ticks() const;
  // Power-on state: both timers disabled, CVAL 0, lines low.
  void reset();

 private:
  struct Timer {
    uint64_t ctl = 0;  // ENABLE | IMASK as written
    uint64_t cval = 0;
    IrqLine* line = nullptr;
    bool level = false;  // what the line was last driven to
  };
  static bool condition_met(const Timer& tm, uint64_t cnt) { return cnt >= tm.cval; }
  static bool output_at(const Timer& tm, uint64_t cnt) {
    return (tm.ctl & cntctl::kEnable) && !(tm.ctl & cntctl::kImask) && condition_met(tm, cnt);
  }
  Timer& t(Channel ch) { return timers_[static_cast<unsigned>(ch)]; }
  const Timer& t(Channel ch) const { return timers_[static_cast<unsigned>(ch)]; }

  const Clock& clock_;
  Timer timers_[2];
};

}  // namespace vmapple::arm64
