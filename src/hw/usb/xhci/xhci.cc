#include "hw/usb/xhci/xhci.h"

#include <stdexcept>

#include "hw/usb/xhci/xhci_internal.h"

namespace vmapple::usb {

namespace xhci {
trace::Category kTrace("xhci");
}  // namespace xhci

using namespace xhci;

thread_local const Xhci* tls_owner = nullptr;

Xhci::Locked::Locked(Xhci& x) : x_(x), lock_(x.mutex_) {
  tls_owner = &x;
}

Xhci::Locked::~Locked() {
  x_.drain_kicks_locked();
  tls_owner = nullptr;
}

Xhci::Xhci(GuestMemory& memory, TimerQueue& timers, XhciHost& host, unsigned interrupters,
           bool conditional_intr_mapping)
    : memory_(memory),
      timers_(timers),
      host_(host),
      num_interrupters_(interrupters),
      conditional_intr_mapping_(conditional_intr_mapping) {
  for (unsigned p = 1; p <= kNumPorts; ++p)
    ports_[p].usb3 = p < kFirstUsb2Port;
  std::lock_guard lock(mutex_);
  reset_locked();
}

Xhci::~Xhci() {
  std::lock_guard lock(mutex_);
  ++generation_;
  for (auto& i : interrupters_)
    if (i.timer != TimerQueue::kNoTimer) timers_.cancel(i.timer);
  cancel_wrap_timer();
  for (auto& p : ports_)
    if (p.device) p.device->set_notifier({});
}

void Xhci::reset() {
  Locked lock(*this);
  reset_locked();
}

void Xhci::reset_locked() {
  ++generation_;
  cancel_wrap_timer();
  for (auto& i : interrupters_) {
    if (i.timer != TimerQueue::kNoTimer) timers_.cancel(i.timer);
    i = Interrupter();
  }
  usbcmd_ = 0;
  usbsts_ = kStsHch;
  dnctrl_ = 0;
  crcr_ = 0;
  crr_ = false;
  crcr_pointer_written_ = false;
  command_ring_ = TrbRing();
  command_deferred_ = false;
  dcbaap_ = 0;
  config_ = 0;
  mfindex_frozen_ = 0;
  for (auto& s : slots_)
    s = Slot();
  for (unsigned p = 1; p <= kNumPorts; ++p) {
    ports_[p].pmsc = 0;
    if (ports_[p].device) ports_[p].device->bus_reset();
    connect_port(ports_[p]);
    if (ports_[p].device) port_change(p, kPortCsc);  // halted: no event
  }
  update_pin();
}

bool Xhci::running() const {
  return (usbcmd_ & kCmdRs) && !(usbsts_ & (kStsHch | kStsHce));
}

void Xhci::host_system_error(const char* what, uint64_t address) {
  guest_error(kName, "host system error: {} at {:#x} is not guest RAM; controller halted", what,
              address);
  mfindex_frozen_ = read_runtime(kMfindex);
  usbsts_ |= kStsHse | kStsHch;
  usbcmd_ &= ~kCmdRs;
}

void Xhci::host_controller_error(const char* what) {
  guest_error(kName, "host controller error: {}", what);
  usbsts_ |= kStsHce;
}

// ---- MMIO dispatch ----

uint32_t Xhci::read(uint64_t offset) {
  Locked lock(*this);
  if (offset < kOpBase) return read_capability(static_cast<unsigned>(offset));
  if (offset < kPortBase) return read_operational(static_cast<unsigned>(offset - kOpBase));
  if (offset < kPortBase + kNumPorts * kPortStride) {
    uint64_t at = offset - kPortBase;
    return read_port(static_cast<unsigned>(at / kPortStride) + 1,
                     static_cast<unsigned>(at % kPortStride));
  }
  if (offset >= kRuntimeBase && offset < kDoorbellBase)
    return read_runtime(static_cast<unsigned>(offset - kRuntimeBase));
  return 0;  // reserved space and doorbells read as zero
}

void Xhci::write(uint64_t offset, uint32_t value) {
  Locked lock(*this);
  if (offset < kOpBase) return;  // capability registers are read-only
  if (offset < kPortBase) return write_operational(static_cast<unsigned>(offset - kOpBase), value);
  if (offset < kPortBase + kNumPorts * kPortStride) {
    uint64_t at = offset - kPortBase;
    return write_port(static_cast<unsigned>(at / kPortStride) + 1,
                      static_cast<unsigned>(at % kPortStride), value);
  }
  if (offset >= kRuntimeBase && offset < kDoorbellBase)
    return write_runtime(static_cast<unsigned>(offset - kRuntimeBase), value);
  if (offset >= kDoorbellBase && offset < kDoorbellBase + 4 * (kMaxSlots + 1))
    return write_doorbell(static_cast<unsigned>((offset - kDoorbellBase) / 4), value);
  VMAPPLE_TRACE(kTrace, "write {:#x} to reserved offset {:#x} ignored", value, offset);
}

uint32_t Xhci::read_capability(unsigned offset) const {
  switch (offset) {
    case kCapLength:
      return kCapLengthValue;
    case kHcsParams1:
      return hcsparams1(num_interrupters_);
    case kHcsParams2:
      return kHcsParams2Value;
    case kHccParams1:
      return kHccParams1Value;
    case kDbOff:
      return static_cast<uint32_t>(kDoorbellBase);
    case kRtsOff:
      return static_cast<uint32_t>(kRuntimeBase);
    default:
      break;
  }
  if (offset >= kExtCapBase && offset < kExtCapEnd) return kExtCaps[(offset - kExtCapBase) / 4];
  return 0;  // HCSPARAMS3, HCCPARAMS2
}

// ---- Operational registers ----

uint32_t Xhci::read_operational(unsigned offset) {
  switch (offset) {
    case kUsbCmd:
      return usbcmd_;
    case kUsbSts:
      return usbsts_;
    case kPageSize:
      return 1;  // 4 KiB pages
    case kDnCtrl:
      return dnctrl_;
    case kCrcr:
      return crr_ ? static_cast<uint32_t>(kCrcrCrr) : 0;  // only CRR reads back
    case kDcbaap:
      return static_cast<uint32_t>(dcbaap_);
    case kDcbaapHigh:
      return static_cast<uint32_t>(dcbaap_ >> 32);
    case kConfig:
      return config_;
    default:
      return 0;
  }
}

void Xhci::write_operational(unsigned offset, uint32_t value) {
  switch (offset) {
    case kUsbCmd:
      return write_usbcmd(value);
    case kUsbSts:
      usbsts_ &= ~(value & kStsWriteOneToClear);
      return;
    case kDnCtrl:
      dnctrl_ = value & kDnCtrlMask;
      return;
    case kCrcr:
    case kCrcrHigh:
      return write_crcr(offset, value);
    case kDcbaap:
      dcbaap_ = ((dcbaap_ & ~uint64_t{0xFFFF'FFFF}) | value) & kDcbaapMask;
      return;
    case kDcbaapHigh:
      dcbaap_ = (dcbaap_ & 0xFFFF'FFFF) | uint64_t{value} << 32;
      return;
    case kConfig:
      config_ = value & kConfigMask;
      return;
    default:
      VMAPPLE_TRACE(kTrace, "write {:#x} to read-only operational register {:#x}", value, offset);
  }
}

void Xhci::write_usbcmd(uint32_t value) {
  if (value & kCmdHcrst) {
    VMAPPLE_TRACE(kTrace, "host controller reset");
    reset_locked();
    return;
  }
  uint32_t old = usbcmd_;
  if ((old & kCmdRs) && !(value & kCmdRs)) mfindex_frozen_ = read_runtime(kMfindex);
  usbcmd_ = value & kCmdStored;
  if (value & kCmdCss) usbsts_ &= ~kStsSss;  // save/restore complete at once
  if (value & kCmdCrs) usbsts_ &= ~kStsRss;
  if ((usbcmd_ & kCmdRs) && !(old & kCmdRs)) {
    VMAPPLE_TRACE(kTrace, "run");
    usbsts_ &= ~kStsHch;
    mfindex_origin_ns_ = timers_.clock().now_ns() - uint64_t{mfindex_frozen_} * kMicroframeNs;
  } else if (!(usbcmd_ & kCmdRs) && (old & kCmdRs)) {
    VMAPPLE_TRACE(kTrace, "halt");
    usbsts_ |= kStsHch;
  }
  if ((usbcmd_ ^ old) & kCmdInte)
    for (unsigned v = 0; v < num_interrupters_; ++v)
      signal(v);
  if ((usbcmd_ ^ old) & (kCmdRs | kCmdEwe)) arm_wrap_timer();
}

// With EWE set, an MFINDEX Wrap event goes to interrupter 0 each time the
// 14-bit microframe index wraps (every 2.048 s of guest time).
void Xhci::arm_wrap_timer() {
  cancel_wrap_timer();
  if (!(usbcmd_ & kCmdEwe) || !running()) return;
  uint64_t elapsed = timers_.clock().now_ns() - mfindex_origin_ns_;
  uint64_t next = mfindex_origin_ns_ + (elapsed / kMfindexWrapNs + 1) * kMfindexWrapNs;
  uint64_t gen = generation_;
  wrap_timer_ = timers_.schedule(next, [this, gen] {
    Locked lock(*this);
    if (gen != generation_) return;
    wrap_timer_ = TimerQueue::kNoTimer;
    if (!(usbcmd_ & kCmdEwe) || !running()) return;
    VMAPPLE_TRACE(kTrace, "MFINDEX wrap");
    post_event(0, make_event(kTrbMfindexWrapEvent, 0, kCcSuccess));
    arm_wrap_timer();
  });
}

void Xhci::cancel_wrap_timer() {
  if (wrap_timer_ != TimerQueue::kNoTimer) timers_.cancel(wrap_timer_);
  wrap_timer_ = TimerQueue::kNoTimer;
}

void Xhci::write_crcr(unsigned offset, uint32_t value) {
  if (crr_) {
    // While the ring runs only Command Stop and Command Abort act. Commands
    // complete synchronously, so none is ever in flight to abort.
    if (offset == kCrcr && (value & (kCrcrCs | kCrcrCa))) stop_command_ring();
    return;
  }
  // A new pointer is taken when the low dword is written while the ring is
  // stopped; the high dword that follows a Command Stop written as a 64-bit
  // access must not move the ring back to the old pointer.
  if (offset == kCrcr) {
    crcr_ = (crcr_ & ~uint64_t{0xFFFF'FFFF}) | value;
    crcr_pointer_written_ = true;
  } else {
    crcr_ = (crcr_ & 0xFFFF'FFFF) | uint64_t{value} << 32;
    if (!crcr_pointer_written_) return;
  }
  command_ring_ = TrbRing(crcr_ & kCrcrPointerMask, crcr_ & kCrcrRcs);
}

// ---- Runtime registers ----

uint32_t Xhci::read_runtime(unsigned offset) {
  if (offset == kMfindex) {
    if (!running()) return mfindex_frozen_;
    uint64_t elapsed = timers_.clock().now_ns() - mfindex_origin_ns_;
    return static_cast<uint32_t>(elapsed / kMicroframeNs) & kMfindexMask;
  }
  if (offset < kInterrupterBase - kRuntimeBase) return 0;
  unsigned at = offset - static_cast<unsigned>(kInterrupterBase - kRuntimeBase);
  unsigned v = at / kInterrupterStride;
  if (v >= num_interrupters_) return 0;
  return read_interrupter(v, at % kInterrupterStride);
}

void Xhci::write_runtime(unsigned offset, uint32_t value) {
  if (offset < kInterrupterBase - kRuntimeBase) return;  // MFINDEX is read-only
  unsigned at = offset - static_cast<unsigned>(kInterrupterBase - kRuntimeBase);
  unsigned v = at / kInterrupterStride;
  if (v >= num_interrupters_) {
    guest_error(kName, "write {:#x} to interrupter {} of {}", value, v, num_interrupters_);
    return;
  }
  write_interrupter(v, at % kInterrupterStride, value);
}

// ---- Doorbells ----

void Xhci::write_doorbell(unsigned index, uint32_t value) {
  unsigned target = value & kDbTargetMask;
  if (!running()) {
    guest_error(kName, "doorbell {} rung while the controller is halted", index);
    return;
  }
  if (!host_.dma_enabled()) {
    guest_error(kName, "doorbell {} rung with bus mastering off: ignored", index);
    return;
  }
  if (index == 0) {
    if (target != 0) {
      guest_error(kName, "host controller doorbell with target {}", target);
      return;
    }
    VMAPPLE_TRACE(kTrace, "command doorbell");
    crr_ = true;
    crcr_pointer_written_ = false;
    return run_command_ring();
  }
  if (target < 1 || target > kNumEndpoints || (value >> kDbStreamShift) != 0) {
    guest_error(kName, "doorbell {}: bad target {} / stream {}", index, target,
                value >> kDbStreamShift);
    return;
  }
  Slot& slot = slots_[index];
  Endpoint& ep = slot.eps[target];
  if (!slot.enabled || ep.state == kEpDisabled) {
    guest_error(kName, "doorbell for slot {} endpoint {} which is not enabled", index, target);
    return;
  }
  VMAPPLE_TRACE(kTrace, "doorbell slot {} endpoint {}", index, target);
  if (ep.state == kEpStopped) {
    ep.state = kEpRunning;
    if (!write_endpoint_state(slot, target)) return;
  }
  ep.waiting = false;  // the driver asks to retry
  run_endpoint(index, target);
}

// Continues a ring later: a guest's ring may never run dry.
void Xhci::defer(unsigned slot, unsigned dci) {
  bool& flag = slot ? slots_[slot].eps[dci].deferred : command_deferred_;
  if (flag) return;
  flag = true;
  uint64_t gen = generation_;
  timers_.schedule(timers_.clock().now_ns() + kDeferNs, [this, gen, slot, dci] {
    Locked lock(*this);
    if (gen != generation_) return;
    if (slot == 0) {
      command_deferred_ = false;
      return run_command_ring();
    }
    slots_[slot].eps[dci].deferred = false;
    run_endpoint(slot, dci);
  });
}

// ---- Devices ----

void Xhci::attach(unsigned port, UsbDevice& device) {
  if (port < 1 || port > kNumPorts) throw std::invalid_argument("xhci: no such root port");
  bool super = device.speed() == Speed::kSuper;
  if (super != (port < kFirstUsb2Port))
    throw std::invalid_argument(super ? "xhci: SuperSpeed devices belong on ports 1-4"
                                      : "xhci: USB 2 devices belong on ports 5-8");
  Locked lock(*this);
  Port& p = ports_[port];
  if (p.device) throw std::invalid_argument("xhci: root port already has a device");
  p.device = &device;
  device.set_notifier([this, port](uint8_t ep) { device_notified(port, ep); });
  device.bus_reset();
  connect_port(p);
  port_change(port, kPortCsc);
}

void Xhci::detach(unsigned port) {
  if (port < 1 || port > kNumPorts) throw std::invalid_argument("xhci: no such root port");
  Locked lock(*this);
  Port& p = ports_[port];
  if (!p.device) return;
  p.device->set_notifier({});
  p.device = nullptr;
  connect_port(p);
  port_change(port, kPortCsc);
}

void Xhci::device_notified(unsigned port, uint8_t ep) {
  if (port > kNumPorts || ep > 15) return;
  kicks_[port].fetch_or(1u << ep);
  if (tls_owner == this) return;  // served before the lock is released
  Locked lock(*this);
}

void Xhci::drain_kicks_locked() {
  for (bool again = true; again;) {
    again = false;
    for (unsigned port = 1; port <= kNumPorts; ++port) {
      uint32_t eps = kicks_[port].exchange(0);
      if (!eps) continue;
      again = true;
      for (unsigned s = 1; s <= kMaxSlots; ++s) {
        Slot& slot = slots_[s];
        if (!slot.enabled || slot.port != port) continue;
        for (unsigned ep = 1; ep < 16; ++ep) {
          Endpoint& e = slot.eps[2 * ep + 1];
          if (!(eps >> ep & 1) || !e.waiting || e.state != kEpRunning || !running()) continue;
          e.waiting = false;
          run_endpoint(s, 2 * ep + 1);
        }
      }
    }
  }
}

void Xhci::interrupt_mode_changed() {
  Locked lock(*this);
  for (unsigned v = 0; v < num_interrupters_; ++v)
    signal(v);
  update_pin();
}

}  // namespace vmapple::usb
