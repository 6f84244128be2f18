// Root hub ports (xHCI 4.19, 5.4.8): connection, reset, link state and the
// change bits with their Port Status Change events.
#include "hw/usb/xhci/xhci.h"
#include "hw/usb/xhci/xhci_internal.h"

namespace vmapple::usb {

using namespace xhci;

namespace {

uint32_t speed_id(Speed speed) {
  switch (speed) {
    case Speed::kLow:
      return kSpeedLow;
    case Speed::kFull:
      return kSpeedFull;
    case Speed::kHigh:
      return kSpeedHigh;
    case Speed::kSuper:
      return kSpeedSuper;
  }
  return 0;
}

uint32_t with_pls(uint32_t portsc, uint32_t pls) {
  return (portsc & ~kPortPlsMask) | pls << kPortPlsShift;
}

}  // namespace

// The connection state of a port after (dis)connect or controller reset:
// SuperSpeed links train by themselves and come up enabled in U0; a USB 2
// port waits for the driver's port reset (Polling).
void Xhci::connect_port(Port& p) {
  uint32_t keep = p.portsc & (kPortWritable & ~kPortPp);
  p.portsc = keep | kPortPp;
  if (!p.device) {
    p.portsc = with_pls(p.portsc, kPlsRxDetect);
    return;
  }
  p.portsc |= kPortCcs | speed_id(p.device->speed()) << kPortSpeedShift;
  if (p.usb3)
    p.portsc = with_pls(p.portsc | kPortPed, kPlsU0);
  else
    p.portsc = with_pls(p.portsc, kPlsPolling);
}

uint32_t Xhci::read_port(unsigned port, unsigned reg) const {
  const Port& p = ports_[port];
  switch (reg) {
    case kPortSc:
      return p.portsc;
    case kPortPmsc:
      return p.pmsc;
    default:
      return 0;  // PORTLI, PORTHLPMC: no link errors, no hardware LPM
  }
}

void Xhci::write_port(unsigned port, unsigned reg, uint32_t value) {
  Port& p = ports_[port];
  if (reg == kPortSc) return write_portsc(p, port, value);
  if (reg == kPortPmsc) p.pmsc = value & (p.usb3 ? kPortPmscUsb3Mask : kPortPmscUsb2Mask);
}

void Xhci::write_portsc(Port& p, unsigned port, uint32_t value) {
  p.portsc &= ~(value & kPortChangeBits);
  // PP is read-only 1: HCCPARAMS1.PPC = 0 (no port power switches).
  p.portsc = (p.portsc & ~(kPortWritable & ~kPortPp)) | (value & kPortWritable & ~kPortPp);
  if ((value & kPortPed) && (p.portsc & kPortPed)) {
    VMAPPLE_TRACE(kTrace, "port {} disabled by software", port);
    p.portsc &= ~kPortPed;
    if (!p.usb3) p.portsc = with_pls(p.portsc, kPlsPolling);
  }
  if (value & kPortLws) write_link_state(p, port, (value & kPortPlsMask) >> kPortPlsShift);
  if (p.usb3 && (value & kPortWpr))
    reset_port(p, port, true);
  else if (value & kPortPr)
    reset_port(p, port, false);
}

void Xhci::write_link_state(Port& p, unsigned port, uint32_t pls) {
  uint32_t old = (p.portsc & kPortPlsMask) >> kPortPlsShift;
  if (!(p.portsc & kPortPed)) {
    guest_error(kName, "port {}: link state {} written while the port is disabled", port, pls);
    return;
  }
  switch (pls) {
    case kPlsU0:
      if (old == kPlsU0) return;
      p.portsc = with_pls(p.portsc, kPlsU0);
      return port_change(port, kPortPlc);
    case kPlsU3:
      p.portsc = with_pls(p.portsc, kPlsU3);
      return;
    case kPlsResume:
      if (old != kPlsU3) return;
      // The resume signalling completes at once: U0 and a link change.
      p.portsc = with_pls(p.portsc, kPlsU0);
      return port_change(port, kPortPlc);
    default:
      guest_error(kName, "port {}: link state {} cannot be written", port, pls);
  }
}

// Port (or warm) reset completes at once: the device goes to its default
// state and the port is enabled in U0.
void Xhci::reset_port(Port& p, unsigned port, bool warm) {
  if (!(p.portsc & kPortCcs)) {
    VMAPPLE_TRACE(kTrace, "port {}: reset with nothing connected", port);
    return;
  }
  VMAPPLE_TRACE(kTrace, "port {}: {}reset", port, warm ? "warm " : "");
  p.device->bus_reset();
  p.portsc &= ~kPortPr;
  p.portsc = with_pls(p.portsc | kPortPed, kPlsU0);
  port_change(port, kPortPrc | (warm ? kPortWrc : 0));
}

// Sets change bits; a bit that goes from 0 to 1 while the controller runs
// raises a Port Status Change event on interrupter 0 (xHCI 4.19.2).
void Xhci::port_change(unsigned port, uint32_t bits) {
  Port& p = ports_[port];
  uint32_t fresh = bits & ~p.portsc;
  p.portsc |= bits;
  if (!fresh || !running()) return;
  usbsts_ |= kStsPcd;
  VMAPPLE_TRACE(kTrace, "port {} status change {:#x}", port, p.portsc);
  post_event(0, make_event(kTrbPortStatusChangeEvent, uint64_t{port} << 24, kCcSuccess));
}

}  // namespace vmapple::usb
