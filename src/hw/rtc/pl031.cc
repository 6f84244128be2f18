#include "hw/rtc/pl031.h"

#include <limits>

#include "base/log.h"
#include "hw/primecell.h"

namespace vmapple {
namespace {

trace::Category kTrace("pl031");
constexpr std::string_view kName = "pl031";
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kCounterWrap = uint64_t{1} << 32;  // seconds

}  // namespace

Pl031::Pl031(uint64_t host_seconds, TimerQueue& timers, IrqLine& irq)
    : timers_(timers),
      irq_(irq),
      base_seconds_(static_cast<uint32_t>(host_seconds)),
      base_ns_(timers.clock().now_ns()) {
  std::lock_guard lock(mutex_);
  irq_.set(false);
  schedule_match();
}

Pl031::~Pl031() {
  std::lock_guard lock(mutex_);
  ++generation_;
  if (timer_ != TimerQueue::kNoTimer) timers_.cancel(timer_);
}

void Pl031::reset() {
  std::lock_guard lock(mutex_);
  mr_ = lr_ = imsc_ = ris_ = 0;
  irq_level_ = false;
  irq_.set(false);
  schedule_match();
}

uint32_t Pl031::counter() const {
  uint64_t now = timers_.clock().now_ns();
  uint64_t elapsed = now > base_ns_ ? (now - base_ns_) / kNsPerSecond : 0;
  return base_seconds_ + static_cast<uint32_t>(elapsed);
}

uint64_t Pl031::read(uint64_t offset, unsigned size) {
  std::lock_guard lock(mutex_);
  if (size != 4 || offset % 4 != 0 || offset >= kMmioSize) {
    guest_error(kName, "read of {} bytes at {:#x}: not a register", size, offset);
    return 0;
  }
  return read_register(offset);
}

void Pl031::write(uint64_t offset, unsigned size, uint64_t value) {
  std::lock_guard lock(mutex_);
  if (size != 4 || offset % 4 != 0 || offset >= kMmioSize) {
    guest_error(kName, "write of {} bytes at {:#x}: not a register", size, offset);
    return;
  }
  write_register(offset, value);
  update_irq();
}

uint32_t Pl031::read_register(uint64_t offset) {
  switch (offset) {
    case kRTCDR:
      return counter();
    case kRTCMR:
      return mr_;
    case kRTCLR:
      return lr_;
    case kRTCCR:
      return kRTCStart;
    case kRTCIMSC:
      return imsc_;
    case kRTCRIS:
      return ris_;
    case kRTCMIS:
      return ris_ & imsc_;
    case kRTCICR:
      guest_error(kName, "read of write-only RTCICR");
      return 0;
  }
  if (primecell::is_id_register(offset)) return primecell::id_register(offset, kPeriphID);
  guest_error(kName, "read of reserved offset {:#x}", offset);
  return 0;
}

void Pl031::write_register(uint64_t offset, uint64_t value) {
  switch (offset) {
    case kRTCMR:
      mr_ = primecell::defined_bits(kName, "RTCMR", value, 0xFFFF'FFFF);
      VMAPPLE_TRACE(kTrace, "match at {} (now {})", mr_, counter());
      match_changed();
      return;
    case kRTCLR:
      lr_ = primecell::defined_bits(kName, "RTCLR", value, 0xFFFF'FFFF);
      base_seconds_ = lr_;
      base_ns_ = timers_.clock().now_ns();
      VMAPPLE_TRACE(kTrace, "counter loaded with {}", lr_);
      match_changed();
      return;
    case kRTCCR:
      // Once started the counter cannot be stopped; writing 0 is ignored.
      if (!(primecell::defined_bits(kName, "RTCCR", value, kRTCStart) & kRTCStart))
        VMAPPLE_TRACE(kTrace, "RTCCR.RTCStart cleared: ignored, the RTC keeps running");
      return;
    case kRTCIMSC:
      imsc_ = primecell::defined_bits(kName, "RTCIMSC", value, kRTCINTR);
      return;
    case kRTCICR:
      ris_ &= ~primecell::defined_bits(kName, "RTCICR", value, kRTCINTR);
      return;
    case kRTCDR:
    case kRTCRIS:
    case kRTCMIS:
      primecell::read_only_write(kName, offset, value);
      return;
  }
  primecell::unknown_write(kName, offset, value);
}

// The comparator sees the new MR or counter value at once.
void Pl031::match_changed() {
  if (counter() == mr_) ris_ |= kRTCINTR;
  schedule_match();
}

// Arms a timer for the next second at which the counter becomes RTCMR.
void Pl031::schedule_match() {
  if (timer_ != TimerQueue::kNoTimer) timers_.cancel(timer_);
  uint64_t generation = ++generation_;
  uint64_t now = timers_.clock().now_ns();
  uint64_t elapsed = now > base_ns_ ? (now - base_ns_) / kNsPerSecond : 0;
  // The elapsed-second counts at which the counter shows MR are k + n * 2^32.
  uint64_t k = static_cast<uint32_t>(mr_ - base_seconds_);
  if (k <= elapsed) k += ((elapsed - k) / kCounterWrap + 1) * kCounterWrap;
  unsigned __int128 deadline = base_ns_ + static_cast<unsigned __int128>(k) * kNsPerSecond;
  if (deadline > std::numeric_limits<uint64_t>::max()) {
    timer_ = TimerQueue::kNoTimer;  // beyond the clock's range (centuries away)
    return;
  }
  timer_ = timers_.schedule(static_cast<uint64_t>(deadline),
                            [this, generation] { on_match(generation); });
}

void Pl031::on_match(uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;
  timer_ = TimerQueue::kNoTimer;
  // Set even if the host ran this late and the counter already moved on.
  VMAPPLE_TRACE(kTrace, "match at {}", mr_);
  ris_ |= kRTCINTR;
  update_irq();
  schedule_match();
}

void Pl031::update_irq() {
  bool level = (ris_ & imsc_) != 0;
  if (level == irq_level_) return;
  irq_level_ = level;
  VMAPPLE_TRACE(kTrace, "irq {}", level ? "raised" : "lowered");
  irq_.set(level);
}

}  // namespace vmapple
