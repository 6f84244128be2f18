#pragma once
// The driver's half of a split virtqueue, laid out in GuestMemory as a
// virtio driver does it (virtio 1.2, 2.7): a descriptor table, an available
// ring and a used ring, descriptors handed out from a free list and reclaimed
// from the used ring. Plus the small fakes device tests need: a transport
// that counts notifications and a block backend that holds requests until
// the test lets them complete. Used by the unit tests, the fuzz target and
// the benchmark.
#include <sys/uio.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/event_loop.h"
#include "block/block_backend.h"
#include "hw/virtio/virtio_device.h"
#include "hw/virtio/virtqueue.h"
#include "memory/guest_memory.h"

namespace vmapple::test {

// Hands out guest-physical space bottom-up (ring areas, buffers).
class GuestAllocator {
 public:
  GuestAllocator(uint64_t base, uint64_t size) : next_(base), end_(base + size) {}
  uint64_t alloc(uint64_t bytes, uint64_t align = 16) {
    uint64_t at = (next_ + align - 1) & ~(align - 1);
    if (at + bytes > end_) throw std::runtime_error("test guest RAM exhausted");
    next_ = at + bytes;
    return at;
  }

 private:
  uint64_t next_;
  uint64_t end_;
};

struct DriverBuf {
  uint64_t gpa;
  uint32_t len;
  bool writable;
};

class VirtqDriver {
 public:
  VirtqDriver(const GuestMemory& memory, GuestAllocator& alloc, uint16_t size)
      : memory_(memory), size_(size) {
    state_.size = size;
    state_.enabled = true;
    state_.desc = alloc.alloc(virtio::desc_table_bytes(size), 16);
    state_.driver = alloc.alloc(virtio::avail_ring_bytes(size), 2);
    state_.device = alloc.alloc(virtio::used_ring_bytes(size), 4);
    memory_.zero(state_.desc, virtio::desc_table_bytes(size));
    memory_.zero(state_.driver, virtio::avail_ring_bytes(size));
    memory_.zero(state_.device, virtio::used_ring_bytes(size));
    for (uint16_t i = 0; i < size; ++i)
      free_.push_back(i);
  }

  const virtio::QueueState& state() const { return state_; }
  uint16_t size() const { return size_; }
  size_t free_descriptors() const { return free_.size(); }

  // Adds a chain of direct descriptors and publishes it. Returns the head,
  // or nothing when the table is full.
  std::optional<uint16_t> add(std::span<const DriverBuf> bufs, bool publish_now = true) {
    if (bufs.empty() || bufs.size() > free_.size()) return std::nullopt;
    std::vector<uint16_t> ids(bufs.size());
    for (auto& id : ids) {
      id = free_.front();
      free_.pop_front();
    }
    for (size_t i = 0; i < bufs.size(); ++i) {
      bool more = i + 1 < bufs.size();
      write_desc(ids[i], bufs[i].gpa, bufs[i].len,
                 static_cast<uint16_t>((bufs[i].writable ? virtio::kDescFWrite : 0) |
                                       (more ? virtio::kDescFNext : 0)),
                 more ? ids[i + 1] : 0);
    }
    chains_[ids[0]] = ids;
    if (publish_now) publish(ids[0]);
    return ids[0];
  }

  // One descriptor pointing at an indirect table at `table` holding `bufs`.
  std::optional<uint16_t> add_indirect(std::span<const DriverBuf> bufs, uint64_t table) {
    if (free_.empty()) return std::nullopt;
    for (size_t i = 0; i < bufs.size(); ++i) {
      bool more = i + 1 < bufs.size();
      write_table_desc(table, static_cast<uint16_t>(i), bufs[i].gpa, bufs[i].len,
                       static_cast<uint16_t>((bufs[i].writable ? virtio::kDescFWrite : 0) |
                                             (more ? virtio::kDescFNext : 0)),
                       static_cast<uint16_t>(more ? i + 1 : 0));
    }
    uint16_t id = free_.front();
    free_.pop_front();
    write_desc(id, table, static_cast<uint32_t>(bufs.size() * virtio::kDescSize),
               virtio::kDescFIndirect, 0);
    chains_[id] = {id};
    publish(id);
    return id;
  }

  // Raw access for malformed rings.
  void write_desc(uint16_t index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    write_table_desc(state_.desc, index, addr, len, flags, next);
  }
  void write_table_desc(uint64_t table, uint16_t index, uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next) {
    uint64_t at = table + uint64_t{index} * virtio::kDescSize;
    memory_.write_le<uint64_t>(at, addr);
    memory_.write_le<uint32_t>(at + 8, len);
    memory_.write_le<uint16_t>(at + 12, flags);
    memory_.write_le<uint16_t>(at + 14, next);
  }
  void publish(uint16_t head) {
    memory_.write_le<uint16_t>(state_.driver + 4 + 2u * (avail_idx_ % size_), head);
    ++avail_idx_;
    std::atomic_thread_fence(std::memory_order_seq_cst);
    memory_.write_le<uint16_t>(state_.driver + 2, avail_idx_);
  }
  void set_avail_idx(uint16_t idx) {
    avail_idx_ = idx;
    memory_.write_le<uint16_t>(state_.driver + 2, idx);
  }
  uint16_t avail_idx() const { return avail_idx_; }
  void set_avail_flags(uint16_t flags) { memory_.write_le<uint16_t>(state_.driver, flags); }
  void set_used_event(uint16_t idx) {
    memory_.write_le<uint16_t>(state_.driver + 4 + 2u * size_, idx);
  }

  uint16_t used_idx() const {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return *memory_.read_le<uint16_t>(state_.device + 2);
  }
  uint16_t used_flags() const { return *memory_.read_le<uint16_t>(state_.device); }
  uint16_t avail_event() const {
    return *memory_.read_le<uint16_t>(state_.device + 4 + uint64_t{virtio::kUsedElemSize} * size_);
  }

  struct Used {
    uint32_t id;
    uint32_t len;
  };
  // The next used element, its descriptors returned to the free list.
  std::optional<Used> get_used() {
    if (last_used_ == used_idx()) return std::nullopt;
    uint64_t at = state_.device + 4 + uint64_t{virtio::kUsedElemSize} * (last_used_ % size_);
    Used u{*memory_.read_le<uint32_t>(at), *memory_.read_le<uint32_t>(at + 4)};
    ++last_used_;
    auto it = chains_.find(static_cast<uint16_t>(u.id));
    if (it != chains_.end()) {
      for (uint16_t id : it->second)
        free_.push_back(id);
      chains_.erase(it);
    }
    return u;
  }

 private:
  const GuestMemory& memory_;
  uint16_t size_;
  virtio::QueueState state_;
  std::deque<uint16_t> free_;
  std::unordered_map<uint16_t, std::vector<uint16_t>> chains_;
  uint16_t avail_idx_ = 0;
  uint16_t last_used_ = 0;
};

// Counts what the device asks of its transport.
class CountingTransport final : public virtio::VirtioTransport {
 public:
  void notify_queue(uint16_t queue) override {
    std::lock_guard lock(mutex_);
    if (queue >= per_queue_.size()) per_queue_.resize(queue + 1);
    ++per_queue_[queue];
  }
  void notify_config() override { ++config_; }
  void set_needs_reset() override { ++needs_reset_; }

  uint64_t queue_notifications(uint16_t queue) const {
    std::lock_guard lock(mutex_);
    return queue < per_queue_.size() ? per_queue_[queue] : 0;
  }
  uint64_t needs_reset() const { return needs_reset_; }

 private:
  mutable std::mutex mutex_;
  std::vector<uint64_t> per_queue_;
  std::atomic<uint64_t> config_{0};
  std::atomic<uint64_t> needs_reset_{0};
};

// A disk in memory whose requests wait until the test completes them; each
// completion then runs on the EventLoop thread, as with the real backend.
class HeldBackend final : public BlockBackend {
 public:
  enum class Op { kRead, kWrite, kFlush, kDiscard };
  struct Pending {
    Op op;
    uint64_t offset;
    uint64_t length;
    std::vector<iovec> iov;
    Completion done;
  };

  HeldBackend(EventLoop& loop, uint64_t size, bool read_only = false)
      : loop_(loop), disk_(size), read_only_(read_only), path_("held") {}
  // Like the real backend: no completion runs once it is gone.
  ~HeldBackend() override { *alive_ = false; }

  uint64_t size() const override { return disk_.size(); }
  bool read_only() const override { return read_only_; }
  const std::string& path() const override { return path_; }
  std::string_view engine_name() const override { return "held"; }

  void readv(uint64_t offset, std::span<const iovec> iov, Completion done) override {
    add({Op::kRead, offset, total(iov), {iov.begin(), iov.end()}, std::move(done)});
  }
  void writev(uint64_t offset, std::span<const iovec> iov, Completion done) override {
    add({Op::kWrite, offset, total(iov), {iov.begin(), iov.end()}, std::move(done)});
  }
  // With set_cached(true), reads are served at once, as from the page cache.
  int64_t try_read_now(uint64_t offset, std::span<const iovec> iov) override {
    ++read_now_calls_;
    if (!cached_) return -EAGAIN;
    Pending p{Op::kRead, offset, total(iov), {iov.begin(), iov.end()}, nullptr};
    return perform(p);
  }
  void flush(Completion done) override { add({Op::kFlush, 0, 0, {}, std::move(done)}); }
  void discard(uint64_t offset, uint64_t length, Completion done) override {
    add({Op::kDiscard, offset, length, {}, std::move(done)});
  }

  // Requests submitted and not yet completed, oldest first.
  size_t pending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }
  std::vector<Op> pending_ops() const {
    std::lock_guard lock(mutex_);
    std::vector<Op> ops;
    for (const auto& p : pending_)
      ops.push_back(p.op);
    return ops;
  }
  std::deque<Pending> pending_requests() const {
    std::lock_guard lock(mutex_);
    std::deque<Pending> copy;
    for (const auto& p : pending_)
      copy.push_back({p.op, p.offset, p.length, p.iov, nullptr});
    return copy;
  }
  uint64_t submitted() const { return submitted_; }
  uint64_t read_now_calls() const { return read_now_calls_; }
  void set_cached(bool on) { cached_ = on; }
  // Performs the index-th pending request now (or fails it with `result` < 0)
  // and posts its completion to the loop.
  void complete(size_t index, int64_t result = 0) {
    Pending p;
    {
      std::lock_guard lock(mutex_);
      if (index >= pending_.size()) throw std::runtime_error("no such pending request");
      p = std::move(pending_[index]);
      pending_.erase(pending_.begin() + static_cast<long>(index));
    }
    int64_t r = result < 0 ? result : perform(p);
    loop_.post([alive = alive_, done = std::move(p.done), r] {
      if (*alive) done(r);
    });
  }
  void complete_all() {
    while (pending() > 0)
      complete(0);
  }
  std::vector<uint8_t>& disk() { return disk_; }
  // Completes every request as soon as it arrives.
  void set_auto(bool on) {
    auto_ = on;
    if (on) complete_all();
  }

 private:
  static uint64_t total(std::span<const iovec> iov) {
    uint64_t n = 0;
    for (const auto& v : iov)
      n += v.iov_len;
    return n;
  }
  void add(Pending p) {
    ++submitted_;
    {
      std::lock_guard lock(mutex_);
      pending_.push_back(std::move(p));
    }
    if (auto_) complete_all();
  }
  int64_t perform(Pending& p) {
    if (p.offset > disk_.size() || p.length > disk_.size() - p.offset) return -EINVAL;
    if (read_only_ && (p.op == Op::kWrite || p.op == Op::kDiscard)) return -EROFS;
    uint64_t at = p.offset;
    switch (p.op) {
      case Op::kRead:
        for (auto& v : p.iov) {
          std::memcpy(v.iov_base, disk_.data() + at, v.iov_len);
          at += v.iov_len;
        }
        return static_cast<int64_t>(p.length);
      case Op::kWrite:
        for (auto& v : p.iov) {
          std::memcpy(disk_.data() + at, v.iov_base, v.iov_len);
          at += v.iov_len;
        }
        return static_cast<int64_t>(p.length);
      case Op::kDiscard:
        std::memset(disk_.data() + at, 0, p.length);
        return 0;
      case Op::kFlush:
        return 0;
    }
    return -EINVAL;
  }

  EventLoop& loop_;
  std::vector<uint8_t> disk_;
  bool read_only_;
  std::string path_;
  mutable std::mutex mutex_;
  std::deque<Pending> pending_;
  std::atomic<uint64_t> submitted_{0};
  std::atomic<bool> auto_{false};
  std::atomic<bool> cached_{false};
  std::atomic<uint64_t> read_now_calls_{0};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vmapple::test
