#include "hw/pci/pci_function.h"

#include <bit>
#include <stdexcept>

#include "base/log.h"

namespace vmapple {
namespace {

bool valid_access(unsigned offset, unsigned size) {
  return (size == 1 || size == 2 || size == 4) && offset % size == 0 &&
         offset + size <= pci::kConfigSize;
}

}  // namespace

PciFunction::PciFunction(std::string name, const PciIdentity& id)
    : name_(std::move(name)), pin_(id.pin) {
  using namespace pci;
  init_config(kVendorId, 2, id.vendor_id);
  init_config(kDeviceId, 2, id.device_id);
  init_config(kRevisionId, 1, id.revision);
  init_config(kClassCode, 1, id.class_code & 0xFF);
  init_config(kClassCode + 1, 2, (id.class_code >> 8) & 0xFFFF);
  init_config(kSubsystemVendorId, 2, id.subsystem_vendor_id);
  init_config(kSubsystemId, 2, id.subsystem_id);
  init_config(kInterruptPin, 1, static_cast<uint8_t>(id.pin));
  // No I/O BARs exist, so I/O space decode stays hardwired to 0.
  init_writable(kCommand, 2,
                kCommandMemorySpace | kCommandBusMaster | kCommandParityErrorResponse |
                    kCommandSerrEnable | (id.pin != IntxPin::kNone ? kCommandInterruptDisable : 0));
  init_write_one_to_clear(kStatus, 2, kStatusErrorBits);
  init_writable(kCacheLineSize, 1, 0xFF);
  init_writable(kInterruptLine, 1, 0xFF);
}

uint32_t PciFunction::load(const std::array<uint8_t, pci::kConfigSize>& a, unsigned offset,
                           unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i)
    v |= uint32_t{a[offset + i]} << (8 * i);
  return v;
}

void PciFunction::store(std::array<uint8_t, pci::kConfigSize>& a, unsigned offset, unsigned size,
                        uint32_t value) {
  for (unsigned i = 0; i < size; ++i)
    a[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

void PciFunction::init_config(unsigned offset, unsigned size, uint32_t value) {
  std::lock_guard lock(mutex_);
  store(config_, offset, size, value);
  store(power_on_, offset, size, value);
}

void PciFunction::init_writable(unsigned offset, unsigned size, uint32_t mask) {
  store(writable_, offset, size, load(writable_, offset, size) | mask);
}

void PciFunction::init_write_one_to_clear(unsigned offset, unsigned size, uint32_t mask) {
  store(w1c_, offset, size, load(w1c_, offset, size) | mask);
}

void PciFunction::define_bar(unsigned index, const PciBar& bar) {
  if (index >= pci::kNumBars || (bar.is_64bit && index + 1 >= pci::kNumBars) || bar.size < 16 ||
      !std::has_single_bit(bar.size) || !bar.handler)
    throw std::invalid_argument(name_ + ": invalid BAR definition");
  bars_[index] = bar;
  unsigned reg = pci::kBar0 + 4 * index;
  uint32_t flags =
      (bar.is_64bit ? pci::kBarMem64 : 0) | (bar.prefetchable ? pci::kBarPrefetchable : 0);
  init_config(reg, 4, flags);
  // The size is encoded by which address bits are writable.
  uint64_t address_mask = ~(bar.size - 1);
  init_writable(reg, 4, static_cast<uint32_t>(address_mask) & ~pci::kBarMemFlagsMask);
  if (bar.is_64bit) init_writable(reg + 4, 4, static_cast<uint32_t>(address_mask >> 32));
}

uint8_t PciFunction::add_capability(uint8_t id, uint8_t length) {
  unsigned offset = (next_capability_ + 3u) & ~3u;
  if (length < 2 || offset + length > 0x100)
    throw std::invalid_argument(name_ + ": capability list full");
  init_config(offset, 1, id);
  init_config(last_capability_ ? last_capability_ + 1u : pci::kCapabilitiesPointer, 1, offset);
  init_config(pci::kStatus, 2, load(config_, pci::kStatus, 2) | pci::kStatusCapabilitiesList);
  last_capability_ = static_cast<uint8_t>(offset);
  next_capability_ = static_cast<uint8_t>(offset + length);
  return static_cast<uint8_t>(offset);
}

void PciFunction::attach(PciBusLink* bus, uint8_t devfn) {
  std::lock_guard lock(mutex_);
  bus_ = bus;
  devfn_ = devfn;
}

void PciFunction::set_multi_function(bool on) {
  uint32_t type = load(power_on_, pci::kHeaderType, 1) & ~pci::kHeaderTypeMultiFunction;
  init_config(pci::kHeaderType, 1, type | (on ? pci::kHeaderTypeMultiFunction : 0));
}

uint32_t PciFunction::config_read(unsigned offset, unsigned size) {
  if (!valid_access(offset, size)) {
    guest_error(name_, "invalid {}-byte configuration read at {:#x}", size, offset);
    return ~0u;
  }
  uint32_t value;
  {
    std::lock_guard lock(mutex_);
    value = load(config_, offset, size);
  }
  config_reading(offset, size, value);
  return value;
}

void PciFunction::config_write(unsigned offset, unsigned size, uint32_t value) {
  if (!valid_access(offset, size)) {
    guest_error(name_, "invalid {}-byte configuration write at {:#x}", size, offset);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    for (unsigned i = 0; i < size; ++i) {
      unsigned a = offset + i;
      uint8_t b = static_cast<uint8_t>(value >> (8 * i));
      config_[a] = static_cast<uint8_t>((config_[a] & ~writable_[a]) | (b & writable_[a]));
      config_[a] &= static_cast<uint8_t>(~(b & w1c_[a]));
    }
    if (offset < pci::kCommand + 2 && offset + size > pci::kCommand) update_intx_locked();
  }
  config_written(offset, size);
}

void PciFunction::reset() {
  {
    std::lock_guard lock(mutex_);
    config_ = power_on_;
    // The device's own reset decides whether the pin stays asserted; the
    // status bit follows the request until then.
    update_intx_locked();
  }
  reset_function();
}

std::vector<PciFunction::DecodedBar> PciFunction::decoded_bars() const {
  std::vector<DecodedBar> out;
  std::lock_guard lock(mutex_);
  if (!(load(config_, pci::kCommand, 2) & pci::kCommandMemorySpace)) return out;
  for (unsigned i = 0; i < pci::kNumBars; ++i) {
    const PciBar& bar = bars_[i];
    if (!bar.handler) continue;
    unsigned reg = pci::kBar0 + 4 * i;
    uint64_t address = load(config_, reg, 4) & ~uint64_t{pci::kBarMemFlagsMask};
    if (bar.is_64bit) address |= uint64_t{load(config_, reg + 4, 4)} << 32;
    out.push_back({i, address, bar.size, bar.handler, bar.rules});
  }
  return out;
}

uint16_t PciFunction::command() const {
  std::lock_guard lock(mutex_);
  return static_cast<uint16_t>(load(config_, pci::kCommand, 2));
}

bool PciFunction::bus_master_enabled() const {
  return command() & pci::kCommandBusMaster;
}

void PciFunction::set_irq(bool level) {
  std::lock_guard lock(mutex_);
  irq_requested_ = level;
  update_intx_locked();
}

void PciFunction::update_intx_locked() {
  if (pin_ == pci::IntxPin::kNone) return;
  uint32_t status = load(config_, pci::kStatus, 2) & ~uint32_t{pci::kStatusInterrupt};
  store(config_, pci::kStatus, 2, status | (irq_requested_ ? pci::kStatusInterrupt : 0));
  bool disabled = load(config_, pci::kCommand, 2) & pci::kCommandInterruptDisable;
  bool assert = irq_requested_ && !disabled;
  if (assert == intx_asserted_) return;
  intx_asserted_ = assert;
  if (bus_) bus_->intx_changed(devfn_, pin_, assert);
}

uint32_t PciFunction::host_read_config(unsigned offset, unsigned size) const {
  if (offset + size > pci::kConfigSize || size > 4) return 0;
  std::lock_guard lock(mutex_);
  return load(config_, offset, size);
}

void PciFunction::host_write_config(unsigned offset, unsigned size, uint32_t value) {
  if (offset + size > pci::kConfigSize || size > 4) return;
  std::lock_guard lock(mutex_);
  store(config_, offset, size, value);
}

}  // namespace vmapple
