#pragma once
// virtio-blk (virtio 1.2, section 5.2) and its Apple variant
// (vmapple-virtio-blk-pci, spec section 6): requests from any number of
// queues go asynchronously to a BlockBackend; completions run on the
// EventLoop thread, write the status byte and the used ring and notify the
// transport. A vCPU that rings the doorbell never waits for the disk.
//
// A small read whose data is in the host page cache completes at once on the
// notifying thread (no disk wait, bounded copy); see kFastReadMax.
//
// Ordering: a FLUSH is passed to the backend only once every write (OUT,
// DISCARD, WRITE_ZEROES) received before it has completed, so its
// completion covers all of them. The Apple barrier is a full fence: requests
// received after it wait until everything before it has completed and a
// backend flush has finished; then the barrier completes and they start.
// QEMU completes the barrier at once; see docs/devices/virtio-blk.md.
//
// Guest errors in a request complete it with VIRTIO_BLK_S_IOERR or
// VIRTIO_BLK_S_UNSUPP; a malformed ring sets DEVICE_NEEDS_RESET.
//
// Destroying the device destroys its backend first (waiting for requests the
// backend holds), so do not destroy it while holding a lock its completions
// take, nor on the EventLoop thread inside a completion.
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "block/block_backend.h"
#include "hw/virtio/virtio_device.h"
#include "hw/virtio/virtqueue.h"
#include "memory/guest_memory.h"

namespace vmapple::virtio {

// Feature bits (virtio 1.2, 5.2.3).
inline constexpr uint64_t kBlkFSizeMax = 1ull << 1;
inline constexpr uint64_t kBlkFSegMax = 1ull << 2;
inline constexpr uint64_t kBlkFGeometry = 1ull << 4;
inline constexpr uint64_t kBlkFRo = 1ull << 5;
inline constexpr uint64_t kBlkFBlkSize = 1ull << 6;
inline constexpr uint64_t kBlkFFlush = 1ull << 9;
inline constexpr uint64_t kBlkFTopology = 1ull << 10;
inline constexpr uint64_t kBlkFConfigWce = 1ull << 11;
inline constexpr uint64_t kBlkFMq = 1ull << 12;
inline constexpr uint64_t kBlkFDiscard = 1ull << 13;
inline constexpr uint64_t kBlkFWriteZeroes = 1ull << 14;
inline constexpr uint64_t kBlkFZoned = 1ull << 17;

// Request types (5.2.6) and the Apple barrier (spec 6.5).
inline constexpr uint32_t kBlkTIn = 0;
inline constexpr uint32_t kBlkTOut = 1;
inline constexpr uint32_t kBlkTFlush = 4;
inline constexpr uint32_t kBlkTGetId = 8;
inline constexpr uint32_t kBlkTDiscard = 11;
inline constexpr uint32_t kBlkTWriteZeroes = 13;
inline constexpr uint32_t kBlkTLegacyBarrier = 1u << 31;
inline constexpr uint32_t kBlkTAppleBarrier = 0x0001'0000;

inline constexpr uint8_t kBlkSOk = 0;
inline constexpr uint8_t kBlkSIoErr = 1;
inline constexpr uint8_t kBlkSUnsupp = 2;

inline constexpr uint32_t kBlkWriteZeroesFUnmap = 1;
inline constexpr uint32_t kBlkIdBytes = 20;
inline constexpr uint64_t kSectorSize = 512;

// Config-space offsets (struct virtio_blk_config).
inline constexpr uint32_t kBlkCfgCapacity = 0x00;
inline constexpr uint32_t kBlkCfgSizeMax = 0x08;
inline constexpr uint32_t kBlkCfgSegMax = 0x0C;
inline constexpr uint32_t kBlkCfgGeometry = 0x10;
inline constexpr uint32_t kBlkCfgBlkSize = 0x14;
inline constexpr uint32_t kBlkCfgTopology = 0x18;
inline constexpr uint32_t kBlkCfgWriteback = 0x20;
inline constexpr uint32_t kBlkCfgNumQueues = 0x22;
inline constexpr uint32_t kBlkCfgMaxDiscardSectors = 0x24;
inline constexpr uint32_t kBlkCfgMaxDiscardSeg = 0x28;
inline constexpr uint32_t kBlkCfgDiscardAlignment = 0x2C;
inline constexpr uint32_t kBlkCfgMaxWriteZeroesSectors = 0x30;
inline constexpr uint32_t kBlkCfgMaxWriteZeroesSeg = 0x34;
inline constexpr uint32_t kBlkCfgWriteZeroesMayUnmap = 0x38;
inline constexpr uint32_t kBlkCfgAppleType = 0x3C;  // max_secure_erase_sectors elsewhere
inline constexpr uint32_t kBlkCfgZonedModel = 0x5C;
inline constexpr uint32_t kBlkConfigSize = 0x3C;       // without secure erase and zoned fields
inline constexpr uint32_t kBlkAppleConfigSize = 0x60;  // with them (ZONED offered)

// The `variant` option of vmapple-virtio-blk-pci; kNone is a plain
// virtio-blk-pci. The value is what the guest reads at kBlkCfgAppleType.
enum class AppleVariant : uint32_t { kNone = 0, kRoot = 1, kAux = 2 };
// "root" or "aux"; throws ConfigError for anything else ("unspecified" too).
AppleVariant parse_apple_variant(std::string_view text);

struct VirtioBlkOptions {
  AppleVariant apple = AppleVariant::kNone;
  uint16_t num_queues = 1;
  uint16_t queue_size = 256;  // a power of two, 4..32768
  std::string serial;         // GET_ID; at most 20 bytes are returned
};

class VirtioBlk final : public VirtioDevice {
 public:
  // Limits the device advertises (and enforces).
  static constexpr uint32_t kSizeMax = 4u << 20;                // bytes per data buffer
  static constexpr uint32_t kMaxDiscardSectors = 1u << 22;      // 2 GiB
  static constexpr uint32_t kMaxWriteZeroesSectors = 1u << 16;  // 32 MiB
  static constexpr uint32_t kDiscardAlignmentSectors = 8;       // 4 KiB, a hint
  static constexpr uint8_t kPhysicalBlockExp = 3;               // 4 KiB physical blocks
  // Reads up to this size are first tried at once from the page cache
  // (BlockBackend::try_read_now), at most kSyncBudget bytes per doorbell, so
  // a cached read needs no thread hand-off and a vCPU still never waits for
  // the disk nor copies for long.
  static constexpr uint64_t kFastReadMax = 64 << 10;
  static constexpr uint64_t kSyncBudget = 256 << 10;

  // Throws ConfigError for options out of range. `backend` outlives nothing
  // of the device: the device owns it.
  VirtioBlk(const GuestMemory& memory, std::unique_ptr<BlockBackend> backend,
            VirtioBlkOptions options);
  ~VirtioBlk() override;

  void attach(VirtioTransport& transport) override;
  uint16_t device_id() const override { return kDeviceIdBlock; }
  PciIdentity pci_identity() const override;
  uint64_t device_features() const override { return features_; }
  bool accept_features(uint64_t driver_features) override;
  uint32_t config_size() const override { return static_cast<uint32_t>(config_.size()); }
  void read_config(uint32_t offset, std::span<uint8_t> data) override;
  void write_config(uint32_t offset, std::span<const uint8_t> data) override;
  uint16_t num_queues() const override { return options_.num_queues; }
  uint16_t max_queue_size() const override { return options_.queue_size; }
  void activate(uint64_t features, std::span<const QueueState> queues) override;
  void notify(uint16_t queue) override;
  void reset() override;
  bool quiescent() const override;

  std::string_view name() const { return "virtio-blk"; }
  const VirtioBlkOptions& options() const { return options_; }

 private:
  enum class Kind : uint8_t { kRead, kWrite, kFlush, kDiscard, kWriteZeroes, kBarrier, kDone };

  struct Request {
    uint64_t generation = 0;
    uint64_t seq = 0;  // order of arrival across all queues
    uint16_t queue = 0;
    uint16_t head = 0;
    Kind kind = Kind::kDone;
    uint8_t status = kBlkSOk;  // for kDone: the result decided at parse time
    bool has_status = false;
    bool flush_after = false;  // write-through: flush before completing
    uint64_t status_gpa = 0;
    uint32_t used_len = 0;
    uint64_t offset = 0;  // bytes
    uint64_t length = 0;
    std::vector<iovec> iov;
  };

  void build_config();
  void process_queue_locked(uint16_t q);
  Request* parse_locked(uint16_t q, const Chain& chain);
  bool parse_body(Request& r, const Chain& chain, uint32_t type, uint64_t sector);
  bool map_data(Request& r, const Chain& chain, bool writable, uint64_t skip, uint64_t length);
  bool set_range(Request& r, uint64_t sector, uint64_t length);
  bool parse_segment(Request& r, const Chain& chain, bool write_zeroes);
  bool write_id(Request& r, const Chain& chain);

  void dispatch_locked(Request* r);
  bool try_read_now_locked(Request* r);
  void submit_locked(Request* r);
  void submit_flush_locked(Request* r);
  void on_backend_done(Request* r, int64_t result);
  void complete_locked(Request* r, uint8_t status);
  void writes_done_locked();
  void maybe_start_barrier_locked();
  void release_held_locked();

  Request* alloc_locked();
  void free_locked(Request* r);
  bool writeback_locked() const;

  const GuestMemory& memory_;
  const VirtioBlkOptions options_;
  uint64_t features_ = 0;
  std::vector<uint8_t> config_;
  std::unique_ptr<BlockBackend> backend_;
  VirtioTransport* transport_ = nullptr;

  mutable std::mutex mutex_;
  uint64_t driver_features_ = 0;
  bool active_ = false;
  bool needs_reset_ = false;
  std::vector<Virtqueue> queues_;
  Chain chain_;  // scratch for pop()
  uint64_t generation_ = 0;
  uint64_t next_seq_ = 0;
  unsigned backend_ops_ = 0;  // operations a backend holds, any generation
  unsigned outstanding_ = 0;  // dispatched, not completed, not held (this generation)
  std::set<uint64_t> writes_in_flight_;
  std::deque<Request*> flush_waiters_;  // FLUSHes waiting for earlier writes
  Request* barrier_ = nullptr;          // the barrier being honoured
  bool barrier_flushing_ = false;
  std::deque<Request*> held_;  // arrived after barrier_
  uint64_t sync_budget_ = 0;   // bytes try_read_now_locked() may still copy now
  unsigned fast_misses_ = 0;   // consecutive reads the page cache could not serve
  unsigned fast_skip_ = 0;     // reads to send straight to the backend
  std::vector<std::unique_ptr<Request>> pool_;
  std::vector<Request*> free_;
};

}  // namespace vmapple::virtio
