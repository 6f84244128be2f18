#include "hw/usb/xhci/xhci_pci.h"

#include <algorithm>
#include <stdexcept>

#include "base/log.h"

namespace vmapple::usb {
namespace {

constexpr uint8_t kCapPciExpress = 0x10;
constexpr uint8_t kPcieCapLength = 0x3C;  // PCIe capability structure, version 2
constexpr uint16_t kPcieCapVersion2Endpoint = 0x0002;
constexpr unsigned kMsiVectors = 16;
constexpr unsigned kMsixVectors = 16;

PciIdentity identity() {
  PciIdentity id;
  id.vendor_id = XhciPci::kVendorId;
  id.device_id = XhciPci::kDeviceId;
  id.revision = XhciPci::kRevision;
  id.class_code = XhciPci::kClassCode;
  id.pin = pci::IntxPin::kA;
  return id;
}

const XhciOptions& checked(const XhciOptions& options) {
  if (options.interrupters < 1 || options.interrupters > xhci::kMaxInterrupters)
    throw std::invalid_argument("xhci: interrupters must be 1..16");
  return options;
}

}  // namespace

XhciPci::XhciPci(GuestMemory& memory, TimerQueue& timers, XhciOptions options)
    : PciFunction("xhci", identity()), options_(checked(options)) {
  init_config(pci::kCacheLineSize, 1, 0x10);
  init_config(kSbrn, 1, 0x30);   // USB 3.0
  init_config(kFladj, 1, 0x20);  // 60000 bit times per frame
  define_bar(kBar, {xhci::kBarSize, true, false, this, kRules});
  add_pcie_capability();
  if (options_.msi) {
    set_next_capability(kMsiCapOffset);
    msi_ = std::make_unique<PciMsi>(*this, kMsiVectors);
  }
  if (options_.msix) {
    set_next_capability(kMsixCapOffset);
    msix_ = std::make_unique<PciMsix>(*this, kMsixVectors, kBar, xhci::kMsixTable, xhci::kMsixPba);
  }
  core_ = std::make_unique<Xhci>(memory, timers, static_cast<XhciHost&>(*this),
                                 options_.interrupters, options_.conditional_intr_mapping);
}

XhciPci::~XhciPci() = default;

void XhciPci::add_pcie_capability() {
  set_next_capability(kPcieCapOffset);
  uint8_t cap = add_capability(kCapPciExpress, kPcieCapLength);
  init_config(cap + 2, 2, kPcieCapVersion2Endpoint);
}

void XhciPci::attach(unsigned port, UsbDevice& device) {
  core_->attach(port, device);
}

void XhciPci::detach(unsigned port) {
  core_->detach(port);
}

uint64_t XhciPci::read(uint64_t offset, unsigned size) {
  if (offset >= xhci::kMsixTable && offset < xhci::kBarSize)
    return msix_ ? msix_->read(offset - xhci::kMsixTable, size) : 0;
  if (size != 4 || offset % 4 || offset >= xhci::kBarSize) {
    guest_error(name(), "{}-byte register read at {:#x} ignored", size, offset);
    return 0;
  }
  return core_->read(offset);
}

void XhciPci::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= xhci::kMsixTable && offset < xhci::kBarSize) {
    if (msix_) msix_->write(offset - xhci::kMsixTable, size, value);
    return;
  }
  if (size != 4 || offset % 4 || offset >= xhci::kBarSize) {
    guest_error(name(), "{}-byte register write at {:#x} ignored", size, offset);
    return;
  }
  core_->write(offset, static_cast<uint32_t>(value));
}

void XhciPci::config_written(unsigned offset, unsigned size) {
  if (msi_) msi_->config_written(offset, size);
  if (msix_) msix_->config_written(offset, size);
  core_->interrupt_mode_changed();
}

void XhciPci::reset_function() {
  if (msix_) msix_->reset();
  core_->reset();
}

bool XhciPci::message_mode() {
  return (msix_ && msix_->enabled()) || (msi_ && msi_->enabled());
}

void XhciPci::send_message(unsigned interrupter) {
  // MSI-X takes precedence over MSI (spec 8.3).
  if (msix_ && msix_->notify(interrupter)) return;
  if (!msi_) return;
  // Rule C: interrupter n signals MSI vector n mod the vectors the guest
  // enabled with Multiple Message Enable.
  unsigned mme = (host_read_config(msi_->offset() + PciMsi::kControl, 2) >> 4) & 7;
  unsigned enabled = std::min(1u << std::min(mme, 5u), kMsiVectors);
  msi_->notify(interrupter % enabled);
}

void XhciPci::set_pin(bool level) {
  set_irq(level);
}

bool XhciPci::dma_enabled() {
  return bus_master_enabled();
}

}  // namespace vmapple::usb
