#pragma once
// Guest RAM: a few regions, each one anonymous host mapping. Every device DMA
// goes through these checked accessors; a guest address outside RAM is a
// guest error for the caller to report, never a host fault.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bits.h"

namespace vmapple {

class GuestMemory {
 public:
  struct Region {
    std::string name;
    uint64_t gpa;
    uint64_t size;
    uint8_t* host;
    bool contains(uint64_t addr, uint64_t len) const {
      return addr >= gpa && len <= size && addr - gpa <= size - len;
    }
  };

  GuestMemory() = default;
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  // Maps zeroed RAM (lazily backed). Throws ConfigError when the region
  // overlaps another or the host refuses the mapping. Regions are added only
  // while the machine is built, before any vCPU or device thread runs.
  void add_region(std::string name, uint64_t gpa, uint64_t size);

  const std::vector<Region>& regions() const { return regions_; }
  const Region* find(uint64_t gpa) const;

  // The host bytes of [gpa, gpa+len) if the whole range lies in one region.
  std::optional<std::span<uint8_t>> span_at(uint64_t gpa, uint64_t len) const;

  bool read(uint64_t gpa, std::span<uint8_t> dst) const;
  bool write(uint64_t gpa, std::span<const uint8_t> src) const;

  template <typename T>
  std::optional<T> read_le(uint64_t gpa) const {
    auto s = span_at(gpa, sizeof(T));
    if (!s) return std::nullopt;
    return load_le<T>(s->data());
  }
  template <typename T>
  bool write_le(uint64_t gpa, T value) const {
    auto s = span_at(gpa, sizeof(T));
    if (!s) return false;
    store_le<T>(s->data(), value);
    return true;
  }

  // Zeroes a region's bytes (reset) and releases its host pages.
  bool zero(uint64_t gpa, uint64_t len) const;

 private:
  std::vector<Region> regions_;
};

}  // namespace vmapple
