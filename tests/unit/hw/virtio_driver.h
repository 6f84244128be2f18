#pragma once
// A guest's virtio-blk driver over the modern virtio-pci transport, written
// from the virtio 1.2 specification (4.1 virtio over PCI, 2.7 split
// virtqueues, 5.2 block device) for tests and benchmarks. It finds the
// structures through the vendor capabilities, resets the device, negotiates
// features, lays out split virtqueues in guest RAM, submits requests with
// direct or indirect descriptors, kicks the doorbell and waits for the INTx
// line, reading the ISR to acknowledge it, as a guest would.
//
// Completions arrive on the EventLoop thread: run the loop on its own thread
// while the driver waits.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/irq_line.h"
#include "hw/virtio/virtio_device.h"
#include "memory/address_space.h"
#include "unit/hw/pci_driver.h"

namespace vmapple::test {

namespace vpci {
// virtio_pci_cap types and common configuration offsets (virtio 1.2, 4.1.4).
inline constexpr uint8_t kCommonCfg = 1, kNotifyCfg = 2, kIsrCfg = 3, kDeviceCfg = 4;
inline constexpr unsigned kDeviceFeatureSelect = 0x00, kDeviceFeature = 0x04,
                          kDriverFeatureSelect = 0x08, kDriverFeature = 0x0C, kNumQueues = 0x12,
                          kDeviceStatus = 0x14, kQueueSelect = 0x16, kQueueSize = 0x18,
                          kQueueEnable = 0x1C, kQueueNotifyOff = 0x1E, kQueueDesc = 0x20,
                          kQueueDriver = 0x28, kQueueDevice = 0x30;
inline constexpr uint8_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8;
// Split virtqueue descriptor flags.
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
}  // namespace vpci

// Hands out guest-physical space bottom-up.
class GuestArena {
 public:
  GuestArena(uint64_t base, uint64_t size) : next_(base), end_(base + size) {}
  uint64_t alloc(uint64_t bytes, uint64_t align = 16) {
    uint64_t at = (next_ + align - 1) & ~(align - 1);
    if (at + bytes > end_) throw std::runtime_error("driver arena exhausted");
    next_ = at + bytes;
    return at;
  }

 private:
  uint64_t next_, end_;
};

struct Buf {
  uint64_t gpa;
  uint32_t len;
  bool device_writes;
};

class VirtioPciDriver {
 public:
  VirtioPciDriver(const AddressSpace& space, const Ecam& ecam, const PciFound& fn,
                  GuestArena& arena)
      : space_(space), memory_(space.memory()), arena_(arena) {
    for (uint8_t cap : find_capabilities(ecam, fn.slot, fn.fn, pci::kCapVendor)) {
      uint8_t type = static_cast<uint8_t>(ecam.read(fn.slot, fn.fn, cap + 3u, 1));
      unsigned bar = ecam.read(fn.slot, fn.fn, cap + 4u, 1);
      uint64_t at = fn.bar_address.at(bar) + ecam.read(fn.slot, fn.fn, cap + 8u);
      if (type == vpci::kCommonCfg) common_ = at;
      if (type == vpci::kIsrCfg) isr_ = at;
      if (type == vpci::kDeviceCfg) device_ = at;
      if (type == vpci::kNotifyCfg) {
        notify_ = at;
        notify_multiplier_ = ecam.read(fn.slot, fn.fn, cap + 16u);
      }
    }
    if (!common_ || !isr_ || !notify_) throw std::runtime_error("virtio-pci capabilities missing");
  }

  // Reset, ACKNOWLEDGE, DRIVER, then `wanted` & offered (plus VERSION_1).
  // Returns false when the device refuses FEATURES_OK.
  bool negotiate(uint64_t wanted) {
    set_status(0);
    for (int i = 0; i < 1000000 && status() != 0; ++i)
      std::this_thread::yield();
    set_status(vpci::kAcknowledge);
    set_status(vpci::kAcknowledge | vpci::kDriver);
    features_ = offered() & (wanted | virtio::kFVersion1);
    for (uint32_t sel = 0; sel < 2; ++sel) {
      w(common_ + vpci::kDriverFeatureSelect, 4, sel);
      w(common_ + vpci::kDriverFeature, 4, features_ >> (32 * sel) & 0xFFFF'FFFF);
    }
    set_status(vpci::kAcknowledge | vpci::kDriver | vpci::kFeaturesOk);
    return status() & vpci::kFeaturesOk;
  }
  uint64_t offered() {
    uint64_t f = 0;
    for (uint32_t sel = 0; sel < 2; ++sel) {
      w(common_ + vpci::kDeviceFeatureSelect, 4, sel);
      f |= r(common_ + vpci::kDeviceFeature, 4) << (32 * sel);
    }
    return f;
  }
  uint64_t features() const { return features_; }
  const GuestMemory& memory() const { return memory_; }
  uint16_t num_queues() { return static_cast<uint16_t>(r(common_ + vpci::kNumQueues, 2)); }

  // Lays out `count` queues of `size` entries (0: the device's maximum).
  void setup_queues(unsigned count, uint16_t size = 0) {
    queues_.clear();
    queues_.reserve(count);
    for (unsigned q = 0; q < count; ++q) {
      w(common_ + vpci::kQueueSelect, 2, q);
      uint16_t max = static_cast<uint16_t>(r(common_ + vpci::kQueueSize, 2));
      uint16_t n = size ? size : max;
      if (!n || n > max) throw std::runtime_error("queue size not supported");
      Queue& vq = queues_.emplace_back();
      vq.size = n;
      vq.desc = arena_.alloc(16u * n, 4096);
      vq.avail = arena_.alloc(6u + 2u * n, 4096);
      vq.used = arena_.alloc(6u + 8u * n, 4096);
      vq.notify = notify_ + r(common_ + vpci::kQueueNotifyOff, 2) * notify_multiplier_;
      vq.indirect = arena_.alloc(uint64_t{16} * kMaxSegments * n, 16);
      for (uint16_t i = 0; i < n; ++i)
        vq.free.push_back(i);
      w(common_ + vpci::kQueueSize, 2, n);
      w(common_ + vpci::kQueueDesc, 8, vq.desc);
      w(common_ + vpci::kQueueDriver, 8, vq.avail);
      w(common_ + vpci::kQueueDevice, 8, vq.used);
      w(common_ + vpci::kQueueEnable, 2, 1);
    }
  }
  void driver_ok() {
    set_status(vpci::kAcknowledge | vpci::kDriver | vpci::kFeaturesOk | vpci::kDriverOk);
  }
  uint8_t status() { return static_cast<uint8_t>(r(common_ + vpci::kDeviceStatus, 1)); }
  void set_status(uint8_t s) { w(common_ + vpci::kDeviceStatus, 1, s); }

  uint64_t config(unsigned offset, unsigned size) { return r(device_ + offset, size); }
  uint8_t read_isr() { return static_cast<uint8_t>(r(isr_, 1)); }

  // Publishes one chain; returns its head, or nothing when the ring is full.
  // An indirect chain takes one ring descriptor (needs INDIRECT_DESC).
  std::optional<uint16_t> submit(unsigned q, std::span<const Buf> bufs, bool indirect = false) {
    Queue& vq = queues_.at(q);
    if (bufs.empty() || bufs.size() > kMaxSegments) throw std::runtime_error("bad chain");
    size_t needed = indirect ? 1 : bufs.size();
    if (vq.free.size() < needed) return std::nullopt;
    uint16_t head = vq.free.back();
    if (indirect) {
      vq.free.pop_back();
      uint64_t table = vq.indirect + uint64_t{16} * kMaxSegments * head;
      for (size_t i = 0; i < bufs.size(); ++i)
        put_desc(table + 16 * i, bufs[i], i + 1 < bufs.size(), static_cast<uint16_t>(i + 1));
      put_desc(vq.desc + 16u * head, {table, static_cast<uint32_t>(16 * bufs.size()), false}, false,
               0, vpci::kDescIndirect);
      vq.chain_length[head] = 1;
    } else {
      std::vector<uint16_t> ids(bufs.size());
      for (auto& id : ids) {
        id = vq.free.back();
        vq.free.pop_back();
      }
      for (size_t i = 0; i < bufs.size(); ++i)
        put_desc(vq.desc + 16u * ids[i], bufs[i], i + 1 < bufs.size(),
                 i + 1 < bufs.size() ? ids[i + 1] : 0);
      vq.chain_length[head] = static_cast<uint16_t>(bufs.size());
      vq.chain_ids[head] = ids;
    }
    memory_.write_le<uint16_t>(vq.avail + 4 + 2u * (vq.avail_idx % vq.size), head);
    std::atomic_thread_fence(std::memory_order_release);
    memory_.write_le<uint16_t>(vq.avail + 2, ++vq.avail_idx);
    return head;
  }
  void kick(unsigned q) { w(queues_.at(q).notify, 2, q); }

  struct Used {
    uint16_t head;
    uint32_t len;
  };
  // Reclaims what the device has used since the last call.
  std::vector<Used> reap(unsigned q) {
    Queue& vq = queues_.at(q);
    std::vector<Used> out;
    std::atomic_thread_fence(std::memory_order_acquire);
    uint16_t used_idx = *memory_.read_le<uint16_t>(vq.used + 2);
    while (vq.last_used != used_idx) {
      uint64_t e = vq.used + 4 + 8u * (vq.last_used % vq.size);
      Used u{static_cast<uint16_t>(*memory_.read_le<uint32_t>(e)),
             *memory_.read_le<uint32_t>(e + 4)};
      ++vq.last_used;
      if (u.head >= vq.size || !vq.chain_length[u.head])
        throw std::runtime_error("device returned a head it was not given");
      if (vq.chain_ids.count(u.head)) {
        for (uint16_t id : vq.chain_ids[u.head])
          vq.free.push_back(id);
        vq.chain_ids.erase(u.head);
      } else {
        vq.free.push_back(u.head);
      }
      vq.chain_length[u.head] = 0;
      out.push_back(u);
    }
    // With EVENT_IDX: interrupt me at the next used entry.
    memory_.write_le<uint16_t>(vq.avail + 4 + 2u * vq.size, vq.last_used);
    return out;
  }
  unsigned in_flight(unsigned q) const {
    const Queue& vq = queues_.at(q);
    return vq.size - static_cast<unsigned>(vq.free.size());
  }

  static constexpr size_t kMaxSegments = 8;

 private:
  struct Queue {
    uint16_t size = 0;
    uint64_t desc = 0, avail = 0, used = 0, notify = 0, indirect = 0;
    uint16_t avail_idx = 0, last_used = 0;
    std::vector<uint16_t> free;
    std::array<uint16_t, 32768> chain_length{};
    std::unordered_map<uint16_t, std::vector<uint16_t>> chain_ids;
  };

  void put_desc(uint64_t at, const Buf& b, bool next, uint16_t next_id, uint16_t extra = 0) {
    memory_.write_le<uint64_t>(at, b.gpa);
    memory_.write_le<uint32_t>(at + 8, b.len);
    uint16_t flags =
        extra | (next ? vpci::kDescNext : 0) | (b.device_writes ? vpci::kDescWrite : 0);
    memory_.write_le<uint16_t>(at + 12, flags);
    memory_.write_le<uint16_t>(at + 14, next_id);
  }
  uint64_t r(uint64_t gpa, unsigned size) {
    uint64_t v = 0;
    if (space_.read(gpa, size, &v) != MmioStatus::kOk) throw std::runtime_error("MMIO read failed");
    return v;
  }
  void w(uint64_t gpa, unsigned size, uint64_t v) {
    if (space_.write(gpa, size, v) != MmioStatus::kOk)
      throw std::runtime_error("MMIO write failed");
  }

  const AddressSpace& space_;
  const GuestMemory& memory_;
  GuestArena& arena_;
  uint64_t common_ = 0, isr_ = 0, device_ = 0, notify_ = 0;
  uint32_t notify_multiplier_ = 0;
  uint64_t features_ = 0;
  std::vector<Queue> queues_;
};

// Block requests on top (virtio 1.2, 5.2.6). Each request's header and
// status byte live in a slot of its queue's slot pool.
class VirtioBlkDriver {
 public:
  static constexpr uint32_t kIn = 0, kOut = 1, kFlush = 4, kGetId = 8, kDiscard = 11,
                            kWriteZeroes = 13, kAppleBarrier = 0x0001'0000;
  static constexpr uint8_t kOk = 0, kIoErr = 1, kUnsupp = 2;

  VirtioBlkDriver(VirtioPciDriver& pci, GuestArena& arena, const LatchIrqLine& intx,
                  unsigned queues = 1, uint16_t queue_size = 0, uint64_t wanted = ~0ull)
      : VirtioBlkDriver(
            pci, arena, [&intx] { return intx.level(); }, queues, queue_size, wanted) {}
  // `intx_level` reads the function's INTx line (e.g. through the GIC).
  VirtioBlkDriver(VirtioPciDriver& pci, GuestArena& arena, std::function<bool()> intx_level,
                  unsigned queues = 1, uint16_t queue_size = 0, uint64_t wanted = ~0ull)
      : pci_(pci), arena_(arena), intx_(std::move(intx_level)) {
    if (!pci.negotiate(wanted)) throw std::runtime_error("FEATURES_OK refused");
    pci.setup_queues(queues, queue_size);
    pci.driver_ok();
    if (!(pci.status() & vpci::kDriverOk)) throw std::runtime_error("DRIVER_OK refused");
    queues_.resize(queues);
    for (auto& q : queues_) {
      uint16_t n = queue_size ? queue_size : 256;
      q.slots = arena.alloc(32u * n, 16);
      for (uint16_t i = 0; i < n; ++i)
        q.free.push_back(i);
    }
  }

  uint64_t capacity() { return pci_.config(0, 4) | pci_.config(4, 4) << 32; }

  // Asynchronous: returns the head; nullopt when the ring or the slots are full.
  std::optional<uint16_t> submit(unsigned q, uint32_t type, uint64_t sector,
                                 std::span<const Buf> data, bool indirect = false) {
    Queue& dq = queues_.at(q);
    if (dq.free.empty()) return std::nullopt;
    uint16_t slot = dq.free.back();
    uint64_t at = dq.slots + 32u * slot;
    const GuestMemory& mem = pci_.memory();
    mem.write_le<uint32_t>(at, type);
    mem.write_le<uint32_t>(at + 4, 0);
    mem.write_le<uint64_t>(at + 8, sector);
    mem.write_le<uint8_t>(at + 16, 0xFF);
    std::vector<Buf> chain{{at, 16, false}};
    chain.insert(chain.end(), data.begin(), data.end());
    chain.push_back({at + 16, 1, true});
    auto head = pci_.submit(q, chain, indirect);
    if (!head) return std::nullopt;
    dq.free.pop_back();
    dq.slot_of[*head] = slot;
    return head;
  }
  struct Done {
    uint16_t head;
    uint32_t len;
    uint8_t status;
  };
  // Waits for the interrupt, acknowledges it and reaps queue `q`.
  std::vector<Done> wait(unsigned q, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (unsigned spins = 0;; ++spins) {
      if (intx_() || polling_) {
        if (intx_()) pci_.read_isr();
        auto used = pci_.reap(q);
        if (!used.empty()) return finish(q, used);
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("virtio-blk request timed out");
      // Spin a little first (a fast completion), then stop burning the CPU.
      if (spins < 2000)
        std::this_thread::yield();
      else
        std::this_thread::sleep_for(std::chrono::microseconds(10));
    }
  }

  // Synchronous helpers: one request, wait for it, return its status.
  uint8_t run(unsigned q, uint32_t type, uint64_t sector, std::span<const Buf> data,
              bool indirect = false, uint32_t* used_len = nullptr) {
    auto head = submit(q, type, sector, data, indirect);
    if (!head) throw std::runtime_error("queue full");
    pci_.kick(q);
    for (;;) {
      for (auto& d : wait(q)) {
        if (d.head != *head) continue;
        if (used_len) *used_len = d.len;
        return d.status;
      }
    }
  }
  uint8_t write(uint64_t sector, std::span<const uint8_t> bytes, unsigned q = 0) {
    uint64_t buf = stage(bytes.size());
    pci_.memory().write(buf, bytes);
    Buf b{buf, static_cast<uint32_t>(bytes.size()), false};
    return run(q, kOut, sector, {&b, 1});
  }
  uint8_t read(uint64_t sector, std::span<uint8_t> out, unsigned q = 0) {
    uint64_t buf = stage(out.size());
    Buf b{buf, static_cast<uint32_t>(out.size()), true};
    uint8_t s = run(q, kIn, sector, {&b, 1});
    pci_.memory().read(buf, out);
    return s;
  }
  uint8_t flush(unsigned q = 0) { return run(q, kFlush, 0, {}); }
  uint8_t barrier(unsigned q = 0) { return run(q, kAppleBarrier, 0, {}); }
  // One discard or write-zeroes segment.
  uint8_t segment(uint32_t type, uint64_t sector, uint32_t sectors, uint32_t flags = 0,
                  unsigned q = 0) {
    uint64_t seg = stage(16);
    pci_.memory().write_le<uint64_t>(seg, sector);
    pci_.memory().write_le<uint32_t>(seg + 8, sectors);
    pci_.memory().write_le<uint32_t>(seg + 12, flags);
    Buf b{seg, 16, false};
    return run(q, type, 0, {&b, 1});
  }
  uint8_t get_id(std::string& id, unsigned q = 0) {
    uint64_t buf = stage(20);
    std::array<uint8_t, 20> zero{};
    pci_.memory().write(buf, zero);
    Buf b{buf, 20, true};
    uint8_t s = run(q, kGetId, 0, {&b, 1});
    char text[21] = {};
    pci_.memory().read(buf, {reinterpret_cast<uint8_t*>(text), 20});
    id = text;
    return s;
  }

  // A scratch buffer for the synchronous helpers (reused, grows).
  uint64_t stage(size_t bytes) {
    if (bytes > stage_size_) {
      stage_size_ = std::max<size_t>(bytes, 1 << 20);
      stage_ = arena_.alloc(stage_size_, 4096);
    }
    return stage_;
  }
  // wait() also looks at the used ring without an interrupt.
  void set_polling(bool on) { polling_ = on; }
  VirtioPciDriver& pci() { return pci_; }

 private:
  struct Queue {
    uint64_t slots = 0;
    std::vector<uint16_t> free;
    std::unordered_map<uint16_t, uint16_t> slot_of;  // head -> slot
  };

  std::vector<Done> finish(unsigned q, const std::vector<VirtioPciDriver::Used>& used) {
    Queue& dq = queues_[q];
    std::vector<Done> out;
    for (const auto& u : used) {
      uint16_t slot = dq.slot_of.at(u.head);
      dq.slot_of.erase(u.head);
      dq.free.push_back(slot);
      out.push_back({u.head, u.len, *pci_.memory().read_le<uint8_t>(dq.slots + 32u * slot + 16)});
    }
    return out;
  }

  VirtioPciDriver& pci_;
  GuestArena& arena_;
  std::function<bool()> intx_;
  std::vector<Queue> queues_;
  uint64_t stage_ = 0;
  size_t stage_size_ = 0;
  bool polling_ = false;
};

}  // namespace vmapple::test
