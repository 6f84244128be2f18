#pragma once
// The transport-independent side of a virtio device (virtio 1.2, section 2):
// what a transport (virtio-pci) needs of a device, and what a device needs of
// its transport. The transport owns the common configuration (status,
// feature windows, queue registers, ISR, config generation) and hands the
// device the negotiated features and the queue layout when the driver sets
// DRIVER_OK. The device owns its configuration area, its queues' processing
// and the decision when a used-buffer notification is due.
//
// Threads and locks: the transport calls the device from vCPU threads (MMIO),
// possibly with the transport's own lock held. The device calls the
// VirtioTransport methods from any thread (vCPU or the EventLoop thread that
// runs block completions), possibly with the device's lock held. So a
// transport's callbacks take only a leaf lock (e.g. one guarding the ISR and
// the INTx level) and never call back into the device.
#include <cstdint>
#include <span>

namespace vmapple::virtio {

// Device types (virtio 1.2, section 5).
inline constexpr uint16_t kDeviceIdNet = 1;
inline constexpr uint16_t kDeviceIdBlock = 2;

// Reserved feature bits (virtio 1.2, section 6) the devices here use.
inline constexpr uint64_t kFRingIndirectDesc = 1ull << 28;
inline constexpr uint64_t kFRingEventIdx = 1ull << 29;
inline constexpr uint64_t kFVersion1 = 1ull << 32;

// One virtqueue as the driver configured it through the transport. Addresses
// are guest-physical and unchecked: the device validates them.
struct QueueState {
  uint16_t size = 0;  // number of entries; a power of two <= max_queue_size()
  bool enabled = false;
  uint64_t desc = 0;    // descriptor table
  uint64_t driver = 0;  // available ring ("driver area")
  uint64_t device = 0;  // used ring ("device area")
};

// How the device should appear on PCI. The transport sets these in config
// space; a device that keeps the virtio defaults returns
// pci_identity_for(device_id(), class_code).
struct PciIdentity {
  uint16_t vendor_id;
  uint16_t device_id;
  uint32_t class_code;  // base class << 16 | subclass << 8 | prog-if
};
inline constexpr PciIdentity pci_identity_for(uint16_t virtio_device_id, uint32_t class_code) {
  // Modern-only virtio-pci function (virtio 1.2, 4.1.2.1).
  return {0x1AF4, static_cast<uint16_t>(0x1040 + virtio_device_id), class_code};
}

// What the device asks of its transport. Callable from any thread.
class VirtioTransport {
 public:
  virtual ~VirtioTransport() = default;
  // A used-buffer notification for queue `queue` (the device has already
  // applied suppression: VRING_AVAIL_F_NO_INTERRUPT / used_event). On PCI
  // without MSI-X: set ISR bit 0 and raise INTx.
  virtual void notify_queue(uint16_t queue) = 0;
  // The device configuration changed: bump config_generation, set ISR bit 1
  // and raise INTx.
  virtual void notify_config() = 0;
  // The device hit an error it cannot recover from without a reset (e.g. a
  // malformed ring): set DEVICE_NEEDS_RESET in device_status and send a
  // configuration change notification (virtio 1.2, 2.1.2).
  virtual void set_needs_reset() = 0;
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;

  // The transport registers itself once, before any other call. The
  // transport outlives the device's use of it (it resets the device first).
  virtual void attach(VirtioTransport& transport) = 0;

  virtual uint16_t device_id() const = 0;
  virtual PciIdentity pci_identity() const = 0;

  // All offered feature bits, the reserved ones (VERSION_1, INDIRECT_DESC,
  // EVENT_IDX) included. Constant for the device's life.
  virtual uint64_t device_features() const = 0;
  // FEATURES_OK: the transport has checked that `driver_features` is a subset
  // of device_features(); the device may still refuse the combination (e.g.
  // without VERSION_1). Returning false leaves FEATURES_OK clear.
  virtual bool accept_features(uint64_t driver_features) = 0;

  // The device-specific configuration area, byte-addressed. The transport
  // only passes ranges within [0, config_size()); accesses of 1, 2, 4 or 8
  // bytes, little-endian.
  virtual uint32_t config_size() const = 0;
  virtual void read_config(uint32_t offset, std::span<uint8_t> data) = 0;
  virtual void write_config(uint32_t offset, std::span<const uint8_t> data) = 0;

  virtual uint16_t num_queues() const = 0;
  virtual uint16_t max_queue_size() const = 0;  // queue_size reads this at reset

  // DRIVER_OK: `queues` holds num_queues() entries as the driver programmed
  // them; the device copies what it needs. Queues not enabled are ignored.
  virtual void activate(uint64_t features, std::span<const QueueState> queues) = 0;
  // The driver wrote queue_notify for `queue` (any value; out-of-range and
  // not-yet-active queues are ignored by the device). Runs on a vCPU thread
  // and never waits for I/O.
  virtual void notify(uint16_t queue) = 0;

  // Device reset (device_status written with 0, or system reset). From then
  // on the device touches no ring and sends no notification; requests
  // already handed to a backend may still finish moving their data.
  virtual void reset() = 0;
  // False while requests from before the last reset are still in a backend.
  // A transport reports device_status 0 only once this is true, so a driver
  // that polls for the reset to finish never reuses buffers still in use.
  virtual bool quiescent() const = 0;
};

}  // namespace vmapple::virtio
