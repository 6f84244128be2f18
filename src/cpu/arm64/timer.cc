#include "cpu/arm64/timer.h"

namespace vmapple::arm64 {

GenericTimer::GenericTimer(const Clock& clock, IrqLine& virtual_out, IrqLine& physical_out)
    : clock_(clock) {
  t(Channel::kPhysical).line = &physical_out;
  t(Channel::kVirtual).line = &virtual_out;
}

uint64_t GenericTimer::ctl(Channel ch) const {
  const Timer& tm = t(ch);
  // ISTATUS is UNKNOWN while disabled; report 0 as most implementations do.
  bool istatus = (tm.ctl & cntctl::kEnable) && condition_met(tm, counter());
  return tm.ctl | (istatus ? cntctl::kIstatus : 0);
}

void GenericTimer::set_ctl(Channel ch, uint64_t value) {
  t(ch).ctl = value & (cntctl::kEnable | cntctl::kImask);
}

uint64_t GenericTimer::tval(Channel ch) const {
  return static_cast<uint32_t>(t(ch).cval - counter());
}

void GenericTimer::set_tval(Channel ch, uint64_t value) {
  auto delta = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(value)));
  t(ch).cval = counter() + static_cast<uint64_t>(delta);
}

void GenericTimer::update() {
  uint64_t cnt = counter();
  for (Timer& tm : timers_) {
    bool level = output_at(tm, cnt);
    if (level == tm.level) continue;
    tm.level = level;
    tm.line->set(level);
  }
}

std::optional<uint64_t> GenericTimer::next_deadline_ticks() const {
  uint64_t cnt = counter();
  std::optional<uint64_t> best;
  for (const Timer& tm : timers_) {
    if (!(tm.ctl & cntctl::kEnable) || (tm.ctl & cntctl::kImask)) continue;
    if (condition_met(tm, cnt)) continue;  // already firing: nothing in the future
    if (!best || tm.cval < *best) best = tm.cval;
  }
  return best;
}

void GenericTimer::reset() {
  for (Timer& tm : timers_) {
    tm.ctl = 0;
    tm.cval = 0;
    tm.level = false;
    tm.line->set(false);
  }
}

}  // namespace vmapple::arm64
