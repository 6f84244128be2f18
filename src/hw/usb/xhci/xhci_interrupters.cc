// Interrupters (xHCI 4.17, 5.5.2): event ring registers, interrupt
// moderation on the TimerQueue, and the routing rules of vmapple spec 8.3.
#include <algorithm>

#include "hw/usb/xhci/xhci.h"
#include "hw/usb/xhci/xhci_internal.h"

namespace vmapple::usb {

using namespace xhci;

uint32_t Xhci::read_interrupter(unsigned v, unsigned reg) {
  Interrupter& i = interrupters_[v];
  switch (reg) {
    case kIman:
      return i.iman;
    case kImod: {
      // IMODC reads as what is left of the moderation interval.
      uint64_t now = timers_.clock().now_ns();
      uint64_t left =
          i.mod_deadline > now ? (i.mod_deadline - now + kImodIntervalNs - 1) / kImodIntervalNs : 0;
      return i.imodi | static_cast<uint32_t>(std::min<uint64_t>(left, 0xFFFF)) << 16;
    }
    case kErstsz:
      return i.erstsz;
    case kErstba:
      return static_cast<uint32_t>(i.erstba);
    case kErstbaHigh:
      return static_cast<uint32_t>(i.erstba >> 32);
    case kErdp:
      return static_cast<uint32_t>(i.erdp);
    case kErdpHigh:
      return static_cast<uint32_t>(i.erdp >> 32);
    default:
      return 0;
  }
}

void Xhci::write_interrupter(unsigned v, unsigned reg, uint32_t value) {
  Interrupter& i = interrupters_[v];
  switch (reg) {
    case kIman:
      i.iman = (i.iman & ~(value & kImanIp) & ~kImanIe) | (value & kImanIe);
      return signal(v);
    case kImod:
      i.imodi = value & 0xFFFF;
      i.mod_deadline = timers_.clock().now_ns() + uint64_t{value >> 16} * kImodIntervalNs;
      return try_fire(v);
    case kErstsz:
      i.erstsz = value & kErstszMask;
      return;
    case kErstba:
      i.erstba = ((i.erstba & ~uint64_t{0xFFFF'FFFF}) | value) & kErstbaMask;
      return;
    case kErstbaHigh:
      // The high half completes a 64-bit write: the ring is (re)initialised.
      i.erstba = (i.erstba & 0xFFFF'FFFF) | uint64_t{value} << 32;
      return setup_event_ring(v);
    case kErdp:
    case kErdpHigh: {
      bool busy = i.erdp & kErdpEhb;
      uint64_t written = reg == kErdp ? (i.erdp & ~uint64_t{0xFFFF'FFFF}) | value
                                      : (i.erdp & 0xFFFF'FFFF) | uint64_t{value} << 32;
      if (reg == kErdp && (value & kErdpEhb)) busy = false;  // write 1 to clear
      i.erdp = (written & ~kErdpEhb) | (busy ? kErdpEhb : 0);
      if (!busy) {
        i.pending = i.ring.has_events(i.erdp);
        try_fire(v);
      }
      return;
    }
    default:
      return;
  }
}

void Xhci::setup_event_ring(unsigned v) {
  Interrupter& i = interrupters_[v];
  switch (i.ring.setup(memory_, i.erstsz, i.erstba)) {
    case EventRing::Setup::kOk:
      VMAPPLE_TRACE(kTrace, "interrupter {}: event ring at {:#x}", v, i.ring.enqueue_pointer());
      return;
    case EventRing::Setup::kDisabled:
      return;
    case EventRing::Setup::kBadSize:
      return host_controller_error("event ring segment table size or segment size unsupported");
    case EventRing::Setup::kBadAddress:
      return host_system_error("event ring segment table or segment", i.erstba);
  }
}

// Rules A and B of spec 8.3, evaluated for every event as it is generated.
unsigned Xhci::map_interrupter(unsigned target) {
  if (num_interrupters_ == 1) return 0;                              // rule A
  if (conditional_intr_mapping_ && !host_.message_mode()) return 0;  // rule B
  return target;
}

void Xhci::post_event(unsigned target, const Trb& event) {
  if (usbsts_ & kStsHce) return;  // the controller is dead until reset
  unsigned v = map_interrupter(target);
  if (v >= num_interrupters_) {
    VMAPPLE_TRACE(kTrace, "event for interrupter {} of {} dropped", v, num_interrupters_);
    return;
  }
  if (!host_.dma_enabled()) {
    guest_error(kName, "event dropped: bus mastering is off");
    return;
  }
  Interrupter& i = interrupters_[v];
  switch (i.ring.write(memory_, event, i.erdp)) {
    case EventRing::Result::kWritten:
      VMAPPLE_TRACE(kTrace, "interrupter {}: event type {} code {}", v, event.type(),
                    event.status >> 24);
      break;
    case EventRing::Result::kFullWritten:
      guest_error(kName, "interrupter {}: event ring full", v);
      break;
    case EventRing::Result::kDropped:
      VMAPPLE_TRACE(kTrace, "interrupter {}: event ring full, event dropped", v);
      return;
    case EventRing::Result::kDisabled:
      guest_error(kName, "interrupter {}: event with no event ring dropped", v);
      return;
    case EventRing::Result::kBadDequeue:
      return host_controller_error("event ring dequeue pointer outside the segment");
    case EventRing::Result::kBadAddress:
      return host_system_error("event ring segment", i.ring.enqueue_pointer());
  }
  i.pending = true;
  try_fire(v);
}

// xHCI 4.17.2: the interrupt is asserted when events are pending, the
// moderation counter has run out and software is not still handling the
// previous one (EHB).
void Xhci::try_fire(unsigned v) {
  Interrupter& i = interrupters_[v];
  if (!i.pending || (i.erdp & kErdpEhb)) return;
  uint64_t now = timers_.clock().now_ns();
  if (now < i.mod_deadline) return arm_moderation_timer(v, i.mod_deadline);
  i.pending = false;
  i.iman |= kImanIp;
  i.erdp |= kErdpEhb;
  usbsts_ |= kStsEint;
  i.mod_deadline = now + uint64_t{i.imodi} * kImodIntervalNs;
  VMAPPLE_TRACE(kTrace, "interrupter {}: interrupt pending", v);
  signal(v);
}

void Xhci::arm_moderation_timer(unsigned v, uint64_t deadline) {
  Interrupter& i = interrupters_[v];
  if (i.timer != TimerQueue::kNoTimer) {
    if (i.timer_deadline == deadline) return;
    timers_.cancel(i.timer);
  }
  uint64_t gen = generation_;
  i.timer_deadline = deadline;
  i.timer = timers_.schedule(deadline, [this, v, gen] {
    Locked lock(*this);
    if (gen != generation_) return;
    interrupters_[v].timer = TimerQueue::kNoTimer;
    try_fire(v);
  });
}

// Delivers an asserted interrupter: by message (and IP clears at once), or
// on the INTx pin, which only interrupter 0 drives (spec 8.3).
void Xhci::signal(unsigned v) {
  Interrupter& i = interrupters_[v];
  bool asserted = (i.iman & kImanIp) && (i.iman & kImanIe) && (usbcmd_ & kCmdInte);
  if (asserted && host_.message_mode()) {
    VMAPPLE_TRACE(kTrace, "interrupter {}: message", v);
    host_.send_message(v);
    i.iman &= ~kImanIp;
  }
  if (v == 0) update_pin();
}

void Xhci::update_pin() {
  const Interrupter& i = interrupters_[0];
  bool level =
      (i.iman & kImanIp) && (i.iman & kImanIe) && (usbcmd_ & kCmdInte) && !host_.message_mode();
  host_.set_pin(level);
}

}  // namespace vmapple::usb
