#pragma once
// A producer/consumer TRB ring as the xHC consumes it (xHCI 4.9.2): command
// and transfer rings. The ring is a value (dequeue pointer and consumer cycle
// state) so a caller can read ahead on a copy and commit by assignment.
// Link TRBs are followed transparently, toggling the cycle state when their
// Toggle Cycle flag is set; a run of Link TRBs longer than kMaxLinks is a
// loop the guest built and is reported instead of followed forever.
#include <cstdint>

#include "hw/usb/xhci/trb.h"
#include "memory/guest_memory.h"

namespace vmapple::usb::xhci {

class TrbRing {
 public:
  static constexpr unsigned kMaxLinks = 32;

  enum class Status : uint8_t {
    kTrb,         // `trb` at `address` was consumed
    kEmpty,       // the TRB at the dequeue pointer belongs to the producer
    kBadAddress,  // the dequeue pointer is not in guest RAM
    kLinkLoop,    // more than kMaxLinks Link TRBs in a row
  };
  struct Fetch {
    Status status = Status::kEmpty;
    Trb trb;
    uint64_t address = 0;
  };

  TrbRing() = default;
  TrbRing(uint64_t dequeue, bool cycle) : dequeue_(dequeue & ~uint64_t{0xF}), cycle_(cycle) {}

  uint64_t dequeue() const { return dequeue_; }
  bool cycle() const { return cycle_; }

  // The next TRB, advancing past it (and past any Link TRBs before it). On
  // any status other than kTrb the ring stays at the offending TRB.
  Fetch next(const GuestMemory& memory);

  // Reads one TRB without interpreting it.
  static bool read_trb(const GuestMemory& memory, uint64_t address, Trb& trb);

 private:
  uint64_t dequeue_ = 0;
  bool cycle_ = false;
};

}  // namespace vmapple::usb::xhci
