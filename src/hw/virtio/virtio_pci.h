#pragma once
// The modern virtio-pci transport (virtio 1.2, section 4.1): a PCI function
// whose vendor capabilities point at four structures in one 64-bit BAR (BAR 4,
// as QEMU places them): common configuration, ISR status, device-specific
// configuration and the notification doorbells, plus the PCI configuration
// access capability. Interrupts are INTx only (no MSI-X: the vmapple platform
// has no MSI controller), with the ISR cleared by reading it.
//
// Locks, outermost first: the transport's mutex_ (common configuration), the
// device's lock, isr_mutex_ (ISR and INTx level), the PCI function's mutex.
// Doorbells do not take mutex_, so vCPUs kicking different queues do not
// serialise on the transport.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "hw/pci/pci_function.h"
#include "hw/virtio/virtio_device.h"
#include "memory/mmio.h"

namespace vmapple {

class VirtioPci final : public PciFunction, public MmioHandler, public virtio::VirtioTransport {
 public:
  static constexpr unsigned kBar = 4;
  // Structure offsets in the BAR.
  static constexpr uint64_t kCommonOffset = 0x0000;
  static constexpr uint64_t kIsrOffset = 0x1000;
  static constexpr uint64_t kDeviceOffset = 0x2000;
  static constexpr uint64_t kNotifyOffset = 0x3000;
  static constexpr uint64_t kStructureSize = 0x1000;
  static constexpr uint32_t kNotifyOffMultiplier = 4;
  static constexpr MmioAccessRules kRules{1, 8, 1, 8};

  // virtio_pci_cap.cfg_type
  static constexpr uint8_t kCapCommonCfg = 1;
  static constexpr uint8_t kCapNotifyCfg = 2;
  static constexpr uint8_t kCapIsrCfg = 3;
  static constexpr uint8_t kCapDeviceCfg = 4;
  static constexpr uint8_t kCapPciCfg = 5;

  // virtio_pci_common_cfg
  static constexpr unsigned kDeviceFeatureSelect = 0x00;
  static constexpr unsigned kDeviceFeature = 0x04;
  static constexpr unsigned kDriverFeatureSelect = 0x08;
  static constexpr unsigned kDriverFeature = 0x0C;
  static constexpr unsigned kConfigMsixVector = 0x10;
  static constexpr unsigned kNumQueues = 0x12;
  static constexpr unsigned kDeviceStatus = 0x14;
  static constexpr unsigned kConfigGeneration = 0x15;
  static constexpr unsigned kQueueSelect = 0x16;
  static constexpr unsigned kQueueSize = 0x18;
  static constexpr unsigned kQueueMsixVector = 0x1A;
  static constexpr unsigned kQueueEnable = 0x1C;
  static constexpr unsigned kQueueNotifyOff = 0x1E;
  static constexpr unsigned kQueueDesc = 0x20;
  static constexpr unsigned kQueueDriver = 0x28;
  static constexpr unsigned kQueueDevice = 0x30;
  static constexpr unsigned kQueueNotifConfigData = 0x38;
  static constexpr unsigned kQueueReset = 0x3A;
  static constexpr unsigned kCommonCfgLength = 0x3C;

  // device_status bits (virtio 1.2, 2.1)
  static constexpr uint8_t kAcknowledge = 1;
  static constexpr uint8_t kDriver = 2;
  static constexpr uint8_t kDriverOk = 4;
  static constexpr uint8_t kFeaturesOk = 8;
  static constexpr uint8_t kDeviceNeedsReset = 0x40;
  static constexpr uint8_t kFailed = 0x80;

  static constexpr uint8_t kIsrQueue = 1;
  static constexpr uint8_t kIsrConfig = 2;
  static constexpr uint16_t kNoVector = 0xFFFF;

  // QEMU's defaults for every virtio-pci function (spec 6.2).
  static constexpr uint16_t kSubsystemVendorId = 0x1AF4;
  static constexpr uint16_t kSubsystemId = 0x1100;
  static constexpr uint8_t kRevision = 1;

  // The device must outlive the transport.
  VirtioPci(std::string name, virtio::VirtioDevice& device);
  ~VirtioPci() override;

  // The BAR (guest MMIO).
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // VirtioTransport (any thread).
  void notify_queue(uint16_t queue) override;
  void notify_config() override;
  void set_needs_reset() override;

  // Offsets of the capabilities in configuration space (tests, docs).
  uint8_t pci_cfg_capability() const { return pci_cfg_cap_; }

 protected:
  void config_written(unsigned offset, unsigned size) override;
  void config_reading(unsigned offset, unsigned size, uint32_t& value) override;
  void reset_function() override;

 private:
  uint8_t add_virtio_capability(uint8_t type, uint8_t length, uint64_t offset, uint64_t size);
  uint64_t read_common(unsigned offset, unsigned size);
  void write_common(unsigned offset, unsigned size, uint64_t value);
  void write_queue(unsigned offset, unsigned size, uint64_t value);
  void write_status(uint8_t value);
  bool features_acceptable();
  uint8_t status_locked();
  void reset_transport_locked();
  uint8_t read_isr();
  void raise_isr(uint8_t bits);
  void doorbell(uint64_t offset, unsigned size);
  // The PCI configuration access window (VIRTIO_PCI_CAP_PCI_CFG).
  bool pci_cfg_window(uint64_t& bar_offset, unsigned& length);

  virtio::VirtioDevice& device_;
  const uint16_t num_queues_;
  const uint32_t config_size_;
  uint8_t pci_cfg_cap_ = 0;

  std::mutex mutex_;
  uint32_t device_feature_select_ = 0;
  uint32_t driver_feature_select_ = 0;
  uint64_t driver_features_ = 0;
  bool driver_features_invalid_ = false;  // bits beyond 63 were set
  uint16_t queue_select_ = 0;
  std::vector<virtio::QueueState> queues_;
  bool resetting_ = false;  // status 0 written, device not yet quiescent
  uint8_t status_before_reset_ = 0;
  std::atomic<uint8_t> status_{0};
  std::atomic<bool> needs_reset_{false};
  std::atomic<uint8_t> config_generation_{0};

  std::mutex isr_mutex_;
  uint8_t isr_ = 0;
};

}  // namespace vmapple
