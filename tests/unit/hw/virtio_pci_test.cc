// The modern virtio-pci transport (virtio 1.2, 4.1) driven as a guest driver
// drives it: capabilities found by walking the list, the BAR sized and
// programmed through ECAM, then the common configuration, ISR, device
// configuration and doorbells through the mapped BAR. The device behind it
// is a recording fake.
#include "hw/virtio/virtio_pci.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "base/log.h"
#include "hw/pci/gpex.h"
#include "unit/hw/pci_driver.h"

namespace vmapple {
namespace {

using V = VirtioPci;
constexpr uint64_t kEcam = 0x4000'0000;
constexpr uint64_t kWindow = 0x5000'0000;
constexpr uint64_t kWindowSize = 0x1FFF'0000;
constexpr unsigned kSlot = 3;
constexpr uint64_t kOffered = virtio::kFVersion1 | virtio::kFRingEventIdx | (1ull << 9);

class FakeDevice final : public virtio::VirtioDevice {
 public:
  void attach(virtio::VirtioTransport& t) override { transport = &t; }
  uint16_t device_id() const override { return virtio::kDeviceIdBlock; }
  virtio::PciIdentity pci_identity() const override {
    return virtio::pci_identity_for(device_id(), 0x010000);
  }
  uint64_t device_features() const override { return kOffered; }
  bool accept_features(uint64_t f) override {
    accepted.push_back(f);
    return accept;
  }
  uint32_t config_size() const override { return static_cast<uint32_t>(config.size()); }
  void read_config(uint32_t offset, std::span<uint8_t> data) override {
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = config.at(offset + i);
  }
  void write_config(uint32_t offset, std::span<const uint8_t> data) override {
    for (size_t i = 0; i < data.size(); ++i)
      config.at(offset + i) = data[i];
  }
  uint16_t num_queues() const override { return 2; }
  uint16_t max_queue_size() const override { return 128; }
  void activate(uint64_t f, std::span<const virtio::QueueState> q) override {
    activated_features = f;
    queues.assign(q.begin(), q.end());
    ++activations;
  }
  void notify(uint16_t q) override { notified.push_back(q); }
  void reset() override { ++resets; }
  bool quiescent() const override { return quiet; }

  virtio::VirtioTransport* transport = nullptr;
  bool accept = true;
  bool quiet = true;
  std::array<uint8_t, 24> config{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<uint64_t> accepted;
  uint64_t activated_features = 0;
  std::vector<virtio::QueueState> queues;
  int activations = 0;
  std::vector<uint16_t> notified;
  int resets = 0;
};

class VirtioPciTest : public ::testing::Test {
 protected:
  VirtioPciTest() {
    std::vector<IrqLine*> lines;
    for (auto& l : lines_)
      lines.push_back(&l);
    gpex_ = std::make_unique<GpexHost>(space_, kWindow, kWindowSize, lines);
    space_.add_mmio("pcie-ecam", kEcam, 0x1000'0000, *gpex_, GpexHost::kEcamRules);
    transport_ = std::make_unique<VirtioPci>("virtio-test", device_);
    gpex_->bus().add(kSlot, 0, *transport_);
    auto found = test::enumerate(ecam_, kWindow, kWindowSize);
    bar_ = found.at(1).bar_address[V::kBar];
  }
  ~VirtioPciTest() override {
    space_.remove_mmio(kEcam);
    gpex_.reset();
  }

  uint64_t rd(uint64_t offset, unsigned size) {
    uint64_t v = 0;
    EXPECT_EQ(space_.read(bar_ + offset, size, &v), MmioStatus::kOk);
    return v;
  }
  void wr(uint64_t offset, unsigned size, uint64_t value) {
    EXPECT_EQ(space_.write(bar_ + offset, size, value), MmioStatus::kOk);
  }
  uint8_t status() { return static_cast<uint8_t>(rd(V::kDeviceStatus, 1)); }
  void set_status(uint8_t s) { wr(V::kDeviceStatus, 1, s); }
  void write_features(uint64_t f) {
    wr(V::kDriverFeatureSelect, 4, 0);
    wr(V::kDriverFeature, 4, f & 0xFFFF'FFFF);
    wr(V::kDriverFeatureSelect, 4, 1);
    wr(V::kDriverFeature, 4, f >> 32);
  }
  // ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back.
  uint8_t negotiate(uint64_t f) {
    set_status(V::kAcknowledge);
    set_status(V::kAcknowledge | V::kDriver);
    write_features(f);
    set_status(V::kAcknowledge | V::kDriver | V::kFeaturesOk);
    return status();
  }
  void setup_queue(uint16_t q, uint16_t size, uint64_t base) {
    wr(V::kQueueSelect, 2, q);
    wr(V::kQueueSize, 2, size);
    wr(V::kQueueDesc, 4, base & 0xFFFF'FFFF);
    wr(V::kQueueDesc + 4, 4, base >> 32);
    wr(V::kQueueDriver, 8, base + 0x1000);
    wr(V::kQueueDevice, 8, base + 0x2000);
    wr(V::kQueueEnable, 2, 1);
  }
  void go_live() {
    ASSERT_EQ(negotiate(kOffered), 0x0B);
    setup_queue(0, 64, 0x7000'0000);
    set_status(0x0F);
    ASSERT_EQ(status(), 0x0F);
  }
  bool line() { return lines_[kSlot].level(); }  // slot 3, INTA

  GuestMemory memory_;
  AddressSpace space_{memory_};
  std::array<LatchIrqLine, 16> lines_;
  std::unique_ptr<GpexHost> gpex_;
  FakeDevice device_;
  std::unique_ptr<VirtioPci> transport_;
  test::Ecam ecam_{space_, kEcam};
  uint64_t bar_ = 0;
};

TEST_F(VirtioPciTest, PciIdentityOfAModernFunction) {
  EXPECT_EQ(ecam_.read(kSlot, 0, pci::kVendorId), 0x1042'1AF4u);
  EXPECT_EQ(ecam_.read(kSlot, 0, pci::kRevisionId), 0x0100'0001u);
  EXPECT_EQ(ecam_.read(kSlot, 0, pci::kSubsystemVendorId), 0x1100'1AF4u);
  EXPECT_EQ(ecam_.read(kSlot, 0, pci::kInterruptPin, 1), 1u);
  EXPECT_EQ(device_.transport, transport_.get());
  // BAR 4: 64-bit prefetchable, 16 KiB, inside the window.
  EXPECT_EQ(ecam_.read(kSlot, 0, pci::kBar0 + 16) & 0xF, 0xCu);
  EXPECT_GE(bar_, kWindow);
}

TEST_F(VirtioPciTest, VendorCapabilitiesDescribeTheStructures) {
  auto caps = test::find_capabilities(ecam_, kSlot, 0, pci::kCapVendor);
  ASSERT_EQ(caps.size(), 5u);
  struct Expect {
    uint8_t type;
    uint32_t offset;
  };
  const Expect want[] = {{V::kCapCommonCfg, 0x0000},
                         {V::kCapIsrCfg, 0x1000},
                         {V::kCapDeviceCfg, 0x2000},
                         {V::kCapNotifyCfg, 0x3000}};
  for (size_t i = 0; i < 4; ++i) {
    uint8_t c = caps[i];
    EXPECT_EQ(ecam_.read(kSlot, 0, c + 3u, 1), want[i].type) << i;
    EXPECT_EQ(ecam_.read(kSlot, 0, c + 4u, 1), V::kBar) << i;
    EXPECT_EQ(ecam_.read(kSlot, 0, c + 8u), want[i].offset) << i;
    EXPECT_GE(ecam_.read(kSlot, 0, c + 12u), 4u) << i;
  }
  EXPECT_EQ(ecam_.read(kSlot, 0, caps[0] + 12u), 0x1000u);
  EXPECT_EQ(ecam_.read(kSlot, 0, caps[3] + 2u, 1), 20u);            // cap_len with the multiplier
  EXPECT_EQ(ecam_.read(kSlot, 0, caps[3] + 16u), 4u);               // notify_off_multiplier
  EXPECT_EQ(ecam_.read(kSlot, 0, caps[4] + 3u, 1), V::kCapPciCfg);  // PCI config access
}

TEST_F(VirtioPciTest, FeaturesAreOfferedInTwoWindows) {
  wr(V::kDeviceFeatureSelect, 4, 0);
  EXPECT_EQ(rd(V::kDeviceFeature, 4), kOffered & 0xFFFF'FFFF);
  wr(V::kDeviceFeatureSelect, 4, 1);
  EXPECT_EQ(rd(V::kDeviceFeature, 4), kOffered >> 32);
  wr(V::kDeviceFeatureSelect, 4, 2);
  EXPECT_EQ(rd(V::kDeviceFeature, 4), 0u);
  EXPECT_EQ(rd(V::kNumQueues, 2), 2u);
  EXPECT_EQ(rd(V::kConfigMsixVector, 2), V::kNoVector);
}

TEST_F(VirtioPciTest, NegotiationRequiresVersion1AndOfferedBits) {
  EXPECT_EQ(negotiate(kOffered & ~virtio::kFVersion1), V::kAcknowledge | V::kDriver);
  EXPECT_TRUE(device_.accepted.empty());
  set_status(0);
  EXPECT_EQ(negotiate(kOffered | 1ull << 40), V::kAcknowledge | V::kDriver);
  set_status(0);
  // Bits beyond 63 are not offered either.
  set_status(V::kAcknowledge | V::kDriver);
  write_features(virtio::kFVersion1);
  wr(V::kDriverFeatureSelect, 4, 2);
  wr(V::kDriverFeature, 4, 1);
  set_status(V::kAcknowledge | V::kDriver | V::kFeaturesOk);
  EXPECT_FALSE(status() & V::kFeaturesOk);
  set_status(0);
  // The device may refuse a combination.
  device_.accept = false;
  EXPECT_EQ(negotiate(virtio::kFVersion1), V::kAcknowledge | V::kDriver);
  device_.accept = true;
  set_status(0);
  EXPECT_EQ(negotiate(virtio::kFVersion1 | virtio::kFRingEventIdx), 0x0B);
  EXPECT_EQ(device_.accepted.back(), virtio::kFVersion1 | virtio::kFRingEventIdx);
  // Features are frozen after FEATURES_OK.
  wr(V::kDriverFeatureSelect, 4, 0);
  wr(V::kDriverFeature, 4, 0);
  EXPECT_EQ(rd(V::kDriverFeature, 4), virtio::kFRingEventIdx);
}

TEST_F(VirtioPciTest, StatusOrderIsEnforced) {
  // FEATURES_OK without DRIVER.
  set_status(V::kAcknowledge);
  write_features(virtio::kFVersion1);
  set_status(V::kAcknowledge | V::kFeaturesOk);
  EXPECT_EQ(status(), V::kAcknowledge);
  // DRIVER_OK without FEATURES_OK.
  set_status(V::kAcknowledge | V::kDriver | V::kDriverOk);
  EXPECT_EQ(status(), V::kAcknowledge | V::kDriver);
  EXPECT_EQ(device_.activations, 0);
  // Bits cannot be cleared except by reset.
  set_status(V::kAcknowledge);
  EXPECT_EQ(status(), V::kAcknowledge | V::kDriver);
  // The driver cannot set DEVICE_NEEDS_RESET; FAILED sticks.
  set_status(V::kAcknowledge | V::kDriver | V::kDeviceNeedsReset | V::kFailed);
  EXPECT_EQ(status(), V::kAcknowledge | V::kDriver | V::kFailed);
}

TEST_F(VirtioPciTest, QueueSetupReachesTheDeviceAtDriverOk) {
  ASSERT_EQ(negotiate(kOffered), 0x0B);
  wr(V::kQueueSelect, 2, 1);
  EXPECT_EQ(rd(V::kQueueSize, 2), 128u);
  EXPECT_EQ(rd(V::kQueueNotifyOff, 2), 1u);
  EXPECT_EQ(rd(V::kQueueMsixVector, 2), V::kNoVector);
  // Invalid sizes do not enable.
  for (uint16_t bad : {0, 3, 256}) {
    wr(V::kQueueSize, 2, bad);
    wr(V::kQueueEnable, 2, 1);
    EXPECT_EQ(rd(V::kQueueEnable, 2), 0u) << bad;
  }
  setup_queue(1, 32, 0x1'2345'6000);
  EXPECT_EQ(rd(V::kQueueEnable, 2), 1u);
  EXPECT_EQ(rd(V::kQueueDesc, 8), 0x1'2345'6000u);
  EXPECT_EQ(rd(V::kQueueDriver + 4, 4), 1u);
  EXPECT_EQ(rd(V::kQueueDevice, 4), 0x2345'8000u);
  // Enabled queues are frozen.
  wr(V::kQueueSize, 2, 16);
  EXPECT_EQ(rd(V::kQueueSize, 2), 32u);
  // Absent queue: reads 0, writes dropped.
  wr(V::kQueueSelect, 2, 7);
  EXPECT_EQ(rd(V::kQueueSize, 2), 0u);
  wr(V::kQueueSize, 2, 8);
  set_status(0x0F);
  ASSERT_EQ(device_.activations, 1);
  EXPECT_EQ(device_.activated_features, kOffered);
  ASSERT_EQ(device_.queues.size(), 2u);
  EXPECT_FALSE(device_.queues[0].enabled);
  EXPECT_TRUE(device_.queues[1].enabled);
  EXPECT_EQ(device_.queues[1].size, 32u);
  EXPECT_EQ(device_.queues[1].desc, 0x1'2345'6000u);
  EXPECT_EQ(device_.queues[1].driver, 0x1'2345'7000u);
  EXPECT_EQ(device_.queues[1].device, 0x1'2345'8000u);
}

TEST_F(VirtioPciTest, DoorbellsNotifyOnlyALiveDevice) {
  wr(V::kNotifyOffset, 2, 0);
  EXPECT_TRUE(device_.notified.empty());
  go_live();
  wr(V::kNotifyOffset + 4, 2, 1);
  wr(V::kNotifyOffset, 2, 0);
  EXPECT_EQ(device_.notified, (std::vector<uint16_t>{1, 0}));
  // Not a doorbell: past the queues, misaligned.
  wr(V::kNotifyOffset + 8, 2, 2);
  wr(V::kNotifyOffset + 2, 2, 0);
  EXPECT_EQ(device_.notified.size(), 2u);
  // No bus mastering, no DMA.
  uint16_t cmd = static_cast<uint16_t>(ecam_.read(kSlot, 0, pci::kCommand, 2));
  ecam_.write(kSlot, 0, pci::kCommand, cmd & ~pci::kCommandBusMaster, 2);
  wr(V::kNotifyOffset, 2, 0);
  EXPECT_EQ(device_.notified.size(), 2u);
  ecam_.write(kSlot, 0, pci::kCommand, cmd, 2);
  // FAILED stops it too.
  set_status(0x0F | V::kFailed);
  wr(V::kNotifyOffset, 2, 0);
  EXPECT_EQ(device_.notified.size(), 2u);
}

TEST_F(VirtioPciTest, IsrRaisesIntxAndClearsOnRead) {
  go_live();
  EXPECT_FALSE(line());
  device_.transport->notify_queue(0);
  EXPECT_TRUE(line());
  EXPECT_TRUE(ecam_.read(kSlot, 0, pci::kStatus, 2) & pci::kStatusInterrupt);
  EXPECT_EQ(rd(V::kIsrOffset, 1), V::kIsrQueue);
  EXPECT_FALSE(line());
  EXPECT_EQ(rd(V::kIsrOffset, 1), 0u);
  // A configuration change bumps the generation.
  uint64_t generation = rd(V::kConfigGeneration, 1);
  device_.transport->notify_config();
  device_.transport->notify_queue(1);
  EXPECT_EQ(rd(V::kConfigGeneration, 1), (generation + 1) & 0xFF);
  EXPECT_EQ(rd(V::kIsrOffset, 1), V::kIsrQueue | V::kIsrConfig);
  EXPECT_FALSE(line());
  // INTx disable masks the pin, not the ISR.
  ecam_.write(kSlot, 0, pci::kCommand,
              ecam_.read(kSlot, 0, pci::kCommand, 2) | pci::kCommandInterruptDisable, 2);
  device_.transport->notify_queue(0);
  EXPECT_FALSE(line());
  EXPECT_EQ(rd(V::kIsrOffset, 1), V::kIsrQueue);
}

TEST_F(VirtioPciTest, NoInterruptIsLostBetweenRaiseAndReadToClear) {
  go_live();
  // A completion thread raising while a vCPU acknowledges: whatever the
  // interleaving, the pin is asserted exactly when the ISR is non-zero.
  std::atomic<bool> stop{false};
  std::thread completions([&] {
    for (int i = 0; i < 20000; ++i)
      device_.transport->notify_queue(0);
    stop = true;
  });
  uint64_t seen = 0;
  while (!stop)
    seen += rd(V::kIsrOffset, 1) & V::kIsrQueue;
  completions.join();
  bool asserted = line();
  uint8_t isr = static_cast<uint8_t>(rd(V::kIsrOffset, 1));
  EXPECT_EQ(asserted, isr != 0);
  EXPECT_GT(seen + isr, 0u);
  EXPECT_FALSE(line());
}

TEST_F(VirtioPciTest, NeedsResetIsReportedWithAConfigInterrupt) {
  go_live();
  device_.transport->set_needs_reset();
  EXPECT_EQ(status(), 0x0F | V::kDeviceNeedsReset);
  EXPECT_TRUE(line());
  EXPECT_EQ(rd(V::kIsrOffset, 1), V::kIsrConfig);
  wr(V::kNotifyOffset, 2, 0);  // a broken device takes no more work
  EXPECT_TRUE(device_.notified.empty());
  set_status(0);
  EXPECT_EQ(status(), 0u);
  EXPECT_EQ(device_.resets, 1);
}

TEST_F(VirtioPciTest, ResetCompletesOnlyOnceTheDeviceIsQuiescent) {
  go_live();
  device_.transport->notify_queue(0);
  device_.quiet = false;
  set_status(0);
  EXPECT_EQ(device_.resets, 1);
  EXPECT_FALSE(line());  // the ISR went with the reset
  EXPECT_NE(status(), 0u);
  EXPECT_NE(status(), 0u);
  device_.quiet = true;
  EXPECT_EQ(status(), 0u);
  // Transport registers are back to their reset values.
  EXPECT_EQ(rd(V::kQueueEnable, 2), 0u);
  EXPECT_EQ(rd(V::kQueueSize, 2), 128u);
  EXPECT_EQ(rd(V::kDriverFeature, 4), 0u);
  EXPECT_EQ(rd(V::kIsrOffset, 1), 0u);
}

TEST_F(VirtioPciTest, DeviceConfigurationIsForwardedWithinBounds) {
  EXPECT_EQ(rd(V::kDeviceOffset, 8), 0x0807'0605'0403'0201u);
  EXPECT_EQ(rd(V::kDeviceOffset + 4, 4), 0x0807'0605u);
  EXPECT_EQ(rd(V::kDeviceOffset + 10, 2), 0x0C0Bu);
  wr(V::kDeviceOffset + 16, 4, 0xAABB'CCDD);
  EXPECT_EQ(device_.config[16], 0xDD);
  uint64_t errors = trace::guest_error_count();
  EXPECT_EQ(rd(V::kDeviceOffset + 24, 4), 0u);  // past config_size
  EXPECT_EQ(rd(V::kDeviceOffset + 24, 8), 0u);
  wr(V::kDeviceOffset + 0x800, 2, 1);
  EXPECT_EQ(trace::guest_error_count(), errors + 3);
}

TEST_F(VirtioPciTest, CommonConfigurationAccessesOfTheWrongWidthAreRefused) {
  uint64_t errors = trace::guest_error_count();
  EXPECT_EQ(rd(V::kDeviceStatus, 4), 0u);  // status, generation, queue_select as one dword
  EXPECT_EQ(rd(V::kDeviceStatus, 2), 0u);
  wr(V::kDeviceStatus, 4, V::kAcknowledge);
  EXPECT_EQ(status(), 0u);
  EXPECT_EQ(trace::guest_error_count(), errors + 3);
  EXPECT_EQ(rd(0x800, 4), 0u);  // padding reads zero
}

TEST_F(VirtioPciTest, PciConfigurationAccessWindowReachesTheBar) {
  uint8_t cap = transport_->pci_cfg_capability();
  ecam_.write(kSlot, 0, cap + 4u, V::kBar, 1);
  ecam_.write(kSlot, 0, cap + 12u, 4);
  ecam_.write(kSlot, 0, cap + 8u, V::kDeviceFeatureSelect);
  ecam_.write(kSlot, 0, cap + 16u, 1);  // device_feature_select = 1
  ecam_.write(kSlot, 0, cap + 8u, V::kDeviceFeature);
  EXPECT_EQ(ecam_.read(kSlot, 0, cap + 16u), kOffered >> 32);
  ecam_.write(kSlot, 0, cap + 8u, V::kDeviceStatus);
  ecam_.write(kSlot, 0, cap + 12u, 1);
  ecam_.write(kSlot, 0, cap + 16u, V::kAcknowledge, 1);
  EXPECT_EQ(status(), V::kAcknowledge);
  // A window onto another BAR or past the end does nothing.
  uint64_t errors = trace::guest_error_count();
  ecam_.write(kSlot, 0, cap + 4u, 0, 1);
  ecam_.read(kSlot, 0, cap + 16u);
  ecam_.write(kSlot, 0, cap + 4u, V::kBar, 1);
  ecam_.write(kSlot, 0, cap + 8u, 0xFFFF'FFFC);
  ecam_.write(kSlot, 0, cap + 16u, 0);
  EXPECT_EQ(trace::guest_error_count(), errors + 2);
}

TEST_F(VirtioPciTest, SystemResetResetsDeviceAndTransport) {
  go_live();
  device_.transport->notify_queue(0);
  gpex_->reset();
  EXPECT_EQ(device_.resets, 1);
  EXPECT_FALSE(line());
  EXPECT_TRUE(gpex_->bus().mappings().empty());
  test::enumerate(ecam_, kWindow, kWindowSize);
  EXPECT_EQ(status(), 0u);
  EXPECT_EQ(rd(V::kQueueEnable, 2), 0u);
}

}  // namespace
}  // namespace vmapple
