// The PCI core through the GPEX host bridge, driven by ECAM accesses as a
// guest's firmware would: identity of 00:00.0, absent functions, BAR sizing
// and programming, BARs appearing in and leaving the AddressSpace, masks,
// the capability list, INTx routing (spec 2.7) and hostile programming.
#include "hw/pci/gpex.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "base/error.h"
#include "base/log.h"
#include "hw/pci/pci_function.h"
#include "unit/hw/pci_driver.h"

namespace vmapple {
namespace {

constexpr uint64_t kEcam = 0x4000'0000;
constexpr uint64_t kEcamSize = 0x1000'0000;
constexpr uint64_t kWindow = 0x5000'0000;
constexpr uint64_t kWindowSize = 0x1FFF'0000;

// Answers with a tag and the offset so a test sees which BAR decoded.
class TaggedMmio final : public MmioHandler {
 public:
  explicit TaggedMmio(uint64_t tag) : tag_(tag) {}
  uint64_t read(uint64_t offset, unsigned) override { return tag_ | offset; }
  void write(uint64_t offset, unsigned, uint64_t value) override {
    last_offset = offset;
    last_value = value;
  }
  uint64_t last_offset = ~0ull, last_value = 0;

 private:
  uint64_t tag_;
};

class TestFunction : public PciFunction {
 public:
  explicit TestFunction(pci::IntxPin pin = pci::IntxPin::kA, std::string name = "test")
      : PciFunction(std::move(name), identity(pin)) {
    define_bar(0, {0x1000, false, false, &bar0, {1, 8, 1, 8}});
    define_bar(2, {0x4000, true, true, &bar2, {1, 8, 1, 8}});
    cap_a = add_capability(0x01, 8);  // power management, as an example
    cap_b = add_capability(0x10, 12);
  }
  static PciIdentity identity(pci::IntxPin pin) {
    PciIdentity id;
    id.vendor_id = 0x1234;
    id.device_id = 0x5678;
    id.revision = 3;
    id.class_code = 0x020000;
    id.subsystem_vendor_id = 0xAAAA;
    id.subsystem_id = 0xBBBB;
    id.pin = pin;
    return id;
  }
  TaggedMmio bar0{0xB000'0000}, bar2{0xB200'0000};
  uint8_t cap_a, cap_b;
  int resets = 0;

 protected:
  void reset_function() override { ++resets; }
};

class PciBusTest : public ::testing::Test {
 protected:
  PciBusTest() {
    std::vector<IrqLine*> lines;
    for (auto& l : lines_)
      lines.push_back(&l);
    gpex_ = std::make_unique<GpexHost>(space_, kWindow, kWindowSize, lines);
    space_.add_mmio("pcie-ecam", kEcam, kEcamSize, *gpex_, GpexHost::kEcamRules);
  }
  ~PciBusTest() override {
    space_.remove_mmio(kEcam);
    gpex_.reset();
  }

  uint64_t mem_read(uint64_t gpa, unsigned size = 4) {
    uint64_t v = 0;
    EXPECT_EQ(space_.read(gpa, size, &v), MmioStatus::kOk) << std::hex << gpa;
    return v;
  }
  // Programs BAR0 and enables memory decode.
  void place_bar0(unsigned slot, uint32_t address) {
    ecam_.write(slot, 0, pci::kBar0, address);
    ecam_.write(slot, 0, pci::kCommand, pci::kCommandMemorySpace, 2);
  }
  bool mapped_at(uint64_t gpa, std::string_view name) {
    auto r = space_.find_mmio(gpa);
    return r && r->name == name;
  }

  GuestMemory memory_;
  AddressSpace space_{memory_};
  std::array<LatchIrqLine, 16> lines_;
  std::unique_ptr<GpexHost> gpex_;
  test::Ecam ecam_{space_, kEcam};
};

TEST_F(PciBusTest, HostBridgeIdentityAt0000) {
  EXPECT_EQ(ecam_.read(0, 0, pci::kVendorId), 0x0008'1B36u);
  EXPECT_EQ(ecam_.read(0, 0, pci::kRevisionId), 0x0600'0000u);  // class 060000, revision 0
  EXPECT_EQ(ecam_.read(0, 0, pci::kHeaderType, 1), 0u);         // type 0, single function
  EXPECT_EQ(ecam_.read(0, 0, pci::kInterruptPin, 1), 0u);
  for (unsigned i = 0; i < pci::kNumBars; ++i)
    EXPECT_EQ(ecam_.read(0, 0, pci::kBar0 + 4 * i), 0u);
  // Read-only identity: writes do not stick.
  ecam_.write(0, 0, pci::kVendorId, 0xFFFF'FFFF);
  EXPECT_EQ(ecam_.read(0, 0, pci::kVendorId), 0x0008'1B36u);
}

TEST_F(PciBusTest, AbsentFunctionsAndBusesReadAllOnes) {
  EXPECT_EQ(ecam_.read(1, 0, 0), 0xFFFF'FFFFu);
  EXPECT_EQ(ecam_.read(0, 1, 0), 0xFFFF'FFFFu);
  EXPECT_EQ(ecam_.read(0, 0, 0, 2, /*bus=*/1), 0xFFFFu);
  EXPECT_EQ(ecam_.read(31, 7, 0xFFC, 1, 255), 0xFFu);
  ecam_.write(1, 0, pci::kCommand, 0xFFFF, 2);  // dropped, no crash
  EXPECT_EQ(ecam_.read(1, 0, pci::kCommand, 2), 0xFFFFu);
}

TEST_F(PciBusTest, EcamDecodesDeviceFunctionAndRegister) {
  TestFunction f0, f2(pci::IntxPin::kB, "fn2");
  gpex_->bus().add(5, 0, f0);
  gpex_->bus().add(5, 2, f2);
  EXPECT_EQ(ecam_.read(5, 0, pci::kVendorId), 0x5678'1234u);
  EXPECT_EQ(ecam_.read(5, 2, pci::kInterruptPin, 1), 2u);
  EXPECT_EQ(ecam_.read(5, 1, pci::kVendorId), 0xFFFF'FFFFu);
  // Function 0 announces the other functions.
  EXPECT_EQ(ecam_.read(5, 0, pci::kHeaderType, 1), pci::kHeaderTypeMultiFunction);
  EXPECT_EQ(ecam_.read(5, 0, pci::kSubsystemVendorId), 0xBBBB'AAAAu);
  EXPECT_EQ(ecam_.read(5, 0, pci::kRevisionId), 0x0200'0003u);
  // Byte and word accesses of one dword; an 8-byte access is split in two.
  EXPECT_EQ(ecam_.read(5, 0, 1, 1), 0x12u);
  EXPECT_EQ(ecam_.read(5, 0, 2, 2), 0x5678u);
  EXPECT_EQ(mem_read(kEcam + test::Ecam::offset(0, 5, 0, 0x28), 8), uint64_t{0xBBBB'AAAA} << 32);
  // The extended space exists and holds no capability.
  EXPECT_EQ(ecam_.read(5, 0, 0x100), 0u);
  EXPECT_EQ(ecam_.read(5, 0, 0xFFC), 0u);
  EXPECT_THROW(gpex_->bus().add(5, 0, f0), ConfigError);
}

TEST_F(PciBusTest, BarSizingReportsSizeAndType) {
  TestFunction f;
  gpex_->bus().add(1, 0, f);
  EXPECT_EQ(ecam_.read(1, 0, pci::kBar0), 0u);
  ecam_.write(1, 0, pci::kBar0, ~0u);
  EXPECT_EQ(ecam_.read(1, 0, pci::kBar0), 0xFFFF'F000u);  // 4 KiB, 32-bit, not prefetchable
  ecam_.write(1, 0, pci::kBar0 + 4, ~0u);                 // unimplemented BAR1
  EXPECT_EQ(ecam_.read(1, 0, pci::kBar0 + 4), 0u);
  ecam_.write(1, 0, pci::kBar0 + 8, ~0u);
  ecam_.write(1, 0, pci::kBar0 + 12, ~0u);
  EXPECT_EQ(ecam_.read(1, 0, pci::kBar0 + 8), 0xFFFF'C00Cu);  // 16 KiB, 64-bit, prefetchable
  EXPECT_EQ(ecam_.read(1, 0, pci::kBar0 + 12), 0xFFFF'FFFFu);
  test::PciFound found{1, 0};
  test::size_bars(ecam_, found);
  EXPECT_EQ(found.bar_size[0], 0x1000u);
  EXPECT_EQ(found.bar_size[2], 0x4000u);
  // The expansion ROM BAR is not implemented.
  ecam_.write(1, 0, pci::kExpansionRom, ~0u);
  EXPECT_EQ(ecam_.read(1, 0, pci::kExpansionRom), 0u);
}

TEST_F(PciBusTest, BarsAppearAndDisappearAsTheGuestProgramsThem) {
  TestFunction f;
  gpex_->bus().add(1, 0, f);
  ecam_.write(1, 0, pci::kBar0, 0x5000'1000);
  // Decode off: the window hole answers all-ones.
  EXPECT_EQ(mem_read(0x5000'1010), 0xFFFF'FFFFu);
  EXPECT_TRUE(gpex_->bus().mappings().empty());
  ecam_.write(1, 0, pci::kCommand, pci::kCommandMemorySpace, 2);
  EXPECT_EQ(mem_read(0x5000'1010), 0xB000'0010u);
  EXPECT_TRUE(mapped_at(0x5000'1000, "test BAR0"));
  space_.write(0x5000'1008, 4, 0x77);
  EXPECT_EQ(f.bar0.last_offset, 8u);
  EXPECT_EQ(f.bar0.last_value, 0x77u);
  // Move it: the old place is a hole again.
  ecam_.write(1, 0, pci::kBar0, 0x5800'0000);
  EXPECT_EQ(mem_read(0x5000'1010), 0xFFFF'FFFFu);
  EXPECT_EQ(mem_read(0x5800'0ffc), 0xB000'0FFCu);
  // 64-bit BAR programmed in two halves.
  ecam_.write(1, 0, pci::kBar0 + 8, 0x6000'0000);
  ecam_.write(1, 0, pci::kBar0 + 12, 0);
  EXPECT_EQ(mem_read(0x6000'3ff8, 8), 0xB200'3FF8u);
  EXPECT_EQ(gpex_->bus().mappings().size(), 2u);
  // Decode off removes both.
  ecam_.write(1, 0, pci::kCommand, 0, 2);
  EXPECT_TRUE(gpex_->bus().mappings().empty());
  EXPECT_EQ(mem_read(0x6000'0000), 0xFFFF'FFFFu);
  EXPECT_EQ(mem_read(0x5800'0000, 8), ~0ull);
  // Writes to the hole are ignored.
  EXPECT_EQ(space_.write(0x5800'0000, 4, 1), MmioStatus::kOk);
}

TEST_F(PciBusTest, HostileBarsAreNotMappedAndDoNotCrash) {
  TestFunction a, b(pci::IntxPin::kA, "other");
  gpex_->bus().add(1, 0, a);
  gpex_->bus().add(2, 0, b);
  uint64_t errors = trace::guest_error_count();
  // Address 0 is allowed to be programmed; it is outside the window, so unmapped.
  place_bar0(1, 0);
  EXPECT_TRUE(gpex_->bus().mappings().empty());
  EXPECT_GT(trace::guest_error_count(), errors);
  // Two BARs at the same address: the first (lower devfn) wins.
  place_bar0(1, 0x5000'0000);
  place_bar0(2, 0x5000'0000);
  ASSERT_EQ(gpex_->bus().mappings().size(), 1u);
  EXPECT_EQ(gpex_->bus().mappings()[0].devfn, PciBus::devfn(1, 0));
  EXPECT_EQ(mem_read(0x5000'0000), 0xB000'0000u);
  // Moving the winner away lets the other one in.
  ecam_.write(1, 0, pci::kBar0, 0x5000'2000);
  EXPECT_EQ(gpex_->bus().mappings().size(), 2u);
  EXPECT_TRUE(mapped_at(0x5000'0000, "other BAR0"));
  // The window's last page is fine; past its end, or above 4 GiB, is not.
  ecam_.write(2, 0, pci::kBar0, 0x6FFE'F000);
  EXPECT_TRUE(mapped_at(0x6FFE'F000, "other BAR0"));
  ecam_.write(1, 0, pci::kBar0 + 8, 0x6FFF'0000);
  EXPECT_FALSE(space_.find_mmio(0x6FFF'0000).has_value());
  ecam_.write(1, 0, pci::kBar0 + 8, 0x5001'0000);
  ecam_.write(1, 0, pci::kBar0 + 12, 1);
  EXPECT_EQ(gpex_->bus().mappings().size(), 2u);  // BAR0 of each, not the 64-bit one
  // Everything else in the window still reads all-ones.
  EXPECT_EQ(mem_read(0x6FFE'EFFC), 0xFFFF'FFFFu);
  uint64_t v;
  EXPECT_EQ(space_.read(0x6FFF'0000, 4, &v), MmioStatus::kUnassigned);
}

TEST_F(PciBusTest, WritableBitsAndWriteOneToClearStatus) {
  TestFunction f;
  gpex_->bus().add(1, 0, f);
  ecam_.write(1, 0, pci::kCommand, 0xFFFF, 2);
  // I/O space stays off (no I/O BARs); memory, bus master, parity, SERR, INTx disable stick.
  EXPECT_EQ(ecam_.read(1, 0, pci::kCommand, 2), 0x0546u);
  ecam_.write(1, 0, pci::kCommand, 0, 2);
  // The host (a device) signals an error; the guest clears it by writing 1.
  f.host_write_config(pci::kStatus, 2, f.host_read_config(pci::kStatus, 2) | 0x2000);
  ecam_.write(1, 0, pci::kStatus, 0, 2);
  EXPECT_TRUE(ecam_.read(1, 0, pci::kStatus, 2) & 0x2000);
  ecam_.write(1, 0, pci::kStatus, 0x2000, 2);
  EXPECT_FALSE(ecam_.read(1, 0, pci::kStatus, 2) & 0x2000);
  EXPECT_TRUE(ecam_.read(1, 0, pci::kStatus, 2) & pci::kStatusCapabilitiesList);  // read-only
  ecam_.write(1, 0, pci::kStatus, 0xFFFF, 2);
  EXPECT_TRUE(ecam_.read(1, 0, pci::kStatus, 2) & pci::kStatusCapabilitiesList);
  // Interrupt line is scratch for the guest, the pin is read-only.
  ecam_.write(1, 0, pci::kInterruptLine, 0xFFFF, 2);
  EXPECT_EQ(ecam_.read(1, 0, pci::kInterruptLine, 2), 0x01FFu);
  ecam_.write(1, 0, pci::kCacheLineSize, 0x10, 1);
  EXPECT_EQ(ecam_.read(1, 0, pci::kCacheLineSize, 1), 0x10u);
}

TEST_F(PciBusTest, CapabilityListIsLinked) {
  TestFunction f;
  gpex_->bus().add(1, 0, f);
  auto caps = test::find_capabilities(ecam_, 1, 0);
  ASSERT_EQ(caps.size(), 2u);
  EXPECT_EQ(caps[0], f.cap_a);
  EXPECT_EQ(caps[1], f.cap_b);
  EXPECT_EQ(caps[0], 0x40u);
  EXPECT_EQ(ecam_.read(1, 0, caps[0], 1), 0x01u);
  EXPECT_EQ(ecam_.read(1, 0, caps[1], 1), 0x10u);
  EXPECT_EQ(ecam_.read(1, 0, caps[1] + 1u, 1), 0u);  // end of list
  // The capability bodies are read-only unless the device says otherwise.
  ecam_.write(1, 0, caps[1] + 4u, ~0u);
  EXPECT_EQ(ecam_.read(1, 0, caps[1] + 4u), 0u);
}

TEST_F(PciBusTest, ResetRestoresPowerOnStateAndUnmaps) {
  TestFunction f;
  gpex_->bus().add(1, 0, f);
  place_bar0(1, 0x5000'0000);
  ecam_.write(1, 0, pci::kInterruptLine, 9, 1);
  ASSERT_EQ(gpex_->bus().mappings().size(), 1u);
  gpex_->reset();
  EXPECT_EQ(f.resets, 1);
  EXPECT_TRUE(gpex_->bus().mappings().empty());
  EXPECT_EQ(ecam_.read(1, 0, pci::kBar0), 0u);
  EXPECT_EQ(ecam_.read(1, 0, pci::kCommand, 2), 0u);
  EXPECT_EQ(ecam_.read(1, 0, pci::kInterruptLine, 1), 0u);
  EXPECT_EQ(mem_read(0x5000'0000), 0xFFFF'FFFFu);
}

TEST_F(PciBusTest, IntxRoutesSlotPlusPinModulo16) {
  TestFunction s3a(pci::IntxPin::kA), s15b(pci::IntxPin::kB), s0d(pci::IntxPin::kD);
  gpex_->bus().add(3, 0, s3a);
  gpex_->bus().add(15, 0, s15b);
  gpex_->bus().add(0, 1, s0d);
  EXPECT_EQ(gpex_->bus().intx_line(3, pci::IntxPin::kA), 3u);
  s3a.set_irq(true);
  EXPECT_TRUE(lines_[3].level());
  EXPECT_TRUE(ecam_.read(3, 0, pci::kStatus, 2) & pci::kStatusInterrupt);
  s15b.set_irq(true);  // (15 + 1) mod 16
  EXPECT_TRUE(lines_[0].level());
  s0d.set_irq(true);  // (0 + 3) mod 16: shares line 3
  s3a.set_irq(false);
  EXPECT_TRUE(lines_[3].level());
  EXPECT_FALSE(ecam_.read(3, 0, pci::kStatus, 2) & pci::kStatusInterrupt);
  s0d.set_irq(false);
  EXPECT_FALSE(lines_[3].level());
  for (unsigned k = 1; k < 16; ++k)
    EXPECT_EQ(lines_[k].level(), false) << k;
}

TEST_F(PciBusTest, InterruptDisableGatesTheLineButNotTheStatus) {
  TestFunction f;
  gpex_->bus().add(2, 0, f);
  ecam_.write(2, 0, pci::kCommand, pci::kCommandInterruptDisable, 2);
  f.set_irq(true);
  EXPECT_FALSE(lines_[2].level());
  EXPECT_TRUE(ecam_.read(2, 0, pci::kStatus, 2) & pci::kStatusInterrupt);
  ecam_.write(2, 0, pci::kCommand, 0, 2);
  EXPECT_TRUE(lines_[2].level());
  ecam_.write(2, 0, pci::kCommand, pci::kCommandInterruptDisable, 2);
  EXPECT_FALSE(lines_[2].level());
  ecam_.write(2, 0, pci::kCommand, 0, 2);
  f.set_irq(true);  // idempotent: one source counted once
  f.set_irq(false);
  EXPECT_FALSE(lines_[2].level());
}

TEST_F(PciBusTest, MalformedConfigAccessesAreGuestErrors) {
  TestFunction f;
  gpex_->bus().add(1, 0, f);
  uint64_t errors = trace::guest_error_count();
  // Only a broken bus would produce these; the function refuses them.
  EXPECT_EQ(f.config_read(0xFFF, 2), 0xFFFF'FFFFu);
  EXPECT_EQ(f.config_read(0x2, 4), 0xFFFF'FFFFu);
  f.config_write(0x1000, 4, 0);
  f.config_write(0x4, 3, 0);
  EXPECT_EQ(trace::guest_error_count(), errors + 4);
  EXPECT_EQ(ecam_.read(1, 0, pci::kCommand, 2), 0u);
}

TEST_F(PciBusTest, EnumerationFindsAndProgramsEveryFunction) {
  TestFunction a, b;
  gpex_->bus().add(1, 0, a);
  gpex_->bus().add(4, 0, b);
  auto found = test::enumerate(ecam_, kWindow, kWindowSize);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].vendor_id, 0x1B36);
  EXPECT_EQ(found[1].slot, 1u);
  EXPECT_EQ(found[2].slot, 4u);
  EXPECT_EQ(gpex_->bus().mappings().size(), 4u);
  EXPECT_EQ(mem_read(found[2].bar_address[2] + 8), 0xB200'0008u);
}

}  // namespace
}  // namespace vmapple
