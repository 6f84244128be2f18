#pragma once
// The producer side of one interrupter's event ring (xHCI 4.9.4) with the
// controller's limits (vmapple spec 8.2): a single segment of 16..4096 TRBs,
// the cycle bit toggled on every wrap, and the space check before each event:
// when the enqueue index plus 2 reaches the dequeue index an Event Ring Full
// Host Controller Event is written in its place, when plus 1 reaches it the
// event is dropped.
#include <cstdint>

#include "hw/usb/xhci/trb.h"
#include "memory/guest_memory.h"

namespace vmapple::usb::xhci {

class EventRing {
 public:
  enum class Setup : uint8_t { kOk, kDisabled, kBadSize, kBadAddress };
  enum class Result : uint8_t {
    kWritten,
    kFullWritten,  // the Event Ring Full event went in instead
    kDropped,      // no room at all
    kBadDequeue,   // ERDP outside the segment (Host Controller Error)
    kBadAddress,   // the segment is not in guest RAM
    kDisabled,     // no ring programmed
  };

  // Reads the Event Ring Segment Table: ERSTSZ 0 or ERSTBA 0 leaves the ring
  // disabled; anything but one segment of 16..4096 TRBs is an error.
  Setup setup(const GuestMemory& memory, uint32_t erstsz, uint64_t erstba);
  void reset() { *this = EventRing(); }

  Result write(const GuestMemory& memory, const Trb& event, uint64_t erdp);
  // Whether events lie between the dequeue pointer and the enqueue pointer.
  bool has_events(uint64_t erdp) const;

  bool enabled() const { return size_ != 0; }
  uint64_t enqueue_pointer() const { return base_ + uint64_t{enqueue_} * kTrbSize; }
  bool cycle() const { return cycle_; }

 private:
  bool dequeue_index(uint64_t erdp, uint32_t& index) const;
  bool put(const GuestMemory& memory, const Trb& event);

  uint64_t base_ = 0;
  uint32_t size_ = 0;  // TRBs in the segment; 0 = disabled
  uint32_t enqueue_ = 0;
  bool cycle_ = true;
};

}  // namespace vmapple::usb::xhci
