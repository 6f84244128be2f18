#pragma once
// The XHCI controller as a PCI function (vmapple spec 8.1): QEMU's
// "qemu-xhci" identity, BAR 0 (64-bit, 16 KiB) with the register file of
// spec 8.2, a PCIe endpoint capability at 0xA0, optional MSI at 0x70 and
// MSI-X at 0x90 (16 vectors, table at BAR0+0x3000, PBA at BAR0+0x3800), and
// the interrupt delivery rules of spec 8.3 (see docs/devices/xhci.md).
#include <memory>

#include "base/clock.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci_function.h"
#include "hw/usb/usb_device.h"
#include "hw/usb/xhci/xhci.h"
#include "memory/guest_memory.h"
#include "memory/mmio.h"

namespace vmapple::usb {

struct XhciOptions {
  unsigned interrupters = 16;             // MaxIntrs, 1..16
  bool conditional_intr_mapping = false;  // spec 8.3 rule B; vmapple turns it on
  bool msi = false;                       // MSI capability at 0x70 (qemu-xhci: off)
  bool msix = false;  // MSI-X at 0x90, 16 vectors, table BAR0+0x3000, PBA BAR0+0x3800
};

class XhciPci final : public PciFunction, public MmioHandler, private XhciHost {
 public:
  static constexpr unsigned kPorts = 8;  // 1-4 USB 3, 5-8 USB 2 (spec 8.2)
  static constexpr uint16_t kVendorId = 0x1B36;
  static constexpr uint16_t kDeviceId = 0x000D;
  static constexpr uint8_t kRevision = 0x01;
  static constexpr uint32_t kClassCode = 0x0C0330;
  static constexpr unsigned kBar = 0;
  static constexpr uint8_t kPcieCapOffset = 0xA0;
  static constexpr uint8_t kMsiCapOffset = 0x70;
  static constexpr uint8_t kMsixCapOffset = 0x90;
  static constexpr unsigned kSbrn = 0x60;   // Serial Bus Release Number
  static constexpr unsigned kFladj = 0x61;  // Frame Length Adjustment
  // Registers are dwords; 64-bit accesses split low dword first.
  static constexpr MmioAccessRules kRules{1, 8, 4, 4};

  // Throws std::invalid_argument for an interrupter count outside 1..16.
  XhciPci(GuestMemory& memory, TimerQueue& timers, XhciOptions options = {});
  ~XhciPci() override;

  // Plugs `device` into root port `port` (1-based; low/full/high speed
  // devices belong on 5-8, SuperSpeed ones on 1-4; anything else throws
  // std::invalid_argument). Sets CCS/CSC and raises a Port Status Change
  // event if the controller runs. The device must outlive the attachment.
  void attach(unsigned port, UsbDevice& device);
  void detach(unsigned port);
  using PciFunction::attach;  // the bus attaches the function

  // BAR 0.
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  const XhciOptions& options() const { return options_; }

 protected:
  void config_written(unsigned offset, unsigned size) override;
  void reset_function() override;

 private:
  // XhciHost
  bool message_mode() override;
  void send_message(unsigned interrupter) override;
  void set_pin(bool level) override;
  bool dma_enabled() override;

  void add_pcie_capability();

  const XhciOptions options_;
  std::unique_ptr<PciMsi> msi_;
  std::unique_ptr<PciMsix> msix_;
  std::unique_ptr<Xhci> core_;
};

}  // namespace vmapple::usb
