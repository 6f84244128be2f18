// The command ring (xHCI 4.6): slot and endpoint commands, completed
// synchronously, each with a Command Completion event on interrupter 0.
#include <algorithm>

#include "hw/usb/xhci/xhci.h"
#include "hw/usb/xhci/xhci_internal.h"

namespace vmapple::usb {

using namespace xhci;

namespace {

constexpr uint64_t input_slot(uint64_t input) {
  return input + kContextSize;
}
constexpr uint64_t input_endpoint(uint64_t input, unsigned dci) {
  return input + kContextSize * (1 + dci);
}

}  // namespace

void Xhci::run_command_ring() {
  for (unsigned n = 0; n < kMaxCommandsPerRun; ++n) {
    if (!running() || !crr_) return;
    TrbRing::Fetch f = command_ring_.next(memory_);
    switch (f.status) {
      case TrbRing::Status::kEmpty:
        return;
      case TrbRing::Status::kBadAddress:
        return host_system_error("command ring", f.address);
      case TrbRing::Status::kLinkLoop:
        guest_error(kName, "command ring: Link TRB loop at {:#x}; ring stopped", f.address);
        crr_ = false;
        return post_event(0, make_event(kTrbCommandCompletionEvent, f.address, kCcTrbError));
      case TrbRing::Status::kTrb:
        execute_command(f);
        break;
    }
  }
  defer(0, 0);
}

void Xhci::stop_command_ring() {
  VMAPPLE_TRACE(kTrace, "command ring stopped at {:#x}", command_ring_.dequeue());
  crr_ = false;
  crcr_pointer_written_ = false;
  post_event(
      0, make_event(kTrbCommandCompletionEvent, command_ring_.dequeue(), kCcCommandRingStopped));
}

void Xhci::execute_command(const TrbRing::Fetch& f) {
  const Trb& trb = f.trb;
  unsigned slot_id = trb.slot_id();
  uint8_t code;
  switch (trb.type()) {
    case kTrbEnableSlot:
      code = enable_slot(slot_id);
      break;
    case kTrbDisableSlot:
      code = disable_slot(slot_id);
      break;
    case kTrbAddressDevice:
      code = address_device(trb);
      break;
    case kTrbConfigureEndpoint:
      code = configure_endpoint(trb);
      break;
    case kTrbEvaluateContext:
      code = evaluate_context(trb);
      break;
    case kTrbResetEndpoint:
      code = reset_endpoint(trb);
      break;
    case kTrbStopEndpoint:
      code = stop_endpoint(trb);
      break;
    case kTrbSetTrDequeue:
      code = set_tr_dequeue(trb);
      break;
    case kTrbResetDevice:
      code = reset_device(trb);
      break;
    case kTrbNoOpCommand:
      code = kCcSuccess;
      slot_id = 0;
      break;
    default:
      guest_error(kName, "command TRB type {} at {:#x} is not a command", trb.type(), f.address);
      code = kCcTrbError;
      slot_id = 0;
  }
  if (usbsts_ & kStsHse) return;  // a DMA failure halted the controller
  VMAPPLE_TRACE(kTrace, "command {} slot {} -> code {}", trb.type(), slot_id, code);
  post_event(0, make_event(kTrbCommandCompletionEvent, f.address, code, 0, slot_id));
}

Xhci::Slot* Xhci::enabled_slot(unsigned slot_id) {
  if (slot_id < 1 || slot_id > kMaxSlots || !slots_[slot_id].enabled) return nullptr;
  return &slots_[slot_id];
}

bool Xhci::read_context(uint64_t address, uint32_t (&dw)[8]) {
  auto bytes = memory_.span_at(address, kContextSize);
  if (!bytes) {
    host_system_error("context", address);
    return false;
  }
  for (unsigned i = 0; i < 8; ++i)
    dw[i] = load_le<uint32_t>(bytes->data() + 4 * i);
  return true;
}

bool Xhci::write_context(uint64_t address, const uint32_t (&dw)[8]) {
  auto bytes = memory_.span_at(address, kContextSize);
  if (!bytes) {
    host_system_error("output context", address);
    return false;
  }
  for (unsigned i = 0; i < 8; ++i)
    store_le<uint32_t>(bytes->data() + 4 * i, dw[i]);
  return true;
}

bool Xhci::read_output_slot(Slot& slot, SlotContext& ctx) {
  return read_context(slot.output, ctx.dw);
}

bool Xhci::write_output_slot(Slot& slot, const SlotContext& ctx) {
  return write_context(slot.output, ctx.dw);
}

// Mirrors an endpoint's state and dequeue pointer into the output context.
bool Xhci::write_endpoint_state(Slot& slot, unsigned dci) {
  EndpointContext ctx;
  uint64_t at = slot.output + kContextSize * dci;
  if (!read_context(at, ctx.dw)) return false;
  const Endpoint& ep = slot.eps[dci];
  ctx.set_state(ep.state);
  if (ep.state != kEpDisabled) ctx.set_dequeue(ep.ring.dequeue(), ep.ring.cycle());
  return write_context(at, ctx.dw);
}

void Xhci::disable_endpoints(Slot& slot, unsigned from_dci) {
  for (unsigned dci = from_dci; dci <= kNumEndpoints; ++dci) {
    if (slot.eps[dci].state == kEpDisabled) continue;
    slot.eps[dci] = Endpoint();
    if (slot.output && !write_endpoint_state(slot, dci)) return;
  }
}

uint8_t Xhci::enable_slot(unsigned& slot_id) {
  unsigned limit = std::min<unsigned>(config_ & 0xFF, kMaxSlots);
  for (unsigned s = 1; s <= limit; ++s) {
    if (slots_[s].enabled) continue;
    slots_[s] = Slot();
    slots_[s].enabled = true;
    slot_id = s;
    return kCcSuccess;
  }
  slot_id = 0;
  return kCcNoSlotsAvailable;
}

uint8_t Xhci::disable_slot(unsigned slot_id) {
  Slot* slot = enabled_slot(slot_id);
  if (!slot) return kCcSlotNotEnabled;
  *slot = Slot();
  return kCcSuccess;
}

uint8_t Xhci::address_device(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  bool bsr = trb.bsr();
  if (slot->state > kSlotStateDefault || (bsr && slot->state == kSlotStateDefault))
    return kCcContextStateError;
  uint64_t input = trb.parameter & ~uint64_t{0xF};
  uint32_t icc[8];
  SlotContext in_slot;
  EndpointContext ep0;
  if (!read_context(input, icc) || !read_context(input_slot(input), in_slot.dw) ||
      !read_context(input_endpoint(input, 1), ep0.dw))
    return kCcSuccess;  // HSE: no completion
  if ((icc[1] & 3) != 3) return kCcParameterError;
  unsigned port = in_slot.root_port();
  if (port < 1 || port > kNumPorts || in_slot.route_string() != 0 || ep0.type() != kEpTypeControl)
    return kCcParameterError;
  auto dcbaa = memory_.read_le<uint64_t>(dcbaap_ + 8ull * trb.slot_id());
  if (!dcbaa) {
    host_system_error("device context base address array", dcbaap_);
    return kCcSuccess;
  }
  Port& p = ports_[port];
  if (!p.device || !(p.portsc & kPortPed)) return kCcUsbTransactionError;
  unsigned address = bsr ? 0 : trb.slot_id();
  if (!bsr && !set_address(*p.device, address)) return kCcUsbTransactionError;
  slot->output = *dcbaa & ~uint64_t{0x3F};
  slot->port = port;
  slot->state = bsr ? kSlotStateDefault : kSlotStateAddressed;
  in_slot.set_state(slot->state, address);
  install_ep0(*slot, ep0);
  if (write_output_slot(*slot, in_slot)) write_context(slot->output + kContextSize, ep0.dw);
  return kCcSuccess;
}

// The controller's SET_ADDRESS for Address Device with BSR = 0.
bool Xhci::set_address(UsbDevice& device, unsigned address) {
  SetupPacket request{0x00, 5, static_cast<uint16_t>(address), 0, 0};
  bool ok = device.control(request, {}).status == TransferStatus::kOk;
  VMAPPLE_TRACE(kTrace, "SET_ADDRESS {} to {}: {}", address, device.name(),
                ok ? "done" : "refused");
  return ok;
}

void Xhci::install_ep0(Slot& slot, EndpointContext& ep0) {
  Endpoint& e = slot.eps[1];
  e = Endpoint();
  e.state = kEpRunning;
  e.type = kEpTypeControl;
  e.ring = TrbRing(ep0.dequeue(), ep0.dcs());
  ep0.set_state(kEpRunning);
}

uint8_t Xhci::configure_endpoint(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  if (slot->state != kSlotStateAddressed && slot->state != kSlotStateConfigured)
    return kCcContextStateError;
  SlotContext out;
  if (!read_output_slot(*slot, out)) return kCcSuccess;
  if (trb.bsr()) {  // Deconfigure (DC)
    disable_endpoints(*slot, 2);
    finish_configure(*slot, out, 1);
    return kCcSuccess;
  }
  uint64_t input = trb.parameter & ~uint64_t{0xF};
  uint32_t icc[8];
  if (!read_context(input, icc)) return kCcSuccess;
  std::array<EndpointContext, 32> added{};
  uint8_t code = read_added_endpoints(input, icc[1], added);
  if (code == kCcInvalid) return kCcSuccess;  // HSE: no completion
  if (code != kCcSuccess) return code;
  if (!apply_endpoints(*slot, icc[0], icc[1], added)) return kCcSuccess;
  unsigned entries = 1;
  if (icc[1] & 1) {  // A0: the input slot context's Context Entries count
    SlotContext in_slot;
    if (!read_context(input_slot(input), in_slot.dw)) return kCcSuccess;
    entries = in_slot.context_entries();
  }
  finish_configure(*slot, out, entries);
  return kCcSuccess;
}

// Reads and checks every endpoint context to add before anything changes:
// Success, an error code, or kCcInvalid when a DMA failure halted the xHC.
uint8_t Xhci::read_added_endpoints(uint64_t input, uint32_t add,
                                   std::array<EndpointContext, 32>& added) {
  for (unsigned dci = 2; dci <= kNumEndpoints; ++dci) {
    if (!(add >> dci & 1)) continue;
    EndpointContext& c = added[dci];
    if (!read_context(input_endpoint(input, dci), c.dw)) return kCcInvalid;
    bool in = dci & 1;
    unsigned type = c.type();
    bool type_ok = type != 0 && type != kEpTypeControl && (type >= 4) == in;
    if (!type_ok || c.max_packet_size() == 0 || c.dequeue() == 0) return kCcParameterError;
    if (c.max_pstreams() != 0) return kCcResourceError;  // no streams
  }
  return kCcSuccess;
}

bool Xhci::apply_endpoints(Slot& slot, uint32_t drop, uint32_t add,
                           std::array<EndpointContext, 32>& added) {
  for (unsigned dci = 2; dci <= kNumEndpoints; ++dci) {
    if (!((drop | add) >> dci & 1)) continue;
    Endpoint& e = slot.eps[dci];
    e = Endpoint();
    if (!(add >> dci & 1)) {
      if (!write_endpoint_state(slot, dci)) return false;
      continue;
    }
    e.state = kEpRunning;
    e.type = added[dci].type();
    e.ring = TrbRing(added[dci].dequeue(), added[dci].dcs());
    added[dci].set_state(kEpRunning);
    if (!write_context(slot.output + kContextSize * dci, added[dci].dw)) return false;
  }
  return true;
}

// The slot is Configured while any endpoint besides EP0 is enabled; Context
// Entries covers the last enabled endpoint (or what software asked for).
void Xhci::finish_configure(Slot& slot, SlotContext& out, unsigned entries) {
  bool any = false;
  for (unsigned dci = 2; dci <= kNumEndpoints; ++dci) {
    if (slot.eps[dci].state == kEpDisabled) continue;
    any = true;
    entries = std::max(entries, dci);
  }
  slot.state = any ? kSlotStateConfigured : kSlotStateAddressed;
  out.set_context_entries(std::clamp(entries, 1u, kNumEndpoints));
  out.set_state(slot.state, out.dw[3] & 0xFF);
  write_output_slot(slot, out);
}

uint8_t Xhci::evaluate_context(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  if (slot->state == kSlotStateDisabled) return kCcContextStateError;
  uint64_t input = trb.parameter & ~uint64_t{0xF};
  uint32_t icc[8];
  if (!read_context(input, icc)) return kCcSuccess;
  if (icc[1] & 1) {  // slot: Max Exit Latency, Interrupter Target
    SlotContext in, out;
    if (!read_context(input_slot(input), in.dw) || !read_output_slot(*slot, out)) return kCcSuccess;
    out.dw[1] = (out.dw[1] & ~0xFFFFu) | (in.dw[1] & 0xFFFF);
    out.dw[2] = (out.dw[2] & 0x003F'FFFF) | (in.dw[2] & 0xFFC0'0000);
    if (!write_output_slot(*slot, out)) return kCcSuccess;
  }
  if (icc[1] & 2) {  // EP0: Max Packet Size
    EndpointContext in, out;
    uint64_t at = slot->output + kContextSize;
    if (!read_context(input_endpoint(input, 1), in.dw) || !read_context(at, out.dw))
      return kCcSuccess;
    out.dw[1] = (out.dw[1] & 0xFFFF) | (in.dw[1] & 0xFFFF'0000);
    write_context(at, out.dw);
  }
  return kCcSuccess;
}

uint8_t Xhci::reset_endpoint(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  unsigned dci = trb.endpoint_id();
  if (dci < 1) return kCcTrbError;
  Endpoint& ep = slot->eps[dci];
  if (ep.state != kEpHalted) return kCcContextStateError;
  ep.state = kEpStopped;
  ep.waiting = false;
  write_endpoint_state(*slot, dci);
  return kCcSuccess;
}

uint8_t Xhci::stop_endpoint(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  unsigned dci = trb.endpoint_id();
  if (dci < 1) return kCcTrbError;
  Endpoint& ep = slot->eps[dci];
  if (ep.state != kEpRunning) return kCcContextStateError;
  ep.state = kEpStopped;
  if (ep.waiting) {
    // The TD the device NAKed was in progress: it completes as Stopped.
    ep.waiting = false;
    Trb held;
    if (TrbRing::read_trb(memory_, ep.ring.dequeue(), held) && held.type() != kTrbLink)
      transfer_event(trb.slot_id(), dci, {ep.ring.dequeue(), held}, kCcStopped,
                     held.transfer_length());
  }
  write_endpoint_state(*slot, dci);
  return kCcSuccess;
}

uint8_t Xhci::set_tr_dequeue(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  unsigned dci = trb.endpoint_id();
  if (dci < 1) return kCcTrbError;
  Endpoint& ep = slot->eps[dci];
  if (ep.state != kEpStopped && ep.state != kEpError) return kCcContextStateError;
  uint64_t pointer = trb.parameter & ~uint64_t{0xF};
  if (pointer == 0) return kCcParameterError;
  ep.ring = TrbRing(pointer, trb.parameter & 1);
  write_endpoint_state(*slot, dci);
  return kCcSuccess;
}

uint8_t Xhci::reset_device(const Trb& trb) {
  Slot* slot = enabled_slot(trb.slot_id());
  if (!slot) return kCcSlotNotEnabled;
  if (slot->state != kSlotStateAddressed && slot->state != kSlotStateConfigured)
    return kCcContextStateError;
  SlotContext out;
  if (!read_output_slot(*slot, out)) return kCcSuccess;
  disable_endpoints(*slot, 2);
  slot->state = kSlotStateDefault;
  out.set_context_entries(1);
  out.set_state(kSlotStateDefault, 0);
  write_output_slot(*slot, out);
  return kCcSuccess;
}

}  // namespace vmapple::usb
