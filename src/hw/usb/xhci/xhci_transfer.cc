// Transfer rings (xHCI 4.10, 4.11): a TD at a time, control transfers as
// Setup/Data/Status stages, interrupt and bulk transfers as chains of Normal
// TRBs, with short packets, Event Data TRBs and IOC/ISP events.
#include <algorithm>

#include "hw/usb/xhci/xhci.h"
#include "hw/usb/xhci/xhci_internal.h"

namespace vmapple::usb {

using namespace xhci;

namespace {

bool carries_data(const Trb& trb) {
  return trb.type() == kTrbNormal || trb.type() == kTrbDataStage;
}

uint64_t data_length(const std::vector<Xhci::TdTrb>& td, size_t first, size_t end) {
  uint64_t total = 0;
  for (size_t i = first; i < end; ++i)
    if (carries_data(td[i].trb)) total += td[i].trb.transfer_length();
  return total;
}

// Which TRB types may appear at position `index` of a TD.
bool allowed_in_td(bool control, size_t index, bool has_data_stage, unsigned type) {
  if (type == kTrbNoOp) return index > 0 || !control;
  if (!control) return type == kTrbNormal || type == kTrbEventData;
  if (index == 0) return type == kTrbSetupStage;
  if (type == kTrbDataStage) return index == 1;
  if (type == kTrbNormal) return has_data_stage;
  return type == kTrbEventData || type == kTrbStatusStage;
}

SetupPacket decode_setup(uint64_t p) {
  return {static_cast<uint8_t>(p), static_cast<uint8_t>(p >> 8), static_cast<uint16_t>(p >> 16),
          static_cast<uint16_t>(p >> 32), static_cast<uint16_t>(p >> 48)};
}

}  // namespace

UsbDevice* Xhci::device_of(const Slot& slot) const {
  const Port& p = ports_[slot.port <= kNumPorts ? slot.port : 0];
  return p.device && (p.portsc & kPortPed) ? p.device : nullptr;
}

void Xhci::run_endpoint(unsigned slot_id, unsigned dci) {
  for (unsigned n = 0; n < kMaxTdsPerRun; ++n) {
    const Slot& slot = slots_[slot_id];
    const Endpoint& ep = slot.eps[dci];
    if (!running() || !slot.enabled || ep.state != kEpRunning || ep.waiting) return;
    if (run_td(slot_id, dci) != Td::kDone) return;
  }
  defer(slot_id, dci);
}

Xhci::Td Xhci::run_td(unsigned slot_id, unsigned dci) {
  std::vector<TdTrb> td;
  TrbRing ring = slots_[slot_id].eps[dci].ring;
  Td outcome = Td::kIdle;
  if (!gather_td(slot_id, dci, td, ring, outcome)) return outcome;
  Td r = slots_[slot_id].eps[dci].type == kEpTypeControl ? run_control(slot_id, td)
                                                         : run_normal(slot_id, dci, td);
  if (r == Td::kDone) slots_[slot_id].eps[dci].ring = ring;
  return r;
}

// Reads one whole TD ahead on a copy of the ring; false (with `outcome`)
// when it is not completely posted yet or is malformed.
bool Xhci::gather_td(unsigned slot_id, unsigned dci, std::vector<TdTrb>& td, TrbRing& ring,
                     Td& outcome) {
  bool control = slots_[slot_id].eps[dci].type == kEpTypeControl;
  for (;;) {
    TrbRing::Fetch f = ring.next(memory_);
    switch (f.status) {
      case TrbRing::Status::kEmpty:
        outcome = Td::kIdle;
        return false;
      case TrbRing::Status::kBadAddress:
        host_system_error("transfer ring", f.address);
        outcome = Td::kHalted;
        return false;
      case TrbRing::Status::kLinkLoop:
        guest_error(kName, "slot {} endpoint {}: Link TRB loop at {:#x}", slot_id, dci, f.address);
        outcome = fail_td(slot_id, dci, {f.address, f.trb}, kCcTrbError);
        return false;
      case TrbRing::Status::kTrb:
        break;
    }
    td.push_back({f.address, f.trb});
    bool has_data_stage = td.size() > 1 && td[1].trb.type() == kTrbDataStage;
    if (!allowed_in_td(control, td.size() - 1, has_data_stage, f.trb.type()) ||
        td.size() > kMaxTdTrbs) {
      guest_error(kName, "slot {} endpoint {}: TRB type {} at {:#x} does not belong in this TD",
                  slot_id, dci, f.trb.type(), f.address);
      outcome = fail_td(slot_id, dci, td.back(), kCcTrbError);
      return false;
    }
    if (control ? f.trb.type() == kTrbStatusStage : !f.trb.chain()) return true;
  }
}

Xhci::Td Xhci::fail_td(unsigned slot_id, unsigned dci, const TdTrb& at, uint8_t code) {
  Slot& slot = slots_[slot_id];
  VMAPPLE_TRACE(kTrace, "slot {} endpoint {}: halted with code {} at {:#x}", slot_id, dci, code,
                at.address);
  slot.eps[dci].state = kEpHalted;
  transfer_event(slot_id, dci, at, code, at.trb.transfer_length());
  write_endpoint_state(slot, dci);
  return Td::kHalted;
}

void Xhci::transfer_event(unsigned slot_id, unsigned dci, const TdTrb& t, uint8_t code,
                          uint32_t length, bool event_data) {
  uint64_t parameter = event_data ? t.trb.parameter : t.address;
  uint32_t flags = dci << 16 | (event_data ? kEventDataFlag : 0);
  post_event(t.trb.interrupter_target(),
             make_event(kTrbTransferEvent, parameter, code, length, slot_id, flags));
}

Xhci::Td Xhci::run_control(unsigned slot_id, const std::vector<TdTrb>& td) {
  const Trb& setup_trb = td[0].trb;
  if (!setup_trb.idt() || setup_trb.transfer_length() != 8) {
    guest_error(kName, "slot {}: Setup Stage TRB without its 8 immediate bytes", slot_id);
    return fail_td(slot_id, 1, td[0], kCcTrbError);
  }
  SetupPacket setup = decode_setup(setup_trb.parameter);
  const size_t status = td.size() - 1;
  const bool has_data = status > 1 && td[1].trb.type() == kTrbDataStage;
  const bool in = setup.device_to_host();
  if (has_data && td[1].trb.dir_in() != in) {
    guest_error(kName, "slot {}: Data Stage direction contradicts the SETUP packet", slot_id);
    return fail_td(slot_id, 1, td[1], kCcTrbError);
  }
  const TdTrb& data_or_status = td[has_data ? 1 : status];
  uint64_t length = has_data ? data_length(td, 1, status) : 0;
  UsbDevice* device = device_of(slots_[slot_id]);
  if (!device) return fail_td(slot_id, 1, data_or_status, kCcUsbTransactionError);
  std::vector<uint8_t> buffer(std::min<uint64_t>(setup.wLength, length));
  if (!in && !copy_out(td, 1, status, buffer)) return Td::kHalted;
  VMAPPLE_TRACE(kTrace, "slot {}: control {:#04x} {:#04x} value {:#x} index {:#x} length {}",
                slot_id, setup.bmRequestType, setup.bRequest, setup.wValue, setup.wIndex,
                setup.wLength);
  TransferResult r = device->control(setup, buffer);
  if (r.status == TransferStatus::kNak) {
    slots_[slot_id].eps[1].waiting = true;
    return Td::kIdle;
  }
  if (r.status != TransferStatus::kOk)
    return fail_td(slot_id, 1, data_or_status,
                   r.status == TransferStatus::kStall ? kCcStallError : kCcBabbleDetected);
  size_t moved = std::min(r.length, buffer.size());
  if (in && !copy_in(td, 1, status, {buffer.data(), moved})) return Td::kHalted;
  if (setup_trb.ioc()) transfer_event(slot_id, 1, td[0], kCcSuccess, 0);
  report(slot_id, 1, td, 1, status, moved);
  if (td[status].trb.ioc()) transfer_event(slot_id, 1, td[status], kCcSuccess, 0);
  return Td::kDone;
}

Xhci::Td Xhci::run_normal(unsigned slot_id, unsigned dci, const std::vector<TdTrb>& td) {
  const bool in = dci & 1;
  uint64_t length = data_length(td, 0, td.size());
  if (length > kMaxTdBytes) {
    guest_error(kName, "slot {} endpoint {}: TD of {} bytes is over the limit", slot_id, dci,
                length);
    return fail_td(slot_id, dci, td[0], kCcTrbError);
  }
  size_t moved = 0;
  if (std::any_of(td.begin(), td.end(), [](const TdTrb& t) { return carries_data(t.trb); })) {
    UsbDevice* device = device_of(slots_[slot_id]);
    if (!device) return fail_td(slot_id, dci, td[0], kCcUsbTransactionError);
    std::vector<uint8_t> buffer(length);
    if (!in && !copy_out(td, 0, td.size(), buffer)) return Td::kHalted;
    TransferResult r = device->transfer(static_cast<uint8_t>(dci / 2), in, buffer);
    if (r.status == TransferStatus::kNak) {
      slots_[slot_id].eps[dci].waiting = true;
      return Td::kIdle;
    }
    if (r.status != TransferStatus::kOk)
      return fail_td(slot_id, dci, td[0],
                     r.status == TransferStatus::kStall ? kCcStallError : kCcBabbleDetected);
    moved = std::min(r.length, buffer.size());
    if (in && !copy_in(td, 0, td.size(), {buffer.data(), moved})) return Td::kHalted;
  }
  report(slot_id, dci, td, 0, td.size(), moved);
  return Td::kDone;
}

// Gathers OUT data from the TD's buffers (or immediate data) into `buf`.
bool Xhci::copy_out(const std::vector<TdTrb>& td, size_t first, size_t end,
                    std::vector<uint8_t>& buf) {
  size_t at = 0;
  for (size_t i = first; i < end && at < buf.size(); ++i) {
    const Trb& trb = td[i].trb;
    if (!carries_data(trb)) continue;
    size_t n = std::min<size_t>(trb.transfer_length(), buf.size() - at);
    if (trb.idt()) {
      uint8_t immediate[8];
      store_le<uint64_t>(immediate, trb.parameter);
      std::copy_n(immediate, std::min<size_t>(n, 8), buf.begin() + static_cast<ptrdiff_t>(at));
    } else if (n && !memory_.read(trb.parameter, {buf.data() + at, n})) {
      host_system_error("transfer buffer", trb.parameter);
      return false;
    }
    at += n;
  }
  return true;
}

// Scatters IN data over the TD's buffers.
bool Xhci::copy_in(const std::vector<TdTrb>& td, size_t first, size_t end,
                   std::span<const uint8_t> data) {
  size_t at = 0;
  for (size_t i = first; i < end && at < data.size(); ++i) {
    const Trb& trb = td[i].trb;
    if (!carries_data(trb)) continue;
    size_t n = std::min<size_t>(trb.transfer_length(), data.size() - at);
    if (!trb.idt() && n && !memory_.write(trb.parameter, data.subspan(at, n))) {
      host_system_error("transfer buffer", trb.parameter);
      return false;
    }
    at += n;
  }
  return true;
}

// Transfer events for TRBs [first, end) after `transferred` bytes moved
// (xHCI 4.10.1.1): IOC TRBs report, a short packet ends the TD with an
// event on the short TRB (ISP or IOC) and one on the TD's last TRB (IOC).
void Xhci::report(unsigned slot_id, unsigned dci, const std::vector<TdTrb>& td, size_t first,
                  size_t end, size_t transferred) {
  size_t left = transferred;
  uint32_t edtla = 0;
  for (size_t i = first; i < end; ++i) {
    const TdTrb& t = td[i];
    if (t.trb.type() == kTrbEventData) {
      if (t.trb.ioc()) transfer_event(slot_id, dci, t, kCcSuccess, edtla, true);
      edtla = 0;
      continue;
    }
    if (!carries_data(t.trb)) {
      if (t.trb.ioc()) transfer_event(slot_id, dci, t, kCcSuccess, 0);
      continue;
    }
    uint32_t length = t.trb.transfer_length();
    uint32_t chunk = static_cast<uint32_t>(std::min<size_t>(length, left));
    left -= chunk;
    edtla += chunk;
    if (chunk == length) {
      if (t.trb.ioc()) transfer_event(slot_id, dci, t, kCcSuccess, 0);
      continue;
    }
    if (t.trb.isp() || t.trb.ioc()) transfer_event(slot_id, dci, t, kCcShortPacket, length - chunk);
    const TdTrb& last = td[end - 1];
    if (end - 1 > i && last.trb.ioc()) {
      bool ed = last.trb.type() == kTrbEventData;
      transfer_event(slot_id, dci, last, kCcShortPacket,
                     ed ? edtla : (carries_data(last.trb) ? last.trb.transfer_length() : 0), ed);
    }
    return;
  }
}

}  // namespace vmapple::usb
