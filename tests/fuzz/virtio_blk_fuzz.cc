// Fuzzes the virtqueue and the virtio-blk request parser: random descriptor
// tables and rings in a small guest RAM, well-formed and random requests,
// and backend completions in random order, with resets in between.
//
// Input: u8 setup (bit 0 Apple variant, bit 1 drop EVENT_IDX, bit 2 drop
// INDIRECT_DESC, bit 3 reads served at once as from the page cache), u8 queue size code (1 << (code
// % 6): 1..32, above the device's 16 breaks the queue), then operations:
//   0 RAM write    u16 offset, u8 len, bytes
//   1 descriptor   u8 queue, u8 index, address, u32 len, u8 flags, u8 next
//   2 publish      u8 queue, u8 head
//   3 notify       u8 queue (2 is no such queue)
//   4 complete     u8 index of a pending backend request, u8 fail
//   5 run loop     (posted completions run)
//   6 reset        then DRIVER_OK again with the same rings
//   7 config write u8 offset, u8 value
//   8 ring field   u8 queue, u8 which (avail flags / used_event / avail idx), u16 value
//   9 request      u8 queue, u8 type, u16 sector, u16 data length, u8 layout
// An address is u8 mode then u16 (inside RAM) or 8 raw bytes.
// Invariants: nothing crashes (ASan/UBSan), every buffer the backend gets
// lies in guest RAM (or is the device's zeroes), and after a reset and all
// completions the device is quiescent.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "base/event_loop.h"
#include "fuzz/fuzz_input.h"
#include "hw/virtio/virtio_blk.h"
#include "unit/hw/virtq_driver.h"

namespace {

using namespace vmapple;
using namespace vmapple::virtio;
using fuzz::check;
using fuzz::Input;

constexpr uint64_t kRam = 0x10000;
constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kDisk = 0x10000;
constexpr uint16_t kMaxQueue = 16;

EventLoop& loop() {
  static EventLoop* l = new EventLoop;  // reused: creating one per input costs file descriptors
  return *l;
}

uint64_t address(Input& in) {
  if (in.u8() & 1) return kRam + in.u16() % kRamSize;
  return in.take(8);
}

struct Fuzzer {
  GuestMemory memory;
  test::CountingTransport transport;
  test::HeldBackend* held = nullptr;
  std::unique_ptr<VirtioBlk> blk;
  std::vector<QueueState> states;
  std::vector<uint16_t> avail_idx;
  uint64_t features = 0;
  uint16_t size = 0;
  uint64_t scratch = 0;  // bump pointer for op 9 buffers
  uint16_t next_desc = 0;

  void activate() {
    for (auto& s : states) {
      memory.zero(s.desc, desc_table_bytes(kMaxQueue));
      memory.zero(s.driver, avail_ring_bytes(kMaxQueue));
      memory.zero(s.device, used_ring_bytes(kMaxQueue));
    }
    avail_idx.assign(states.size(), 0);
    if (blk->accept_features(features)) blk->activate(features, states);
  }

  void publish(unsigned q, uint16_t head) {
    const QueueState& s = states[q];
    uint16_t n = s.size ? s.size : 1;
    memory.write_le<uint16_t>(s.driver + 4 + 2u * (avail_idx[q] % n), head);
    memory.write_le<uint16_t>(s.driver + 2, ++avail_idx[q]);
  }

  void write_desc(unsigned q, uint16_t index, uint64_t addr, uint32_t len, uint16_t flags,
                  uint16_t next) {
    uint64_t at = states[q].desc + uint64_t{index} % kMaxQueue * kDescSize;
    memory.write_le<uint64_t>(at, addr);
    memory.write_le<uint32_t>(at + 8, len);
    memory.write_le<uint16_t>(at + 12, flags);
    memory.write_le<uint16_t>(at + 14, next);
  }

  uint64_t scratch_alloc(uint64_t len) {
    if (scratch + len > kRam + kRamSize) scratch = kRam + 0x4000;
    uint64_t at = scratch;
    scratch += (len + 15) & ~uint64_t{15};
    return at;
  }

  // A request as a driver builds it, with fuzzed type, range and layout.
  void request(Input& in) {
    unsigned q = in.u8() % 2;
    static const uint32_t kTypes[] = {kBlkTIn,           kBlkTOut,     kBlkTFlush,
                                      kBlkTGetId,        kBlkTDiscard, kBlkTWriteZeroes,
                                      kBlkTAppleBarrier, 0x8000'0001u, 2};
    uint8_t t = in.u8();
    uint32_t type = t < 200 ? kTypes[t % std::size(kTypes)] : in.u32();
    uint64_t sector = in.u16();
    uint32_t len = in.u16() % 0x3000;
    uint8_t layout = in.u8();
    uint64_t hdr = scratch_alloc(16 + 16);
    memory.write_le<uint32_t>(hdr, type);
    memory.write_le<uint64_t>(hdr + 8, sector);
    // A discard/write-zeroes segment right after the header.
    memory.write_le<uint64_t>(hdr + 16, sector);
    memory.write_le<uint32_t>(hdr + 24, len / 512);
    memory.write_le<uint32_t>(hdr + 28, layout >> 6);
    uint64_t data = scratch_alloc(len);
    uint64_t status = scratch_alloc(1);
    bool out = type == kBlkTOut || type == kBlkTDiscard || type == kBlkTWriteZeroes;
    bool seg = type == kBlkTDiscard || type == kBlkTWriteZeroes;
    uint16_t first = next_desc;
    auto take = [&] { return static_cast<uint16_t>(next_desc++ % size); };
    uint16_t d0 = take();
    uint16_t d1 = take();
    uint16_t d2 = take();
    uint32_t hdr_len = seg && !(layout & 1) ? 32 : 16;
    bool writable_data = (layout & 2) ? out : !out;  // bit 1: the wrong direction
    write_desc(q, d0, hdr, hdr_len, kDescFNext, d1);
    write_desc(q, d1, data, len,
               static_cast<uint16_t>(kDescFNext | (writable_data ? kDescFWrite : 0)), d2);
    write_desc(q, d2, status, 1 + ((layout >> 2) & 1), kDescFWrite, 0);
    if (layout & 8) {
      // The same chain through an indirect table.
      uint64_t table = scratch_alloc(3 * kDescSize);
      for (unsigned i = 0; i < 3; ++i) {
        uint64_t src = states[q].desc + (uint64_t{first} + i) % size % kMaxQueue * kDescSize;
        uint8_t d[kDescSize];
        memory.read(src, d);
        store_le<uint16_t>(d + 14, static_cast<uint16_t>(i + 1));
        memory.write(table + i * kDescSize, d);
      }
      write_desc(q, d0, table, 3 * kDescSize, kDescFIndirect, 0);
    }
    publish(q, d0);
    if (layout & 16) blk->notify(static_cast<uint16_t>(q));
  }

  // Every buffer handed to the backend lies in guest RAM, except the
  // device's own zeroes for WRITE_ZEROES.
  void check_backend_buffers() {
    const GuestMemory::Region& ram = memory.regions()[0];
    for (const auto& p : held->pending_requests()) {
      for (const iovec& v : p.iov) {
        auto* base = static_cast<const uint8_t*>(v.iov_base);
        bool in_ram = base >= ram.host && v.iov_len <= ram.size &&
                      static_cast<uint64_t>(base - ram.host) <= ram.size - v.iov_len;
        if (in_ram) continue;
        check(p.op == test::HeldBackend::Op::kWrite, "a read buffer outside guest RAM");
        for (size_t i = 0; i < v.iov_len; i += 4096)
          check(base[i] == 0, "a write buffer outside guest RAM that is not zeroes");
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::silence_traces();
  Input in{data, size};
  Fuzzer f;
  f.memory.add_region("ram", kRam, kRamSize);
  uint8_t setup = in.u8();
  f.size = static_cast<uint16_t>(1u << (in.u8() % 6));
  VirtioBlkOptions options;
  options.apple = setup & 1 ? AppleVariant::kRoot : AppleVariant::kNone;
  options.num_queues = 2;
  options.queue_size = kMaxQueue;
  options.serial = "fuzz";
  auto backend = std::make_unique<test::HeldBackend>(loop(), kDisk);
  f.held = backend.get();
  f.held->set_cached(setup & 8);
  f.blk = std::make_unique<VirtioBlk>(f.memory, std::move(backend), options);
  f.blk->attach(f.transport);
  f.features = f.blk->device_features();
  if (setup & 2) f.features &= ~kFRingEventIdx;
  if (setup & 4) f.features &= ~kFRingIndirectDesc;
  for (unsigned q = 0; q < 2; ++q) {
    uint64_t base = kRam + q * 0x1000;
    f.states.push_back({f.size, true, base, base + 0x200, base + 0x400});
  }
  f.scratch = kRam + 0x4000;
  f.activate();

  while (!in.empty()) {
    switch (in.u8() % 10) {
      case 0: {
        uint64_t off = in.u16() % kRamSize;
        uint8_t len = in.u8();
        std::vector<uint8_t> bytes;
        for (unsigned i = 0; i < len && off + i < kRamSize; ++i)
          bytes.push_back(in.u8());
        f.memory.write(kRam + off, bytes);
        break;
      }
      case 1: {
        unsigned q = in.u8() % 2;
        uint16_t index = in.u8();
        uint64_t addr = address(in);
        uint32_t len = in.u32();
        uint16_t flags = in.u8() & 7;
        uint16_t next = in.u8();
        f.write_desc(q, index, addr, len, flags, next);
        break;
      }
      case 2: {
        unsigned q = in.u8() % 2;
        f.publish(q, in.u8());
        break;
      }
      case 3:
        f.blk->notify(in.u8() % 3);
        break;
      case 4: {
        size_t index = in.u8();
        bool fail = in.u8() & 1;
        if (f.held->pending() > 0) f.held->complete(index % f.held->pending(), fail ? -EIO : 0);
        break;
      }
      case 5:
        loop().run_once(0);
        break;
      case 6:
        f.blk->reset();
        f.activate();
        break;
      case 7: {
        uint8_t offset = in.u8();
        uint8_t value = in.u8();
        if (offset < f.blk->config_size()) f.blk->write_config(offset, std::span(&value, 1));
        break;
      }
      case 8: {
        const QueueState& s = f.states[in.u8() % 2];
        unsigned which = in.u8() % 3;
        uint16_t value = in.u16();
        uint64_t at = which == 0   ? s.driver
                      : which == 1 ? s.driver + 4 + 2u * s.size
                                   : s.driver + 2;
        f.memory.write_le<uint16_t>(at, value);
        break;
      }
      case 9:
        f.request(in);
        break;
    }
    f.check_backend_buffers();
  }

  // Everything the backend holds completes; then the device is idle.
  f.blk->reset();
  f.held->complete_all();
  for (int i = 0; i < 100 && !f.blk->quiescent(); ++i)
    loop().run_once(0);
  check(f.blk->quiescent(), "quiescent after reset and all completions");
  f.blk.reset();
  loop().run_once(0);  // completions posted for the gone backend do nothing
  return 0;
}
