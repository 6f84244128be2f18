#pragma once
// One PCI function: a type-0 configuration space (4 KiB, PCIe extended), its
// memory BARs and its INTx pin. Subclasses (devices) describe themselves in
// their constructor (identity, BARs, capabilities); the guest then sizes and
// programs the BARs through the host bridge, which maps the decoded BARs into
// the AddressSpace.
//
// Configuration writes go through per-byte masks: `writable` bits take the
// written value, `write-one-to-clear` bits are cleared by writing 1, all
// other bits are read-only. Reset restores the power-on bytes.
//
// Threads: configuration accesses come from vCPUs (serialised by the bus),
// set_irq() from any thread (device completions on the EventLoop). The
// function's mutex guards the configuration bytes; subclass hooks run
// without it.
#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hw/pci/pci_regs.h"
#include "memory/address_space.h"
#include "memory/mmio.h"

namespace vmapple {

class MsiTarget;

struct PciIdentity {
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // base class << 16 | subclass << 8 | prog-if
  uint16_t subsystem_vendor_id = 0;
  uint16_t subsystem_id = 0;
  pci::IntxPin pin = pci::IntxPin::kNone;
};

// A memory BAR as the device defines it. `size` is a power of two, at least
// 16 bytes; the handler sees offsets relative to the BAR.
struct PciBar {
  uint64_t size = 0;
  bool is_64bit = false;
  bool prefetchable = false;
  MmioHandler* handler = nullptr;
  MmioAccessRules rules;
};

// What a function needs of the bus it is attached to.
class PciBusLink {
 public:
  virtual ~PciBusLink() = default;
  // The function's INTx output changed (already gated by Interrupt Disable).
  virtual void intx_changed(uint8_t devfn, pci::IntxPin pin, bool asserted) = 0;
  // Where MSI/MSI-X messages go; null when the platform has no MSI controller.
  virtual MsiTarget* msi_target() = 0;
};

class PciFunction {
 public:
  // A BAR the guest has enabled (memory decode on) at `address`.
  struct DecodedBar {
    unsigned index;
    uint64_t address;
    uint64_t size;
    MmioHandler* handler;
    MmioAccessRules rules;
  };

  PciFunction(std::string name, const PciIdentity& id);
  virtual ~PciFunction() = default;
  PciFunction(const PciFunction&) = delete;
  PciFunction& operator=(const PciFunction&) = delete;

  const std::string& name() const { return name_; }
  pci::IntxPin intx_pin() const { return pin_; }
  uint8_t devfn() const { return devfn_; }

  // Guest configuration accesses: size 1, 2 or 4, naturally aligned, inside
  // the 4 KiB space (anything else is a guest error: reads all-ones, writes
  // are dropped).
  uint32_t config_read(unsigned offset, unsigned size);
  void config_write(unsigned offset, unsigned size, uint32_t value);

  // Back to the power-on configuration bytes, then reset_function().
  void reset();

  // The BARs the guest enabled, as programmed (possibly nonsense: the bus
  // decides what can be mapped).
  std::vector<DecodedBar> decoded_bars() const;
  bool bus_master_enabled() const;
  uint16_t command() const;

  // Drives the function's INTx pin. Thread-safe.
  void set_irq(bool level);

  // Configuration bytes as the device sees them (no masks, no hooks).
  uint32_t host_read_config(unsigned offset, unsigned size) const;
  void host_write_config(unsigned offset, unsigned size, uint32_t value);

  // Construction-time description. Each sets the power-on value as well.
  void init_config(unsigned offset, unsigned size, uint32_t value);
  void init_writable(unsigned offset, unsigned size, uint32_t mask);
  void init_write_one_to_clear(unsigned offset, unsigned size, uint32_t mask);
  void define_bar(unsigned index, const PciBar& bar);
  // Appends a capability of `length` bytes to the list (below 0x100) and
  // returns its offset; its ID is set and the rest is zero and read-only.
  uint8_t add_capability(uint8_t id, uint8_t length);
  // Places the next add_capability() at `offset` (dword aligned, 0x40..0xFC),
  // for devices whose capabilities sit at fixed offsets (e.g. XHCI, spec 8.1).
  void set_next_capability(uint8_t offset) { next_capability_ = offset; }

  // Set by the bus.
  void attach(PciBusLink* bus, uint8_t devfn);
  void set_multi_function(bool on);
  MsiTarget* msi_target() const { return bus_ ? bus_->msi_target() : nullptr; }

 protected:
  // After a guest write landed in the configuration bytes (the mutex is not
  // held, so the hook may use host_read_config/host_write_config).
  virtual void config_written(unsigned /*offset*/, unsigned /*size*/) {}
  // May replace the value a guest read returns (e.g. a register that has side
  // effects or lives elsewhere).
  virtual void config_reading(unsigned /*offset*/, unsigned /*size*/, uint32_t& /*value*/) {}
  // Device state back to power-on (configuration bytes are already reset).
  virtual void reset_function() {}

 private:
  uint32_t load(const std::array<uint8_t, pci::kConfigSize>& a, unsigned offset,
                unsigned size) const;
  void store(std::array<uint8_t, pci::kConfigSize>& a, unsigned offset, unsigned size,
             uint32_t value);
  void update_intx_locked();

  const std::string name_;
  const pci::IntxPin pin_;
  PciBusLink* bus_ = nullptr;
  uint8_t devfn_ = 0;
  std::array<PciBar, pci::kNumBars> bars_{};
  uint8_t last_capability_ = 0;
  uint8_t next_capability_ = pci::kHeaderSize;

  mutable std::mutex mutex_;
  std::array<uint8_t, pci::kConfigSize> config_{};
  std::array<uint8_t, pci::kConfigSize> power_on_{};
  std::array<uint8_t, pci::kConfigSize> writable_{};
  std::array<uint8_t, pci::kConfigSize> w1c_{};
  bool irq_requested_ = false;
  bool intx_asserted_ = false;
};

}  // namespace vmapple
