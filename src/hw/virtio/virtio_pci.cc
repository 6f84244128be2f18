#include "hw/virtio/virtio_pci.h"

#include <algorithm>
#include <bit>
#include <optional>

#include "base/bits.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("virtio-pci");

// virtio_pci_cap field offsets.
constexpr unsigned kCapLen = 2;
constexpr unsigned kCapCfgType = 3;
constexpr unsigned kCapBar = 4;
constexpr unsigned kCapOffset = 8;
constexpr unsigned kCapLength = 12;
constexpr unsigned kCapExtra = 16;  // notify_off_multiplier, or pci_cfg_data
constexpr uint8_t kCapSize = 16;

PciIdentity identity_of(const virtio::VirtioDevice& device) {
  virtio::PciIdentity v = device.pci_identity();
  PciIdentity id;
  id.vendor_id = v.vendor_id;
  id.device_id = v.device_id;
  id.class_code = v.class_code;
  id.revision = VirtioPci::kRevision;
  id.subsystem_vendor_id = VirtioPci::kSubsystemVendorId;
  id.subsystem_id = VirtioPci::kSubsystemId;
  id.pin = pci::IntxPin::kA;
  return id;
}

uint64_t bar_size(uint16_t num_queues) {
  uint64_t end = VirtioPci::kNotifyOffset + uint64_t{num_queues} * VirtioPci::kNotifyOffMultiplier;
  return std::bit_ceil(
      std::max<uint64_t>(end, VirtioPci::kNotifyOffset + VirtioPci::kStructureSize));
}

}  // namespace

VirtioPci::VirtioPci(std::string name, virtio::VirtioDevice& device)
    : PciFunction(std::move(name), identity_of(device)),
      device_(device),
      num_queues_(device.num_queues()),
      config_size_(std::min<uint32_t>(device.config_size(), kStructureSize)),
      queues_(num_queues_) {
  define_bar(kBar, {bar_size(num_queues_), true, true, this, kRules});
  add_virtio_capability(kCapCommonCfg, kCapSize, kCommonOffset, kStructureSize);
  add_virtio_capability(kCapIsrCfg, kCapSize, kIsrOffset, kStructureSize);
  add_virtio_capability(kCapDeviceCfg, kCapSize, kDeviceOffset, kStructureSize);
  uint8_t notify = add_virtio_capability(kCapNotifyCfg, kCapSize + 4, kNotifyOffset,
                                         std::max(1, int{num_queues_}) * kNotifyOffMultiplier);
  init_config(notify + kCapExtra, 4, kNotifyOffMultiplier);
  pci_cfg_cap_ = add_virtio_capability(kCapPciCfg, kCapSize + 4, 0, 0);
  init_writable(pci_cfg_cap_ + kCapBar, 1, 0xFF);
  init_writable(pci_cfg_cap_ + kCapOffset, 4, ~0u);
  init_writable(pci_cfg_cap_ + kCapLength, 4, ~0u);
  init_writable(pci_cfg_cap_ + kCapExtra, 4, ~0u);
  reset_transport_locked();
  device_.attach(*this);
}

VirtioPci::~VirtioPci() {
  device_.reset();
}

uint8_t VirtioPci::add_virtio_capability(uint8_t type, uint8_t length, uint64_t offset,
                                         uint64_t size) {
  uint8_t cap = add_capability(pci::kCapVendor, length);
  init_config(cap + kCapLen, 1, length);
  init_config(cap + kCapCfgType, 1, type);
  init_config(cap + kCapBar, 1, type == kCapPciCfg ? 0 : kBar);
  init_config(cap + kCapOffset, 4, static_cast<uint32_t>(offset));
  init_config(cap + kCapLength, 4, static_cast<uint32_t>(size));
  return cap;
}

// ---- BAR dispatch ----

uint64_t VirtioPci::read(uint64_t offset, unsigned size) {
  if (offset < kIsrOffset) return read_common(static_cast<unsigned>(offset), size);
  if (offset < kDeviceOffset) return offset == kIsrOffset ? read_isr() : 0;
  if (offset < kNotifyOffset) {
    uint64_t at = offset - kDeviceOffset;
    if (size > 8 || at + size > config_size_) {
      guest_error(name(), "{}-byte device configuration read at {:#x} beyond {:#x} bytes", size, at,
                  config_size_);
      return 0;
    }
    uint8_t bytes[8] = {};
    device_.read_config(static_cast<uint32_t>(at), {bytes, size});
    return load_le<uint64_t>(bytes) & mask(8 * size);
  }
  return 0;  // doorbells read as zero
}

void VirtioPci::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset < kIsrOffset) return write_common(static_cast<unsigned>(offset), size, value);
  if (offset < kDeviceOffset) return;  // the ISR is read-only
  if (offset < kNotifyOffset) {
    uint64_t at = offset - kDeviceOffset;
    if (size > 8 || at + size > config_size_) {
      guest_error(name(), "{}-byte device configuration write at {:#x} beyond {:#x} bytes", size,
                  at, config_size_);
      return;
    }
    uint8_t bytes[8];
    store_le<uint64_t>(bytes, value);
    device_.write_config(static_cast<uint32_t>(at), {bytes, size});
    return;
  }
  doorbell(offset - kNotifyOffset, size);
}

void VirtioPci::doorbell(uint64_t offset, unsigned size) {
  uint64_t queue = offset / kNotifyOffMultiplier;
  if (offset % kNotifyOffMultiplier || size > 4 || queue >= num_queues_) {
    guest_error(name(), "{}-byte notification at +{:#x} is no queue's doorbell", size, offset);
    return;
  }
  uint8_t status = status_.load();
  if (!(status & kDriverOk) || (status & kFailed) || needs_reset_.load()) {
    guest_error(name(), "queue {} notified while the device is not live (status {:#x})", queue,
                status);
    return;
  }
  if (!bus_master_enabled()) {
    guest_error(name(), "queue {} notified with bus mastering off: ignored", queue);
    return;
  }
  VMAPPLE_TRACE(kTrace, "{}: notify queue {}", name(), queue);
  device_.notify(static_cast<uint16_t>(queue));
}

// ---- Common configuration ----

uint8_t VirtioPci::status_locked() {
  if (resetting_) {
    if (!device_.quiescent()) return status_before_reset_;
    resetting_ = false;
  }
  return status_.load() | (needs_reset_.load() ? kDeviceNeedsReset : 0);
}

uint64_t VirtioPci::read_common(unsigned offset, unsigned size) {
  std::lock_guard lock(mutex_);
  const bool valid_queue = queue_select_ < num_queues_;
  const virtio::QueueState* q = valid_queue ? &queues_[queue_select_] : nullptr;
  auto field = [&](unsigned at, unsigned width) { return offset == at && size == width; };
  // 64-bit fields may also be read as two 32-bit halves.
  auto address = [&](unsigned at, uint64_t v) -> std::optional<uint64_t> {
    if (field(at, 8)) return v;
    if (field(at, 4)) return v & 0xFFFF'FFFF;
    if (field(at + 4, 4)) return v >> 32;
    return std::nullopt;
  };
  if (field(kDeviceFeatureSelect, 4)) return device_feature_select_;
  if (field(kDeviceFeature, 4))
    return device_feature_select_ < 2 ? device_.device_features() >> (32 * device_feature_select_)
                                      : 0;
  if (field(kDriverFeatureSelect, 4)) return driver_feature_select_;
  if (field(kDriverFeature, 4))
    return driver_feature_select_ < 2
               ? (driver_features_ >> (32 * driver_feature_select_)) & 0xFFFF'FFFF
               : 0;
  if (field(kConfigMsixVector, 2) || field(kQueueMsixVector, 2)) return kNoVector;
  if (field(kNumQueues, 2)) return num_queues_;
  if (field(kDeviceStatus, 1)) return status_locked();
  if (field(kConfigGeneration, 1)) return config_generation_.load();
  if (field(kQueueSelect, 2)) return queue_select_;
  if (field(kQueueSize, 2)) return q ? q->size : 0;
  if (field(kQueueEnable, 2)) return q ? q->enabled : 0;
  if (field(kQueueNotifyOff, 2)) return q ? queue_select_ : 0;
  if (field(kQueueNotifConfigData, 2) || field(kQueueReset, 2)) return 0;
  if (offset >= kQueueDesc && offset < kQueueNotifConfigData) {
    unsigned base = offset & ~7u;
    uint64_t v = !q                     ? 0
                 : base == kQueueDesc   ? q->desc
                 : base == kQueueDriver ? q->driver
                                        : q->device;
    if (auto r = address(base, v)) return *r;
  }
  if (offset >= kCommonCfgLength) return 0;  // padding up to the structure size
  guest_error(name(), "{}-byte common configuration read at {:#x} matches no field", size, offset);
  return 0;
}

void VirtioPci::write_common(unsigned offset, unsigned size, uint64_t value) {
  std::lock_guard lock(mutex_);
  auto field = [&](unsigned at, unsigned width) { return offset == at && size == width; };
  if (field(kDeviceFeatureSelect, 4)) {
    device_feature_select_ = static_cast<uint32_t>(value);
  } else if (field(kDriverFeatureSelect, 4)) {
    driver_feature_select_ = static_cast<uint32_t>(value);
  } else if (field(kDriverFeature, 4)) {
    if (status_.load() & (kFeaturesOk | kDriverOk)) {
      guest_error(name(), "driver features written after FEATURES_OK: ignored");
    } else if (driver_feature_select_ < 2) {
      unsigned shift = 32 * driver_feature_select_;
      driver_features_ = (driver_features_ & ~(uint64_t{0xFFFF'FFFF} << shift)) | (value << shift);
    } else if (value) {
      driver_features_invalid_ = true;  // no feature beyond bit 63 is offered
    }
  } else if (field(kConfigMsixVector, 2) || field(kQueueMsixVector, 2)) {
    // No MSI-X: the vector registers keep NO_VECTOR.
  } else if (field(kDeviceStatus, 1)) {
    write_status(static_cast<uint8_t>(value));
  } else if (field(kQueueSelect, 2)) {
    queue_select_ = static_cast<uint16_t>(value);
  } else if (offset >= kQueueSize && offset < kQueueNotifConfigData) {
    write_queue(offset, size, value);
  } else if (!field(kQueueReset, 2) && offset < kCommonCfgLength) {
    guest_error(name(), "{}-byte common configuration write at {:#x} (value {:#x}) ignored", size,
                offset, value);
  }
}

void VirtioPci::write_queue(unsigned offset, unsigned size, uint64_t value) {
  if (queue_select_ >= num_queues_) {
    guest_error(name(), "queue register {:#x} written for absent queue {}", offset, queue_select_);
    return;
  }
  virtio::QueueState& q = queues_[queue_select_];
  if (q.enabled || (status_.load() & kDriverOk)) {
    guest_error(name(), "queue {} register {:#x} written while live: ignored", queue_select_,
                offset);
    return;
  }
  if (offset == kQueueSize && size == 2) {
    q.size = static_cast<uint16_t>(value);
  } else if (offset == kQueueEnable && size == 2) {
    if (value != 1) {
      guest_error(name(), "queue {} enable written with {}: ignored", queue_select_, value);
    } else if (q.size == 0 || !std::has_single_bit(q.size) || q.size > device_.max_queue_size()) {
      guest_error(name(), "queue {} size {} is invalid: not enabled", queue_select_, q.size);
    } else {
      q.enabled = true;
    }
  } else if (offset >= kQueueDesc && (size == 8 || size == 4)) {
    unsigned base = offset & ~7u;
    uint64_t& reg = base == kQueueDesc ? q.desc : base == kQueueDriver ? q.driver : q.device;
    if (size == 8 && offset == base)
      reg = value;
    else if (size == 4 && offset == base)
      reg = (reg & ~uint64_t{0xFFFF'FFFF}) | (value & 0xFFFF'FFFF);
    else if (size == 4)
      reg = (reg & 0xFFFF'FFFF) | (value << 32);
    else
      guest_error(name(), "misaligned queue address write at {:#x}", offset);
  } else if (offset != kQueueMsixVector && offset != kQueueNotifyOff) {
    guest_error(name(), "{}-byte queue register write at {:#x} ignored", size, offset);
  }
}

bool VirtioPci::features_acceptable() {
  uint64_t offered = device_.device_features();
  if (driver_features_invalid_ || (driver_features_ & ~offered)) {
    guest_error(name(), "driver accepted features {:#x} that were not offered ({:#x})",
                driver_features_, offered);
    return false;
  }
  if (!(driver_features_ & virtio::kFVersion1)) {
    guest_error(name(), "driver did not accept VERSION_1: legacy drivers are not supported");
    return false;
  }
  return device_.accept_features(driver_features_);
}

void VirtioPci::write_status(uint8_t value) {
  uint8_t old = status_.load();
  if (value == 0) {
    VMAPPLE_TRACE(kTrace, "{}: device reset", name());
    status_before_reset_ = old;
    device_.reset();
    reset_transport_locked();
    resetting_ = true;
    return;
  }
  // A driver that does not wait for the reset to finish gets what it asked for.
  resetting_ = false;
  if (old & ~value & ~kDeviceNeedsReset)
    guest_error(name(), "status {:#x} -> {:#x} clears bits without a reset", old, value);
  uint8_t next = (old | value) & ~kDeviceNeedsReset;
  uint8_t added = next & ~old;
  if (added & kFeaturesOk) {
    if ((next & (kAcknowledge | kDriver)) != (kAcknowledge | kDriver)) {
      guest_error(name(), "FEATURES_OK before ACKNOWLEDGE and DRIVER");
      next &= ~kFeaturesOk;
    } else if (!features_acceptable()) {
      next &= ~kFeaturesOk;
    }
  }
  if (added & kDriverOk) {
    if (!(next & kFeaturesOk)) {
      guest_error(name(), "DRIVER_OK without FEATURES_OK");
      next &= ~kDriverOk;
    } else {
      device_.activate(driver_features_, queues_);
    }
  }
  VMAPPLE_TRACE(kTrace, "{}: status {:#x} -> {:#x}", name(), old, next);
  status_.store(next);
}

void VirtioPci::reset_transport_locked() {
  status_.store(0);
  needs_reset_.store(false);
  device_feature_select_ = driver_feature_select_ = 0;
  driver_features_ = 0;
  driver_features_invalid_ = false;
  queue_select_ = 0;
  for (auto& q : queues_)
    q = {device_.max_queue_size(), false, 0, 0, 0};
  std::lock_guard lock(isr_mutex_);
  isr_ = 0;
  set_irq(false);
}

void VirtioPci::reset_function() {
  std::lock_guard lock(mutex_);
  device_.reset();
  reset_transport_locked();
  resetting_ = false;
}

// ---- ISR and interrupts ----

uint8_t VirtioPci::read_isr() {
  std::lock_guard lock(isr_mutex_);
  uint8_t value = isr_;
  isr_ = 0;
  set_irq(false);
  return value;
}

void VirtioPci::raise_isr(uint8_t bits) {
  std::lock_guard lock(isr_mutex_);
  isr_ |= bits;
  set_irq(true);
}

void VirtioPci::notify_queue(uint16_t queue) {
  VMAPPLE_TRACE(kTrace, "{}: used buffers in queue {}", name(), queue);
  raise_isr(kIsrQueue);
}

void VirtioPci::notify_config() {
  config_generation_.fetch_add(1);
  raise_isr(kIsrConfig);
}

void VirtioPci::set_needs_reset() {
  needs_reset_.store(true);
  if (status_.load() & kDriverOk) notify_config();
}

// ---- VIRTIO_PCI_CAP_PCI_CFG ----

bool VirtioPci::pci_cfg_window(uint64_t& bar_offset, unsigned& length) {
  unsigned bar = host_read_config(pci_cfg_cap_ + kCapBar, 1);
  bar_offset = host_read_config(pci_cfg_cap_ + kCapOffset, 4);
  length = host_read_config(pci_cfg_cap_ + kCapLength, 4);
  bool ok = bar == kBar && (length == 1 || length == 2 || length == 4) &&
            bar_offset % length == 0 && bar_offset + length <= bar_size(num_queues_);
  if (!ok)
    guest_error(name(), "PCI configuration access window BAR{} +{:#x} length {} is invalid", bar,
                bar_offset, length);
  return ok;
}

void VirtioPci::config_reading(unsigned offset, unsigned size, uint32_t& value) {
  unsigned data = pci_cfg_cap_ + kCapExtra;
  if (offset >= data + 4 || offset + size <= data) return;
  uint64_t at;
  unsigned length;
  if (!pci_cfg_window(at, length)) return;
  uint32_t bar_value = static_cast<uint32_t>(read(at, length));
  host_write_config(data, 4, bar_value);
  value = host_read_config(offset, size);
}

void VirtioPci::config_written(unsigned offset, unsigned size) {
  unsigned data = pci_cfg_cap_ + kCapExtra;
  if (offset >= data + 4 || offset + size <= data) return;
  uint64_t at;
  unsigned length;
  if (!pci_cfg_window(at, length)) return;
  write(at, length, host_read_config(data, 4) & mask(8 * length));
}

}  // namespace vmapple
