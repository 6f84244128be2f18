#pragma once
// A PCI root bus: up to 32 slots of 8 functions, configuration access by
// (device, function), the memory window where decoded BARs are mapped into
// the AddressSpace, and the legacy INTx lines.
//
// BAR mapping follows the guest: after every configuration write that
// touches Command or a BAR, the set of mapped regions is recomputed. A BAR is
// mapped when memory decode is on and it lies entirely inside the window
// without overlapping a BAR mapped before it (lower devfn/BAR first);
// otherwise it is not mapped and a guest error is traced once. Window
// addresses no BAR claims read all-ones and ignore writes (as behind a PCI
// host bridge where a read finds no target).
//
// INTx: the function in slot S asserting pin P (A = 0 .. D = 3) drives line
// (S + P) mod N of the N lines given; a line is the OR of its sources.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>
#include <vector>

#include "base/irq_line.h"
#include "hw/pci/pci_function.h"
#include "memory/address_space.h"

namespace vmapple {

class PciBus final : public PciBusLink {
 public:
  static constexpr unsigned kSlots = 32;
  static constexpr unsigned kFunctions = 8;

  struct Mapping {
    uint8_t devfn;
    unsigned bar;
    uint64_t address;
    uint64_t size;
    auto key() const { return std::tie(devfn, bar, address, size); }
    bool operator==(const Mapping& o) const { return key() == o.key(); }
  };

  PciBus(AddressSpace& space, uint64_t window_base, uint64_t window_size,
         std::vector<IrqLine*> intx_lines);
  ~PciBus() override;

  static constexpr uint8_t devfn(unsigned slot, unsigned function) {
    return static_cast<uint8_t>(slot << 3 | function);
  }

  // Throws ConfigError if the slot/function is taken or out of range.
  void add(unsigned slot, unsigned function, PciFunction& fn);
  // Configuration access (guest view): absent functions read all-ones.
  uint32_t config_read(uint8_t devfn, unsigned offset, unsigned size);
  void config_write(uint8_t devfn, unsigned offset, unsigned size, uint32_t value);
  // Every function back to power-on; all BARs unmapped.
  void reset();

  void set_msi_target(MsiTarget* target) { msi_target_ = target; }
  unsigned intx_line(unsigned slot, pci::IntxPin pin) const;
  std::vector<Mapping> mappings() const;

  void intx_changed(uint8_t devfn, pci::IntxPin pin, bool asserted) override;
  MsiTarget* msi_target() override { return msi_target_; }

 private:
  class WindowHole;
  void update_mappings_locked();
  bool acceptable(const PciFunction& fn, const PciFunction::DecodedBar& bar,
                  const std::vector<Mapping>& taken);
  void unmap_all_locked();
  void map_holes_locked();

  AddressSpace& space_;
  const uint64_t window_base_;
  const uint64_t window_size_;
  std::unique_ptr<WindowHole> hole_;
  MsiTarget* msi_target_ = nullptr;

  mutable std::mutex mutex_;  // configuration accesses and the mapping
  std::map<uint8_t, PciFunction*> functions_;
  std::vector<Mapping> mapped_;
  std::vector<uint64_t> holes_;  // bases of the all-ones regions
  std::set<std::tuple<uint8_t, unsigned, uint64_t>> reported_;

  std::mutex intx_mutex_;
  std::vector<IrqLine*> intx_lines_;
  std::vector<unsigned> intx_sources_;
};

}  // namespace vmapple
