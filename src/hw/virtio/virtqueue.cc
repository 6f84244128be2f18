#include "hw/virtio/virtqueue.h"

#include <atomic>
#include <bit>

#include "base/bits.h"
#include "base/log.h"

namespace vmapple::virtio {
namespace {

// Ring fields the driver and device share are accessed atomically: the index
// stores publish the entries written before them (virtio 1.2, 2.7.13.3).
uint16_t load_acquire16(const uint8_t* p) {
  return std::atomic_ref<uint16_t>(*reinterpret_cast<uint16_t*>(const_cast<uint8_t*>(p)))
      .load(std::memory_order_acquire);
}
void store_release16(uint8_t* p, uint16_t v) {
  std::atomic_ref<uint16_t>(*reinterpret_cast<uint16_t*>(p)).store(v, std::memory_order_release);
}

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};

Desc load_desc(const uint8_t* table, uint32_t index) {
  const uint8_t* p = table + uint64_t{index} * kDescSize;
  return {load_le<uint64_t>(p), load_le<uint32_t>(p + 8), load_le<uint16_t>(p + 12),
          load_le<uint16_t>(p + 14)};
}

}  // namespace

bool Virtqueue::fail(const char* why, uint64_t a, uint64_t b) {
  guest_error("virtqueue", "{} ({:#x}, {:#x}); the queue needs a reset", why, a, b);
  broken_ = true;
  return false;
}

bool Virtqueue::setup(const QueueState& state, uint64_t features, uint16_t max_size) {
  clear();
  if (!state.enabled || state.size == 0) return true;
  if (state.size > max_size || !std::has_single_bit(state.size))
    return fail("queue size is not a power of two within the maximum", state.size, max_size);
  if (state.desc % 16 || state.driver % 2 || state.device % 4)
    return fail("misaligned ring", state.desc, state.device);
  auto desc = memory_.span_at(state.desc, desc_table_bytes(state.size));
  auto avail = memory_.span_at(state.driver, avail_ring_bytes(state.size));
  auto used = memory_.span_at(state.device, used_ring_bytes(state.size));
  if (!desc || !avail || !used) return fail("ring outside RAM", state.desc, state.driver);
  desc_ = desc->data();
  avail_ = avail->data();
  used_ = used->data();
  size_ = state.size;
  event_idx_ = features & kFRingEventIdx;
  indirect_ = features & kFRingIndirectDesc;
  active_ = true;
  return true;
}

void Virtqueue::clear() {
  active_ = broken_ = event_idx_ = indirect_ = false;
  size_ = 0;
  desc_ = avail_ = used_ = nullptr;
  last_avail_ = used_idx_ = signalled_used_ = 0;
}

uint16_t Virtqueue::avail_idx() const {
  return load_acquire16(avail_ + 2);
}

Virtqueue::Pop Virtqueue::pop(Chain& chain) {
  if (broken_) return Pop::kBroken;
  if (!active_) return Pop::kEmpty;
  uint16_t idx = avail_idx();
  if (idx == last_avail_) return Pop::kEmpty;
  // A driver can never have more chains outstanding than descriptors.
  if (static_cast<uint16_t>(idx - used_idx_) > size_) {
    fail("available index ran ahead of the queue", idx, used_idx_);
    return Pop::kBroken;
  }
  uint16_t head = load_le<uint16_t>(avail_ + 4 + 2u * (last_avail_ % size_));
  ++last_avail_;
  if (!walk(head, chain)) return Pop::kBroken;
  return Pop::kChain;
}

bool Virtqueue::walk(uint16_t head, Chain& chain) {
  chain.head = head;
  chain.buffers.clear();
  chain.readable_bytes = 0;
  chain.writable_bytes = 0;
  chain.misordered = false;

  const uint8_t* table = desc_;
  uint32_t table_entries = size_;
  bool in_indirect = false;
  uint32_t index = head;
  uint32_t count = 0;  // buffers visited; a legal chain has at most size_
  for (;;) {
    if (index >= table_entries) return fail("descriptor index out of range", index, table_entries);
    Desc d = load_desc(table, index);
    if (d.flags & kDescFIndirect) {
      if (!indirect_) return fail("indirect descriptor without INDIRECT_DESC", index);
      if (in_indirect) return fail("nested indirect table", d.addr);
      if (d.flags & kDescFNext) return fail("indirect descriptor with NEXT", index);
      if (d.len == 0 || d.len % kDescSize) return fail("bad indirect table length", d.len);
      auto span = memory_.span_at(d.addr, d.len);
      if (!span) return fail("indirect table outside RAM", d.addr, d.len);
      table = span->data();
      table_entries = d.len / kDescSize;
      in_indirect = true;
      index = 0;
      continue;
    }
    if (++count > size_) return fail("descriptor loop or chain longer than the queue", head);
    bool writable = d.flags & kDescFWrite;
    if (writable) {
      chain.writable_bytes += d.len;
    } else {
      chain.readable_bytes += d.len;
      if (chain.writable_bytes > 0) chain.misordered = true;
    }
    if (d.len > 0) chain.buffers.push_back({d.addr, d.len, writable});
    if (!(d.flags & kDescFNext)) return true;
    index = d.next;
  }
}

void Virtqueue::push(uint16_t head, uint32_t len) {
  if (!active_) return;
  uint8_t* elem = used_ + 4 + uint64_t{kUsedElemSize} * (used_idx_ % size_);
  store_le<uint32_t>(elem, head);
  store_le<uint32_t>(elem + 4, len);
  ++used_idx_;
  store_release16(used_ + 2, used_idx_);
}

bool Virtqueue::should_notify() {
  if (!active_) return false;
  // The used index store must be visible before the driver's flags or event
  // index are read, or a driver that just re-enabled interrupts is missed.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!event_idx_) return !(load_acquire16(avail_) & kAvailFNoInterrupt);
  uint16_t used_event = load_acquire16(avail_ + 4 + 2u * size_);
  uint16_t old_idx = signalled_used_;
  signalled_used_ = used_idx_;
  // Notify when used_event lies in [old_idx, used_idx_) (virtio 1.2, 2.7.10).
  return static_cast<uint16_t>(used_idx_ - used_event - 1) <
         static_cast<uint16_t>(used_idx_ - old_idx);
}

void Virtqueue::disable_notifications() {
  if (!active_ || event_idx_) return;  // with EVENT_IDX, avail_event already says it
  store_release16(used_, kUsedFNoNotify);
}

bool Virtqueue::enable_notifications() {
  if (!active_ || broken_) return false;
  if (event_idx_)
    store_release16(used_ + 4 + uint64_t{kUsedElemSize} * size_, last_avail_);
  else
    store_release16(used_, 0);
  // Our store must be visible before we look at the available index again,
  // or a chain added in between would wait for a notification never sent.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return avail_idx() != last_avail_;
}

}  // namespace vmapple::virtio
