#pragma once
// The guest-physical address map: RAM (GuestMemory) plus MMIO regions.
// Lookups read an immutable snapshot, so regions may be added or removed from
// inside a device handler (a PCI BAR being programmed) without deadlock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "memory/guest_memory.h"
#include "memory/mmio.h"

namespace vmapple {

enum class MmioStatus {
  kOk,
  kUnassigned,  // no RAM or device: reads 0, writes dropped, traced
  kInvalid,     // size/alignment the device does not accept: a bus error
};

class AddressSpace {
 public:
  struct Region {
    std::string name;
    uint64_t base;
    uint64_t size;
    MmioHandler* handler;
    MmioAccessRules rules;
  };

  explicit AddressSpace(GuestMemory& memory) : memory_(memory) {}

  // Throws ConfigError if the range is empty or overlaps RAM or a region.
  void add_mmio(std::string name, uint64_t base, uint64_t size, MmioHandler& handler,
                MmioAccessRules rules = {});
  // Removes the region starting at `base`; returns whether there was one.
  bool remove_mmio(uint64_t base);

  MmioStatus read(uint64_t gpa, unsigned size, uint64_t* value) const;
  MmioStatus write(uint64_t gpa, unsigned size, uint64_t value) const;

  GuestMemory& memory() const { return memory_; }
  // The region covering gpa, if any (a copy: the map may change meanwhile).
  std::optional<Region> find_mmio(uint64_t gpa) const;

 private:
  using Map = std::vector<Region>;  // sorted by base, disjoint
  const Region* lookup(const Map& map, uint64_t gpa) const;

  GuestMemory& memory_;
  std::atomic<std::shared_ptr<const Map>> map_{std::make_shared<const Map>()};
};

}  // namespace vmapple
