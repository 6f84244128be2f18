#include "hw/usb/xhci/event_ring.h"

#include <atomic>

#include "hw/usb/xhci/xhci_regs.h"

namespace vmapple::usb::xhci {

EventRing::Setup EventRing::setup(const GuestMemory& memory, uint32_t erstsz, uint64_t erstba) {
  reset();
  erstba &= kErstbaMask;
  if (erstsz == 0 || erstba == 0) return Setup::kDisabled;
  if (erstsz != 1) return Setup::kBadSize;
  auto base = memory.read_le<uint64_t>(erstba);
  auto size = memory.read_le<uint32_t>(erstba + 8);
  if (!base || !size) return Setup::kBadAddress;
  uint32_t trbs = *size & 0xFFFF;
  if (trbs < kMinSegmentTrbs || trbs > kMaxSegmentTrbs) return Setup::kBadSize;
  base_ = *base & ~uint64_t{0x3F};
  size_ = trbs;
  if (!memory.span_at(base_, uint64_t{size_} * kTrbSize)) {
    reset();
    return Setup::kBadAddress;
  }
  return Setup::kOk;
}

bool EventRing::dequeue_index(uint64_t erdp, uint32_t& index) const {
  uint64_t pointer = erdp & kErdpPointerMask;
  if (pointer < base_ || pointer - base_ >= uint64_t{size_} * kTrbSize) return false;
  index = static_cast<uint32_t>((pointer - base_) / kTrbSize);
  return true;
}

bool EventRing::has_events(uint64_t erdp) const {
  uint32_t dequeue;
  return enabled() && dequeue_index(erdp, dequeue) && dequeue != enqueue_;
}

bool EventRing::put(const GuestMemory& memory, const Trb& event) {
  uint64_t at = enqueue_pointer();
  // The cycle bit goes in last: the consumer owns the TRB once it matches.
  uint32_t control = (event.control & ~1u) | (cycle_ ? 1u : 0u);
  if (!memory.write_le<uint64_t>(at, event.parameter) ||
      !memory.write_le<uint32_t>(at + 8, event.status))
    return false;
  // A vCPU polling the ring must see the whole TRB once it sees the cycle bit.
  std::atomic_thread_fence(std::memory_order_release);
  if (!memory.write_le<uint32_t>(at + 12, control)) return false;
  if (++enqueue_ == size_) {
    enqueue_ = 0;
    cycle_ = !cycle_;
  }
  return true;
}

EventRing::Result EventRing::write(const GuestMemory& memory, const Trb& event, uint64_t erdp) {
  if (!enabled()) return Result::kDisabled;
  uint32_t dequeue;
  if (!dequeue_index(erdp, dequeue)) return Result::kBadDequeue;
  if ((enqueue_ + 1) % size_ == dequeue) return Result::kDropped;
  if ((enqueue_ + 2) % size_ == dequeue) {
    Trb full = make_event(kTrbHostControllerEvent, 0, kCcEventRingFull);
    return put(memory, full) ? Result::kFullWritten : Result::kBadAddress;
  }
  return put(memory, event) ? Result::kWritten : Result::kBadAddress;
}

}  // namespace vmapple::usb::xhci
