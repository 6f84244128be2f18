#pragma once
// The xHCI PCI function on a GPEX host bridge with guest RAM, virtual time
// (ManualTimers) and 16 observable INTx lines, wired as the vmapple machine
// does (ECAM 0x4000_0000, window 0x5000_0000, RAM 0x7000_0000, controller in
// slot 1), enumerated through ECAM and driven by the test driver in
// xhci_driver.h. An optional fake MSI controller receives MSI/MSI-X writes.
#include <array>
#include <memory>
#include <mutex>
#include <vector>

#include "base/manual_timers.h"
#include "hw/pci/gpex.h"
#include "hw/pci/msi.h"
#include "hw/usb/xhci/xhci_pci.h"
#include "unit/hw/pci_driver.h"
#include "unit/hw/xhci_driver.h"

namespace vmapple::test {

struct RecordingMsiTarget final : MsiTarget {
  struct Message {
    uint64_t address;
    uint32_t data;
    bool operator==(const Message&) const = default;
  };
  void send_msi(uint64_t address, uint32_t data) override {
    std::lock_guard lock(mutex);
    sent.push_back({address, data});
  }
  std::vector<Message> take() {
    std::lock_guard lock(mutex);
    return std::exchange(sent, {});
  }
  std::mutex mutex;
  std::vector<Message> sent;
};

class XhciRig {
 public:
  static constexpr uint64_t kEcam = 0x4000'0000;
  static constexpr uint64_t kWindow = 0x5000'0000;
  static constexpr uint64_t kWindowSize = 0x1FFF'0000;
  static constexpr uint64_t kRam = 0x7000'0000;
  static constexpr unsigned kSlot = 1;

  explicit XhciRig(usb::XhciOptions options = {}, bool msi_controller = false,
                   uint64_t ram_size = 64ull << 20)
      : ram_size_(ram_size), arena_(kRam, ram_size) {
    memory_.add_region("ram", kRam, ram_size);
    std::vector<IrqLine*> lines;
    for (auto& l : lines_)
      lines.push_back(&l);
    gpex_ = std::make_unique<GpexHost>(space_, kWindow, kWindowSize, lines);
    space_.add_mmio("pcie-ecam", kEcam, 0x1000'0000, *gpex_, GpexHost::kEcamRules);
    if (msi_controller) gpex_->bus().set_msi_target(&msi_);
    xhci_ = std::make_unique<usb::XhciPci>(memory_, timers_, options);
    gpex_->bus().add(kSlot, 0, *xhci_);
    for (const auto& f : enumerate(ecam_, kWindow, kWindowSize))
      if (f.slot == kSlot) function_ = f;
    driver_ = std::make_unique<XhciDriver>(space_, arena_, function_.bar_address[0],
                                           [this] { return intx().level(); });
    // Timers due now run while the driver polls (virtual time stands still).
    driver_->set_poll_hook([this] { timers_.advance(0); });
  }
  ~XhciRig() {
    driver_.reset();
    space_.remove_mmio(kEcam);
    gpex_.reset();
    xhci_.reset();
  }

  // Reset and start the controller like Linux.
  XhciDriver& start(XhciDriver::Options options = {}) {
    driver_->reset();
    driver_->start(options);
    return *driver_;
  }

  const LatchIrqLine& intx() const {
    return lines_[gpex_->bus().intx_line(kSlot, pci::IntxPin::kA)];
  }
  unsigned intx_index() const { return gpex_->bus().intx_line(kSlot, pci::IntxPin::kA); }
  const std::array<LatchIrqLine, 16>& lines() const { return lines_; }
  XhciDriver& driver() { return *driver_; }
  usb::XhciPci& xhci() { return *xhci_; }
  ManualTimers& timers() { return timers_; }
  AddressSpace& space() { return space_; }
  GuestMemory& memory() { return memory_; }
  GuestArena& arena() { return arena_; }
  const Ecam& ecam() const { return ecam_; }
  const PciFound& function() const { return function_; }
  RecordingMsiTarget& msi() { return msi_; }
  uint64_t ram_end() const { return kRam + ram_size_; }

 private:
  uint64_t ram_size_;
  GuestMemory memory_;
  AddressSpace space_{memory_};
  std::array<LatchIrqLine, 16> lines_;
  ManualTimers timers_;
  RecordingMsiTarget msi_;
  GuestArena arena_;
  std::unique_ptr<GpexHost> gpex_;
  std::unique_ptr<usb::XhciPci> xhci_;
  Ecam ecam_{space_, kEcam};
  PciFound function_;
  std::unique_ptr<XhciDriver> driver_;
};

}  // namespace vmapple::test
