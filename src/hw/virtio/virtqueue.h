#pragma once
// The device side of a split virtqueue (virtio 1.2, section 2.7).
//
// setup() checks the three ring areas once (alignment, all inside guest RAM)
// and keeps their host addresses; guest RAM regions never move once the
// machine is built. pop() copies each descriptor once before using it, so a
// driver rewriting the table meanwhile cannot make the device read outside
// what it validated. Descriptor-table buffers themselves are returned as
// guest-physical ranges: the device maps them (GuestMemory::span_at) when it
// uses them.
//
// What breaks the queue (the device then sets DEVICE_NEEDS_RESET, as the
// specification asks of a device that meets a malformed ring): a ring outside
// RAM or misaligned, the available index moving by more than the queue size
// or past the buffers the device still holds, a head or next index out of
// range, a loop or a chain longer than the queue size, and indirect tables
// that are nested, empty, not a multiple of 16 bytes, outside RAM, combined
// with NEXT or used without VIRTIO_F_INDIRECT_DESC. A chain whose
// device-readable buffers follow device-writable ones is returned with
// `misordered` set: that is the request's problem, not the ring's.
//
// Not thread-safe: the device serialises calls with its own lock.
#include <cstdint>
#include <vector>

#include "hw/virtio/virtio_device.h"
#include "memory/guest_memory.h"

namespace vmapple::virtio {

// Descriptor flags (virtio 1.2, 2.7.5).
inline constexpr uint16_t kDescFNext = 1;
inline constexpr uint16_t kDescFWrite = 2;
inline constexpr uint16_t kDescFIndirect = 4;
// Ring flags (2.7.6, 2.7.8).
inline constexpr uint16_t kAvailFNoInterrupt = 1;
inline constexpr uint16_t kUsedFNoNotify = 1;

inline constexpr uint32_t kDescSize = 16;
inline constexpr uint32_t kUsedElemSize = 8;

// Bytes of each ring area for a queue of `size` entries, event fields included.
constexpr uint64_t desc_table_bytes(uint32_t size) {
  return uint64_t{kDescSize} * size;
}
constexpr uint64_t avail_ring_bytes(uint32_t size) {
  return 6 + 2ull * size;
}
constexpr uint64_t used_ring_bytes(uint32_t size) {
  return 6 + uint64_t{kUsedElemSize} * size;
}

struct ChainBuffer {
  uint64_t gpa;
  uint32_t len;
  bool writable;
};

struct Chain {
  uint16_t head = 0;
  std::vector<ChainBuffer> buffers;  // in chain order, zero-length ones dropped
  uint64_t readable_bytes = 0;
  uint64_t writable_bytes = 0;
  bool misordered = false;  // a device-readable buffer after a device-writable one
};

class Virtqueue {
 public:
  enum class Pop { kEmpty, kChain, kBroken };

  explicit Virtqueue(const GuestMemory& memory) : memory_(memory) {}

  // Takes the driver's layout. Returns false (and leaves the queue broken)
  // when the rings are not usable. A disabled or zero-size queue is inactive:
  // pop() reports it empty.
  bool setup(const QueueState& state, uint64_t features, uint16_t max_size);
  void disable() { clear(); }

  bool active() const { return active_; }
  bool broken() const { return broken_; }
  uint16_t size() const { return size_; }
  // Chains popped and not yet pushed back.
  uint16_t in_flight() const { return static_cast<uint16_t>(last_avail_ - used_idx_); }

  // The next available chain into `chain` (its vector is reused).
  Pop pop(Chain& chain);
  // Returns a chain to the driver with `len` bytes written, and publishes the
  // used index.
  void push(uint16_t head, uint32_t len);
  // After push(): whether the driver wants a used-buffer notification now
  // (VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX).
  bool should_notify();

  // Driver-to-device notification suppression around a burst of pop()s.
  // enable_notifications() returns true if more chains arrived meanwhile, in
  // which case the caller pops again rather than wait for a notification.
  void disable_notifications();
  bool enable_notifications();

 private:
  void clear();
  bool fail(const char* why, uint64_t a = 0, uint64_t b = 0);
  bool walk(uint16_t head, Chain& chain);
  uint16_t avail_idx() const;

  const GuestMemory& memory_;
  bool active_ = false;
  bool broken_ = false;
  bool event_idx_ = false;
  bool indirect_ = false;
  uint16_t size_ = 0;
  uint8_t* desc_ = nullptr;
  uint8_t* avail_ = nullptr;
  uint8_t* used_ = nullptr;
  uint16_t last_avail_ = 0;      // next available-ring slot to read
  uint16_t used_idx_ = 0;        // the device's copy of used->idx
  uint16_t signalled_used_ = 0;  // used_idx_ when should_notify() last decided
};

}  // namespace vmapple::virtio
