#include "hw/usb/xhci/ring.h"

namespace vmapple::usb::xhci {

bool TrbRing::read_trb(const GuestMemory& memory, uint64_t address, Trb& trb) {
  auto bytes = memory.span_at(address, kTrbSize);
  if (!bytes) return false;
  const uint8_t* p = bytes->data();
  trb.parameter = load_le<uint64_t>(p);
  trb.status = load_le<uint32_t>(p + 8);
  trb.control = load_le<uint32_t>(p + 12);
  return true;
}

TrbRing::Fetch TrbRing::next(const GuestMemory& memory) {
  Fetch f;
  for (unsigned links = 0;; ++links) {
    f.address = dequeue_;
    if (links > kMaxLinks) {
      f.status = Status::kLinkLoop;
      return f;
    }
    if (!read_trb(memory, dequeue_, f.trb)) {
      f.status = Status::kBadAddress;
      return f;
    }
    if (f.trb.cycle() != cycle_) {
      f.status = Status::kEmpty;
      return f;
    }
    if (f.trb.type() != kTrbLink) break;
    dequeue_ = f.trb.parameter & ~uint64_t{0xF};
    if (f.trb.toggle_cycle()) cycle_ = !cycle_;
  }
  dequeue_ += kTrbSize;
  f.status = Status::kTrb;
  return f;
}

}  // namespace vmapple::usb::xhci
