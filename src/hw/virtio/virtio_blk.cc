#include "hw/virtio/virtio_blk.h"

#include <algorithm>
#include <bit>

#include "base/bits.h"
#include "base/error.h"
#include "base/log.h"

namespace vmapple::virtio {
namespace {

trace::Category kTrace("virtio-blk");

constexpr uint64_t kHeaderBytes = 16;   // struct virtio_blk_outhdr
constexpr uint64_t kSegmentBytes = 16;  // struct virtio_blk_discard_write_zeroes
constexpr uint32_t kMaxSegments = 1;    // max_discard_seg, max_write_zeroes_seg

// WRITE_ZEROES writes from here (never written to; .bss, so no real memory).
constexpr size_t kZeroChunk = 1u << 20;
uint8_t zero_chunk[kZeroChunk];

// Calls fn(gpa, len) for the bytes [skip, skip + length) of the chain's
// device-readable or device-writable buffers taken as one byte stream.
// False if the stream is shorter or fn refuses a piece.
template <typename Fn>
bool for_each_piece(const Chain& chain, bool writable, uint64_t skip, uint64_t length, Fn&& fn) {
  for (const ChainBuffer& b : chain.buffers) {
    if (length == 0) break;
    if (b.writable != writable) continue;
    if (skip >= b.len) {
      skip -= b.len;
      continue;
    }
    uint64_t n = std::min<uint64_t>(b.len - skip, length);
    if (!fn(b.gpa + skip, n)) return false;
    skip = 0;
    length -= n;
  }
  return length == 0;
}

}  // namespace

AppleVariant parse_apple_variant(std::string_view text) {
  if (text == "root") return AppleVariant::kRoot;
  if (text == "aux") return AppleVariant::kAux;
  std::string what =
      text.empty() || text == "unspecified" ? "unspecified" : fmt::format("'{}' unknown", text);
  throw ConfigError(fmt::format(
      "vmapple virtio block device variant {}: it must be 'aux' or 'root' (use a regular "
      "virtio-blk-pci device otherwise)",
      what));
}

VirtioBlk::VirtioBlk(const GuestMemory& memory, std::unique_ptr<BlockBackend> backend,
                     VirtioBlkOptions options)
    : memory_(memory), options_(std::move(options)), backend_(std::move(backend)) {
  if (!backend_) throw ConfigError("virtio-blk: no disk image");
  if (options_.num_queues < 1 || options_.num_queues > 256)
    throw ConfigError(
        fmt::format("virtio-blk: num-queues {} is not in 1..256", options_.num_queues));
  if (!std::has_single_bit(options_.queue_size) || options_.queue_size < 4 ||
      options_.queue_size > 32768)
    throw ConfigError(fmt::format("virtio-blk: queue-size {} is not a power of two in 4..32768",
                                  options_.queue_size));
  if (options_.serial.size() > kBlkIdBytes)
    throw ConfigError(fmt::format("virtio-blk: serial '{}' is longer than {} bytes",
                                  options_.serial, kBlkIdBytes));

  features_ = kFVersion1 | kFRingIndirectDesc | kFRingEventIdx | kBlkFSizeMax | kBlkFSegMax |
              kBlkFGeometry | kBlkFBlkSize | kBlkFTopology | kBlkFFlush | kBlkFConfigWce;
  if (backend_->read_only())
    features_ |= kBlkFRo;
  else
    features_ |= kBlkFDiscard | kBlkFWriteZeroes;
  if (options_.num_queues > 1) features_ |= kBlkFMq;
  // Offered only for the larger config area that holds the Apple type.
  if (options_.apple != AppleVariant::kNone) features_ |= kBlkFZoned;

  queues_.reserve(options_.num_queues);
  for (unsigned i = 0; i < options_.num_queues; ++i)
    queues_.emplace_back(memory_);
  build_config();
}

VirtioBlk::~VirtioBlk() {
  // No completion may run once the requests and queues are gone.
  backend_.reset();
}

void VirtioBlk::build_config() {
  config_.assign(options_.apple != AppleVariant::kNone ? kBlkAppleConfigSize : kBlkConfigSize, 0);
  uint8_t* c = config_.data();
  uint64_t capacity = backend_->size() / kSectorSize;
  store_le<uint64_t>(c + kBlkCfgCapacity, capacity);
  store_le<uint32_t>(c + kBlkCfgSizeMax, kSizeMax);
  store_le<uint32_t>(c + kBlkCfgSegMax, options_.queue_size - 2u);
  // The usual LBA-assist translation (16 heads, 63 sectors per track).
  store_le<uint16_t>(c + kBlkCfgGeometry,
                     static_cast<uint16_t>(std::min<uint64_t>(capacity / (16 * 63), 65535)));
  c[kBlkCfgGeometry + 2] = 16;
  c[kBlkCfgGeometry + 3] = 63;
  store_le<uint32_t>(c + kBlkCfgBlkSize, kSectorSize);
  c[kBlkCfgTopology] = kPhysicalBlockExp;
  store_le<uint16_t>(c + kBlkCfgTopology + 2, 1u << kPhysicalBlockExp);  // min_io_size
  c[kBlkCfgWriteback] = 1;
  store_le<uint16_t>(c + kBlkCfgNumQueues, options_.num_queues);
  if (features_ & kBlkFDiscard) {
    store_le<uint32_t>(c + kBlkCfgMaxDiscardSectors, kMaxDiscardSectors);
    store_le<uint32_t>(c + kBlkCfgMaxDiscardSeg, kMaxSegments);
    store_le<uint32_t>(c + kBlkCfgDiscardAlignment, kDiscardAlignmentSectors);
  }
  if (features_ & kBlkFWriteZeroes) {
    store_le<uint32_t>(c + kBlkCfgMaxWriteZeroesSectors, kMaxWriteZeroesSectors);
    store_le<uint32_t>(c + kBlkCfgMaxWriteZeroesSeg, kMaxSegments);
  }
  if (options_.apple != AppleVariant::kNone)
    store_le<uint32_t>(c + kBlkCfgAppleType, static_cast<uint32_t>(options_.apple));
}

void VirtioBlk::attach(VirtioTransport& transport) {
  std::lock_guard lock(mutex_);
  transport_ = &transport;
}

PciIdentity VirtioBlk::pci_identity() const {
  constexpr uint32_t kClassScsiStorage = 0x010000;
  if (options_.apple != AppleVariant::kNone) return {0x106B, 0x1A00, kClassScsiStorage};
  return pci_identity_for(kDeviceIdBlock, kClassScsiStorage);
}

bool VirtioBlk::accept_features(uint64_t driver_features) {
  // Modern only: the legacy layout and its native-endian rules are not offered.
  if (!(driver_features & kFVersion1)) {
    guest_error("virtio-blk", "driver features {:#x} lack VERSION_1", driver_features);
    return false;
  }
  return (driver_features & ~features_) == 0;
}

void VirtioBlk::read_config(uint32_t offset, std::span<uint8_t> data) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < data.size(); ++i) {
    uint64_t at = uint64_t{offset} + i;
    data[i] = at < config_.size() ? config_[at] : 0;
  }
}

void VirtioBlk::write_config(uint32_t offset, std::span<const uint8_t> data) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < data.size(); ++i) {
    uint64_t at = uint64_t{offset} + i;
    if (at == kBlkCfgWriteback) {
      config_[at] = data[i] ? 1 : 0;
      VMAPPLE_TRACE(kTrace, "writeback cache {}", data[i] ? "on" : "off");
    } else {
      guest_error("virtio-blk", "write to read-only config byte {:#x} ignored", at);
    }
  }
}

void VirtioBlk::activate(uint64_t features, std::span<const QueueState> queues) {
  std::lock_guard lock(mutex_);
  if (active_) {  // a transport resets the device before the next DRIVER_OK
    guest_error("virtio-blk", "activated twice without a reset: ignored");
    return;
  }
  driver_features_ = features;
  active_ = true;
  bool ok = true;
  for (size_t i = 0; i < queues_.size(); ++i) {
    QueueState state = i < queues.size() ? queues[i] : QueueState{};
    ok = queues_[i].setup(state, features, options_.queue_size) && ok;
  }
  VMAPPLE_TRACE(kTrace, "activated, features {:#x}", features);
  if (!ok && !needs_reset_) {
    needs_reset_ = true;
    if (transport_) transport_->set_needs_reset();
  }
}

void VirtioBlk::notify(uint16_t queue) {
  std::lock_guard lock(mutex_);
  if (!active_ || queue >= queues_.size()) {
    guest_error("virtio-blk", "notify of queue {} ignored (device not active or no such queue)",
                queue);
    return;
  }
  process_queue_locked(queue);
}

void VirtioBlk::process_queue_locked(uint16_t q) {
  Virtqueue& vq = queues_[q];
  sync_budget_ = kSyncBudget;
  for (;;) {
    vq.disable_notifications();
    for (;;) {
      Virtqueue::Pop p = vq.pop(chain_);
      if (p == Virtqueue::Pop::kEmpty) break;
      if (p == Virtqueue::Pop::kBroken) {
        if (!needs_reset_) {
          needs_reset_ = true;
          if (transport_) transport_->set_needs_reset();
        }
        return;
      }
      dispatch_locked(parse_locked(q, chain_));
    }
    if (!vq.enable_notifications()) return;
  }
}

// ---- Parsing -------------------------------------------------------------

VirtioBlk::Request* VirtioBlk::parse_locked(uint16_t q, const Chain& chain) {
  Request* r = alloc_locked();
  r->generation = generation_;
  r->seq = next_seq_++;
  r->queue = q;
  r->head = chain.head;
  r->kind = Kind::kDone;
  r->status = kBlkSIoErr;
  r->flush_after = false;
  r->iov.clear();
  r->used_len = static_cast<uint32_t>(std::min<uint64_t>(chain.writable_bytes, UINT32_MAX));

  // The status byte is the last byte of the chain, which must be writable.
  const ChainBuffer* last = chain.buffers.empty() ? nullptr : &chain.buffers.back();
  r->has_status = last && last->writable && memory_.span_at(last->gpa + last->len - 1, 1);
  if (!r->has_status) {
    guest_error("virtio-blk", "q{} head {}: no device-writable status byte in RAM", q, chain.head);
    r->used_len = 0;
    return r;
  }
  r->status_gpa = last->gpa + last->len - 1;
  if (chain.misordered) {
    guest_error("virtio-blk", "q{} head {}: device-readable buffer after a writable one", q,
                chain.head);
    return r;
  }
  uint8_t header[kHeaderBytes];
  uint64_t copied = 0;
  bool ok = for_each_piece(chain, false, 0, kHeaderBytes, [&](uint64_t gpa, uint64_t n) {
    bool in_ram = memory_.read(gpa, std::span(header + copied, n));
    copied += n;
    return in_ram;
  });
  if (!ok) {
    guest_error("virtio-blk", "q{} head {}: request header short or outside RAM", q, chain.head);
    return r;
  }
  uint32_t type = load_le<uint32_t>(header);
  uint64_t sector = load_le<uint64_t>(header + 8);
  VMAPPLE_TRACE(kTrace, "q{} head {} type {:#x} sector {} out {} in {}", q, chain.head, type,
                sector, chain.readable_bytes, chain.writable_bytes);
  if (!parse_body(*r, chain, type, sector)) r->kind = Kind::kDone;
  return r;
}

bool VirtioBlk::parse_body(Request& r, const Chain& chain, uint32_t type, uint64_t sector) {
  const uint64_t out_data = chain.readable_bytes - kHeaderBytes;
  const uint64_t in_data = chain.writable_bytes - 1;
  auto refuse = [&](uint8_t status, std::string_view why) {
    guest_error("virtio-blk", "q{} head {} type {:#x}: {}", r.queue, r.head, type, why);
    r.status = status;
    return false;
  };
  bool ro = features_ & kBlkFRo;

  // The Apple barrier is matched on the whole type (spec 6.5).
  if (options_.apple != AppleVariant::kNone && type == kBlkTAppleBarrier) {
    r.kind = Kind::kBarrier;
    return true;
  }
  const uint32_t t = type & ~kBlkTLegacyBarrier;
  switch (t) {
    case kBlkTIn:
    case kBlkTOut: {
      bool write = t == kBlkTOut;
      if (write ? in_data != 0 : out_data != 0)
        return refuse(kBlkSIoErr, "data buffer in the wrong direction");
      uint64_t length = write ? out_data : in_data;
      if (length == 0) return refuse(kBlkSIoErr, "zero-length transfer");
      if (length % kSectorSize) return refuse(kBlkSIoErr, "length not a multiple of 512");
      if (write && ro) return refuse(kBlkSIoErr, "write to a read-only disk");
      if (!set_range(r, sector, length)) return false;
      if (!map_data(r, chain, !write, write ? kHeaderBytes : 0, length)) return false;
      r.kind = write ? Kind::kWrite : Kind::kRead;
      return true;
    }
    case kBlkTFlush:
      if (!(driver_features_ & kBlkFFlush)) return refuse(kBlkSUnsupp, "FLUSH not negotiated");
      if (out_data || in_data) return refuse(kBlkSIoErr, "FLUSH with data");
      r.kind = Kind::kFlush;
      return true;
    case kBlkTGetId:
      if (out_data || in_data == 0) return refuse(kBlkSIoErr, "GET_ID without an id buffer");
      return write_id(r, chain);
    case kBlkTDiscard:
    case kBlkTWriteZeroes: {
      bool zeroes = t == kBlkTWriteZeroes;
      if (!(driver_features_ & (zeroes ? kBlkFWriteZeroes : kBlkFDiscard)))
        return refuse(kBlkSUnsupp, "DISCARD/WRITE_ZEROES not negotiated");
      if (ro) return refuse(kBlkSIoErr, "write to a read-only disk");
      if (in_data) return refuse(kBlkSIoErr, "data buffer in the wrong direction");
      if (out_data == 0 || out_data % kSegmentBytes) return refuse(kBlkSIoErr, "bad segment list");
      if (out_data / kSegmentBytes > kMaxSegments) return refuse(kBlkSIoErr, "too many segments");
      return parse_segment(r, chain, zeroes);
    }
    default:
      // SCSI passthrough, zone commands (the disk is not zoned), secure erase,
      // lifetime and anything unknown.
      VMAPPLE_TRACE(kTrace, "q{} head {}: unsupported type {:#x}", r.queue, r.head, type);
      r.status = kBlkSUnsupp;
      return false;
  }
}

bool VirtioBlk::set_range(Request& r, uint64_t sector, uint64_t length) {
  uint64_t capacity = backend_->size();
  if (sector > capacity / kSectorSize || length > capacity - sector * kSectorSize) {
    guest_error("virtio-blk", "q{} head {}: sectors {}+{} beyond the disk", r.queue, r.head, sector,
                length / kSectorSize);
    r.status = kBlkSIoErr;
    return false;
  }
  r.offset = sector * kSectorSize;
  r.length = length;
  return true;
}

bool VirtioBlk::map_data(Request& r, const Chain& chain, bool writable, uint64_t skip,
                         uint64_t length) {
  const size_t seg_max = options_.queue_size - 2u;
  const char* why = nullptr;
  bool ok = for_each_piece(chain, writable, skip, length, [&](uint64_t gpa, uint64_t n) {
    if (n > kSizeMax) why = "data buffer larger than size_max";
    if (r.iov.size() >= seg_max) why = "more data buffers than seg_max";
    auto span = memory_.span_at(gpa, n);
    if (!span) why = "data buffer outside RAM";
    if (why) return false;
    // Buffers that continue each other in host memory go as one.
    if (!r.iov.empty() &&
        static_cast<uint8_t*>(r.iov.back().iov_base) + r.iov.back().iov_len == span->data())
      r.iov.back().iov_len += n;
    else
      r.iov.push_back({span->data(), n});
    return true;
  });
  if (ok) return true;
  guest_error("virtio-blk", "q{} head {}: {}", r.queue, r.head, why ? why : "data too short");
  r.status = kBlkSIoErr;
  return false;
}

bool VirtioBlk::parse_segment(Request& r, const Chain& chain, bool write_zeroes) {
  uint8_t seg[kSegmentBytes];
  uint64_t copied = 0;
  bool in_ram =
      for_each_piece(chain, false, kHeaderBytes, kSegmentBytes, [&](uint64_t gpa, uint64_t n) {
        bool ok = memory_.read(gpa, std::span(seg + copied, n));
        copied += n;
        return ok;
      });
  if (!in_ram) {
    guest_error("virtio-blk", "q{} head {}: segment outside RAM", r.queue, r.head);
    r.status = kBlkSIoErr;
    return false;
  }
  uint64_t sector = load_le<uint64_t>(seg);
  uint32_t sectors = load_le<uint32_t>(seg + 8);
  uint32_t flags = load_le<uint32_t>(seg + 12);
  uint32_t allowed = write_zeroes ? kBlkWriteZeroesFUnmap : 0;
  uint32_t limit = write_zeroes ? kMaxWriteZeroesSectors : kMaxDiscardSectors;
  if (flags & ~allowed) {
    guest_error("virtio-blk", "q{} head {}: segment flags {:#x} not supported", r.queue, r.head,
                flags);
    r.status = kBlkSUnsupp;
    return false;
  }
  if (sectors == 0 || sectors > limit) {
    guest_error("virtio-blk", "q{} head {}: segment of {} sectors (limit {})", r.queue, r.head,
                sectors, limit);
    r.status = kBlkSIoErr;
    return false;
  }
  if (!set_range(r, sector, uint64_t{sectors} * kSectorSize)) return false;
  if (write_zeroes) {
    // UNMAP only permits deallocation; writing zeroes always satisfies it.
    for (uint64_t left = r.length; left > 0;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, kZeroChunk));
      r.iov.push_back({zero_chunk, n});
      left -= n;
    }
  }
  r.kind = write_zeroes ? Kind::kWriteZeroes : Kind::kDiscard;
  return true;
}

bool VirtioBlk::write_id(Request& r, const Chain& chain) {
  uint8_t id[kBlkIdBytes] = {};
  std::copy(options_.serial.begin(), options_.serial.end(), id);
  uint64_t n = std::min<uint64_t>(chain.writable_bytes - 1, kBlkIdBytes);
  uint64_t done = 0;
  bool ok = for_each_piece(chain, true, 0, n, [&](uint64_t gpa, uint64_t len) {
    bool in_ram = memory_.write(gpa, std::span<const uint8_t>(id + done, len));
    done += len;
    return in_ram;
  });
  r.status = ok ? kBlkSOk : kBlkSIoErr;
  if (!ok) guest_error("virtio-blk", "q{} head {}: id buffer outside RAM", r.queue, r.head);
  return false;  // complete at once with r.status
}

// ---- Dispatch and completion --------------------------------------------

void VirtioBlk::dispatch_locked(Request* r) {
  if (barrier_) {
    held_.push_back(r);
    return;
  }
  switch (r->kind) {
    case Kind::kDone:
      complete_locked(r, r->status);
      return;
    case Kind::kBarrier:
      barrier_ = r;
      maybe_start_barrier_locked();
      return;
    case Kind::kFlush:
      ++outstanding_;
      // Every write in flight now arrived before this flush.
      if (writes_in_flight_.empty())
        submit_flush_locked(r);
      else
        flush_waiters_.push_back(r);
      return;
    case Kind::kRead:
      if (try_read_now_locked(r)) return;
      ++outstanding_;
      submit_locked(r);
      return;
    case Kind::kWrite:
    case Kind::kDiscard:
    case Kind::kWriteZeroes:
      writes_in_flight_.insert(r->seq);
      ++outstanding_;
      submit_locked(r);
      return;
  }
}

bool VirtioBlk::try_read_now_locked(Request* r) {
  if (r->length > kFastReadMax || r->length > sync_budget_) return false;
  if (fast_skip_ > 0) {  // the data is mostly not cached: do not pay a failing syscall each time
    --fast_skip_;
    return false;
  }
  sync_budget_ -= r->length;
  if (backend_->try_read_now(r->offset, r->iov) != static_cast<int64_t>(r->length)) {
    if (++fast_misses_ >= 8) {
      fast_misses_ = 0;
      fast_skip_ = 64;
    }
    return false;
  }
  fast_misses_ = 0;
  complete_locked(r, kBlkSOk);
  return true;
}

void VirtioBlk::submit_locked(Request* r) {
  ++backend_ops_;
  auto done = [this, r](int64_t result) { on_backend_done(r, result); };
  switch (r->kind) {
    case Kind::kRead:
      backend_->readv(r->offset, r->iov, std::move(done));
      break;
    case Kind::kWrite:
    case Kind::kWriteZeroes:
      backend_->writev(r->offset, r->iov, std::move(done));
      break;
    case Kind::kDiscard:
      backend_->discard(r->offset, r->length, std::move(done));
      break;
    default:
      backend_->flush(std::move(done));
      break;
  }
}

void VirtioBlk::submit_flush_locked(Request* r) {
  ++backend_ops_;
  backend_->flush([this, r](int64_t result) { on_backend_done(r, result); });
}

void VirtioBlk::on_backend_done(Request* r, int64_t result) {
  std::lock_guard lock(mutex_);
  --backend_ops_;
  if (r->generation != generation_) {  // from before a reset: the rings are gone
    free_locked(r);
    return;
  }
  uint8_t status = result < 0 ? kBlkSIoErr : kBlkSOk;
  if (result < 0) VMAPPLE_TRACE(kTrace, "q{} head {}: backend error {}", r->queue, r->head, result);
  switch (r->kind) {
    case Kind::kBarrier:
      barrier_ = nullptr;
      barrier_flushing_ = false;
      complete_locked(r, status);
      release_held_locked();
      return;
    case Kind::kWrite:
    case Kind::kDiscard:
    case Kind::kWriteZeroes:
      if (!r->flush_after) {
        writes_in_flight_.erase(r->seq);
        writes_done_locked();
        if (result >= 0 && !writeback_locked()) {
          // Write-through cache mode: the data is on stable storage first.
          r->flush_after = true;
          submit_flush_locked(r);
          return;
        }
      }
      break;
    default:
      break;
  }
  --outstanding_;
  complete_locked(r, status);
  maybe_start_barrier_locked();
}

void VirtioBlk::complete_locked(Request* r, uint8_t status) {
  if (r->has_status) memory_.write_le<uint8_t>(r->status_gpa, status);
  Virtqueue& vq = queues_[r->queue];
  vq.push(r->head, r->used_len);
  VMAPPLE_TRACE(kTrace, "q{} head {} done, status {}", r->queue, r->head, status);
  if (vq.should_notify() && transport_) transport_->notify_queue(r->queue);
  free_locked(r);
}

void VirtioBlk::writes_done_locked() {
  while (!flush_waiters_.empty()) {
    Request* f = flush_waiters_.front();
    if (!writes_in_flight_.empty() && *writes_in_flight_.begin() < f->seq) return;
    flush_waiters_.pop_front();
    submit_flush_locked(f);
  }
}

void VirtioBlk::maybe_start_barrier_locked() {
  if (!barrier_ || barrier_flushing_ || outstanding_ > 0) return;
  // Everything before the barrier is complete: make it stable, then let the
  // requests behind it go.
  barrier_flushing_ = true;
  submit_flush_locked(barrier_);
}

void VirtioBlk::release_held_locked() {
  sync_budget_ = kSyncBudget;
  std::deque<Request*> held;
  held.swap(held_);
  // A barrier among them holds the rest again, in order.
  for (Request* r : held)
    dispatch_locked(r);
}

bool VirtioBlk::writeback_locked() const {
  if (!(driver_features_ & kBlkFFlush)) return false;
  return !(driver_features_ & kBlkFConfigWce) || config_[kBlkCfgWriteback] != 0;
}

void VirtioBlk::reset() {
  std::lock_guard lock(mutex_);
  ++generation_;
  active_ = false;
  needs_reset_ = false;
  driver_features_ = 0;
  for (Virtqueue& vq : queues_)
    vq.disable();
  // Requests no backend holds go now; the others when their completion comes.
  for (Request* r : held_)
    free_locked(r);
  held_.clear();
  for (Request* r : flush_waiters_)
    free_locked(r);
  flush_waiters_.clear();
  if (barrier_ && !barrier_flushing_) free_locked(barrier_);
  barrier_ = nullptr;
  barrier_flushing_ = false;
  writes_in_flight_.clear();
  outstanding_ = 0;
  config_[kBlkCfgWriteback] = 1;
  VMAPPLE_TRACE(kTrace, "reset, {} backend operations still running", backend_ops_);
}

bool VirtioBlk::quiescent() const {
  std::lock_guard lock(mutex_);
  return backend_ops_ == 0;
}

VirtioBlk::Request* VirtioBlk::alloc_locked() {
  if (free_.empty()) {
    pool_.push_back(std::make_unique<Request>());
    return pool_.back().get();
  }
  Request* r = free_.back();
  free_.pop_back();
  return r;
}

void VirtioBlk::free_locked(Request* r) {
  free_.push_back(r);
}

}  // namespace vmapple::virtio
