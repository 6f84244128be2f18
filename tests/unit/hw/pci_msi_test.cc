// MSI and MSI-X capabilities as a guest programs them through ECAM and the
// MSI-X BAR, delivering to a fake MSI controller. vmapple itself has no MSI
// controller (spec 2.7); these are for other machines.
#include "hw/pci/msi.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "base/log.h"
#include "hw/pci/gpex.h"
#include "unit/hw/pci_driver.h"

namespace vmapple {
namespace {

constexpr uint64_t kEcam = 0x4000'0000;
constexpr uint64_t kWindow = 0x5000'0000;
constexpr uint64_t kWindowSize = 0x1FFF'0000;

struct FakeMsiController final : MsiTarget {
  struct Message {
    uint64_t address;
    uint32_t data;
    bool operator==(const Message&) const = default;
  };
  void send_msi(uint64_t address, uint32_t data) override { sent.push_back({address, data}); }
  std::vector<Message> sent;
};

class MsiFunction final : public PciFunction {
 public:
  MsiFunction() : PciFunction("msi-dev", identity()), msi(*this, 4), msix(*this, 8, 0) {}
  static PciIdentity identity() {
    PciIdentity id;
    id.vendor_id = 0x1234;
    id.device_id = 0x0001;
    id.pin = pci::IntxPin::kA;
    return id;
  }
  // What a device does: MSI-X, else MSI, else INTx.
  void interrupt(unsigned vector) {
    if (!msix.notify(vector) && !msi.notify(vector)) set_irq(true);
  }
  PciMsi msi;
  PciMsix msix;

 protected:
  void config_written(unsigned offset, unsigned size) override {
    msi.config_written(offset, size);
    msix.config_written(offset, size);
  }
  void reset_function() override { msix.reset(); }
};

class PciMsiTest : public ::testing::Test {
 protected:
  PciMsiTest() {
    std::vector<IrqLine*> lines;
    for (auto& l : lines_)
      lines.push_back(&l);
    gpex_ = std::make_unique<GpexHost>(space_, kWindow, kWindowSize, lines);
    space_.add_mmio("pcie-ecam", kEcam, 0x1000'0000, *gpex_, GpexHost::kEcamRules);
    gpex_->bus().set_msi_target(&controller_);
    gpex_->bus().add(1, 0, fn_);
    found_ = test::enumerate(ecam_, kWindow, kWindowSize).at(1);
  }
  ~PciMsiTest() override {
    space_.remove_mmio(kEcam);
    gpex_.reset();
  }
  uint32_t cfg(unsigned reg, unsigned size = 4) { return ecam_.read(1, 0, reg, size); }
  void set_cfg(unsigned reg, uint32_t v, unsigned size = 4) { ecam_.write(1, 0, reg, v, size); }
  uint64_t table(unsigned offset) {
    uint64_t v = 0;
    EXPECT_EQ(space_.read(found_.bar_address[0] + offset, 4, &v), MmioStatus::kOk);
    return v;
  }
  void set_table(unsigned offset, uint32_t v) {
    EXPECT_EQ(space_.write(found_.bar_address[0] + offset, 4, v), MmioStatus::kOk);
  }

  GuestMemory memory_;
  AddressSpace space_{memory_};
  std::array<LatchIrqLine, 16> lines_;
  std::unique_ptr<GpexHost> gpex_;
  FakeMsiController controller_;
  MsiFunction fn_;
  test::Ecam ecam_{space_, kEcam};
  test::PciFound found_;
};

TEST_F(PciMsiTest, CapabilitiesAreListed) {
  auto msi = test::find_capabilities(ecam_, 1, 0, pci::kCapMsi);
  auto msix = test::find_capabilities(ecam_, 1, 0, pci::kCapMsix);
  ASSERT_EQ(msi.size(), 1u);
  ASSERT_EQ(msix.size(), 1u);
  EXPECT_EQ(msi[0], fn_.msi.offset());
  // MSI: 64-bit, per-vector masking, 4 vectors requested (MMC = 2).
  EXPECT_EQ(cfg(msi[0] + PciMsi::kControl, 2), 0x0184u);
  // MSI-X: 8 entries, table at BAR0 + 0, PBA right after it.
  EXPECT_EQ(cfg(msix[0] + PciMsix::kControl, 2), 7u);
  EXPECT_EQ(cfg(msix[0] + PciMsix::kTable), 0u);
  EXPECT_EQ(cfg(msix[0] + PciMsix::kPba), 0x80u);
  EXPECT_EQ(found_.bar_size[0], 0x1000u);
}

TEST_F(PciMsiTest, WithNeitherEnabledTheFunctionUsesIntx) {
  fn_.interrupt(0);
  EXPECT_TRUE(controller_.sent.empty());
  EXPECT_TRUE(lines_[1].level());
}

TEST_F(PciMsiTest, MsiDeliversMaskedVectorsWhenUnmasked) {
  unsigned c = fn_.msi.offset();
  set_cfg(c + PciMsi::kAddressLow, 0xFEE0'0000);
  set_cfg(c + PciMsi::kAddressHigh, 0x1);
  set_cfg(c + PciMsi::kData, 0x4440, 2);
  set_cfg(c + PciMsi::kControl, PciMsi::kControlEnable | (2u << 4), 2);  // 4 vectors
  fn_.interrupt(3);
  ASSERT_EQ(controller_.sent.size(), 1u);
  EXPECT_EQ(controller_.sent[0], (FakeMsiController::Message{0x1'FEE0'0000, 0x4443}));
  EXPECT_FALSE(lines_[1].level());
  // Masked: pending instead, sent once unmasked.
  set_cfg(c + PciMsi::kMask, 0b0010);
  fn_.interrupt(1);
  EXPECT_EQ(controller_.sent.size(), 1u);
  EXPECT_EQ(cfg(c + PciMsi::kPending), 0b0010u);
  set_cfg(c + PciMsi::kPending, 0);  // read-only for the guest
  EXPECT_EQ(cfg(c + PciMsi::kPending), 0b0010u);
  set_cfg(c + PciMsi::kMask, 0);
  ASSERT_EQ(controller_.sent.size(), 2u);
  EXPECT_EQ(controller_.sent[1].data, 0x4441u);
  EXPECT_EQ(cfg(c + PciMsi::kPending), 0u);
  // With one vector allocated every vector folds onto it.
  set_cfg(c + PciMsi::kControl, PciMsi::kControlEnable, 2);
  fn_.interrupt(3);
  EXPECT_EQ(controller_.sent.back().data, 0x4440u);
  // The address is dword aligned.
  set_cfg(c + PciMsi::kAddressLow, 0xFEE0'0003);
  EXPECT_EQ(cfg(c + PciMsi::kAddressLow), 0xFEE0'0000u);
}

TEST_F(PciMsiTest, MsixTableMaskAndPendingBits) {
  unsigned c = fn_.msix.offset();
  // Entry 5: address, data; masked at power-on.
  EXPECT_EQ(table(5 * 16 + 12), 1u);
  set_table(5 * 16 + 0, 0xFEE0'1000);
  set_table(5 * 16 + 4, 0);
  set_table(5 * 16 + 8, 0x55);
  set_cfg(c + PciMsix::kControl, PciMsix::kControlEnable, 2);
  fn_.interrupt(5);
  EXPECT_TRUE(controller_.sent.empty());
  EXPECT_EQ(table(0x80), 1u << 5);  // PBA
  EXPECT_FALSE(lines_[1].level());  // MSI-X on: no INTx
  set_table(5 * 16 + 12, 0);        // unmask
  ASSERT_EQ(controller_.sent.size(), 1u);
  EXPECT_EQ(controller_.sent[0], (FakeMsiController::Message{0xFEE0'1000, 0x55}));
  EXPECT_EQ(table(0x80), 0u);
  // The function mask holds every vector.
  set_cfg(c + PciMsix::kControl, PciMsix::kControlEnable | PciMsix::kControlFunctionMask, 2);
  fn_.interrupt(5);
  EXPECT_EQ(controller_.sent.size(), 1u);
  set_cfg(c + PciMsix::kControl, PciMsix::kControlEnable, 2);
  EXPECT_EQ(controller_.sent.size(), 2u);
  // Writes to the PBA or past the table are ignored; reads of the gap are 0.
  set_table(0x80, ~0u);
  EXPECT_EQ(table(0x80), 0u);
  EXPECT_EQ(table(0x800), 0u);
  // Reset masks everything again.
  gpex_->reset();
  EXPECT_EQ(cfg(c + PciMsix::kControl, 2), 7u);
  found_ = test::enumerate(ecam_, kWindow, kWindowSize).at(1);
  EXPECT_EQ(table(5 * 16 + 12), 1u);
  EXPECT_EQ(table(5 * 16 + 8), 0u);
}

TEST_F(PciMsiTest, NoMsiControllerDropsTheMessageAsAGuestError) {
  gpex_->bus().set_msi_target(nullptr);
  unsigned c = fn_.msi.offset();
  set_cfg(c + PciMsi::kControl, PciMsi::kControlEnable, 2);
  uint64_t errors = trace::guest_error_count();
  fn_.interrupt(0);
  EXPECT_EQ(trace::guest_error_count(), errors + 1);
  EXPECT_TRUE(controller_.sent.empty());
}

}  // namespace
}  // namespace vmapple
