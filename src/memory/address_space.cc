#include "memory/address_space.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "base/bits.h"
#include "base/error.h"
#include "base/log.h"

namespace vmapple {
namespace {

bool valid_size(unsigned size) {
  return size == 1 || size == 2 || size == 4 || size == 8;
}

std::mutex& writer_mutex() {
  static std::mutex m;
  return m;
}

// Reads `size` bytes at `offset` from a handler that implements only
// [impl_min, impl_max]-byte accesses.
uint64_t adjusted_read(const AddressSpace::Region& r, uint64_t offset, unsigned size) {
  const auto& rules = r.rules;
  if (size < rules.impl_min) {
    uint64_t wide_off = offset & ~uint64_t(rules.impl_min - 1);
    uint64_t wide = r.handler->read(wide_off, rules.impl_min);
    return (wide >> (8 * (offset - wide_off))) & mask(8 * size);
  }
  if (size > rules.impl_max) {
    uint64_t value = 0;
    for (unsigned done = 0; done < size; done += rules.impl_max)
      value |= (r.handler->read(offset + done, rules.impl_max) & mask(8 * rules.impl_max))
               << (8 * done);
    return value;
  }
  return r.handler->read(offset, size) & mask(8 * size);
}

void adjusted_write(const AddressSpace::Region& r, uint64_t offset, unsigned size, uint64_t value) {
  const auto& rules = r.rules;
  value &= mask(8 * size);
  if (size < rules.impl_min) {
    uint64_t wide_off = offset & ~uint64_t(rules.impl_min - 1);
    r.handler->write(wide_off, rules.impl_min, value << (8 * (offset - wide_off)));
  } else if (size > rules.impl_max) {
    for (unsigned done = 0; done < size; done += rules.impl_max)
      r.handler->write(offset + done, rules.impl_max,
                       (value >> (8 * done)) & mask(8 * rules.impl_max));
  } else {
    r.handler->write(offset, size, value);
  }
}

bool allowed(const AddressSpace::Region& r, uint64_t offset, unsigned size) {
  return size >= r.rules.min_size && size <= r.rules.max_size && (offset & (size - 1)) == 0 &&
         offset + size <= r.size;
}

}  // namespace

void AddressSpace::add_mmio(std::string name, uint64_t base, uint64_t size, MmioHandler& handler,
                            MmioAccessRules rules) {
  if (size == 0 || base + size < base)
    throw ConfigError(fmt::format("MMIO region {} has an invalid size", name));
  for (const auto& ram : memory_.regions()) {
    if (base < ram.gpa + ram.size && ram.gpa < base + size)
      throw ConfigError(
          fmt::format("MMIO region {} at {:#x} overlaps RAM region {}", name, base, ram.name));
  }
  std::lock_guard lock(writer_mutex());
  auto old = map_.load();
  for (const auto& r : *old) {
    if (base < r.base + r.size && r.base < base + size)
      throw ConfigError(
          fmt::format("MMIO region {} at {:#x} overlaps {} at {:#x}", name, base, r.name, r.base));
  }
  auto next = std::make_shared<Map>(*old);
  Region region{std::move(name), base, size, &handler, rules};
  next->insert(std::upper_bound(next->begin(), next->end(), base,
                                [](uint64_t b, const Region& r) { return b < r.base; }),
               std::move(region));
  map_.store(std::move(next));
}

bool AddressSpace::remove_mmio(uint64_t base) {
  std::lock_guard lock(writer_mutex());
  auto old = map_.load();
  auto next = std::make_shared<Map>(*old);
  auto it =
      std::find_if(next->begin(), next->end(), [&](const Region& r) { return r.base == base; });
  if (it == next->end()) return false;
  next->erase(it);
  map_.store(std::move(next));
  return true;
}

const AddressSpace::Region* AddressSpace::lookup(const Map& map, uint64_t gpa) const {
  auto it = std::upper_bound(map.begin(), map.end(), gpa,
                             [](uint64_t a, const Region& r) { return a < r.base; });
  if (it == map.begin()) return nullptr;
  --it;
  return gpa - it->base < it->size ? &*it : nullptr;
}

std::optional<AddressSpace::Region> AddressSpace::find_mmio(uint64_t gpa) const {
  auto map = map_.load();
  const Region* r = lookup(*map, gpa);
  if (!r) return std::nullopt;
  return *r;
}

MmioStatus AddressSpace::read(uint64_t gpa, unsigned size, uint64_t* value) const {
  *value = 0;
  if (!valid_size(size)) return MmioStatus::kInvalid;
  if (auto s = memory_.span_at(gpa, size)) {
    std::memcpy(value, s->data(), size);
    return MmioStatus::kOk;
  }
  auto map = map_.load();
  const Region* r = lookup(*map, gpa);
  if (!r) {
    VMAPPLE_TRACE(trace::unassigned_category, "read {:#x} size {}", gpa, size);
    return MmioStatus::kUnassigned;
  }
  uint64_t offset = gpa - r->base;
  if (!allowed(*r, offset, size)) {
    guest_error(r->name, "invalid {}-byte read at offset {:#x}", size, offset);
    return MmioStatus::kInvalid;
  }
  *value = adjusted_read(*r, offset, size);
  return MmioStatus::kOk;
}

MmioStatus AddressSpace::write(uint64_t gpa, unsigned size, uint64_t value) const {
  if (!valid_size(size)) return MmioStatus::kInvalid;
  if (auto s = memory_.span_at(gpa, size)) {
    std::memcpy(s->data(), &value, size);
    return MmioStatus::kOk;
  }
  auto map = map_.load();
  const Region* r = lookup(*map, gpa);
  if (!r) {
    VMAPPLE_TRACE(trace::unassigned_category, "write {:#x} size {} value {:#x}", gpa, size, value);
    return MmioStatus::kUnassigned;
  }
  uint64_t offset = gpa - r->base;
  if (!allowed(*r, offset, size)) {
    guest_error(r->name, "invalid {}-byte write at offset {:#x}", size, offset);
    return MmioStatus::kInvalid;
  }
  adjusted_write(*r, offset, size, value);
  return MmioStatus::kOk;
}

}  // namespace vmapple
