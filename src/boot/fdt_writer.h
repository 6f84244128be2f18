#pragma once
// A small RAII wrapper over libfdt's sequential-write API: nodes are opened
// and closed in order, properties written big-endian, and finish() returns
// the packed blob. The tree is ours, not the user's: a libfdt error (a
// capacity too small for it) is a VMM bug and throws std::runtime_error.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmapple::boot {

class FdtWriter {
 public:
  explicit FdtWriter(size_t capacity = 64 * 1024);
  FdtWriter(const FdtWriter&) = delete;
  FdtWriter& operator=(const FdtWriter&) = delete;

  // A memory reservation entry (before the first node).
  void reserve(uint64_t address, uint64_t size);
  void begin_node(std::string_view name);
  void end_node();

  void prop(std::string_view name, std::span<const uint8_t> bytes);
  void prop_empty(std::string_view name);
  void prop_u32(std::string_view name, uint32_t value);
  void prop_u64(std::string_view name, uint64_t value);
  void prop_cells(std::string_view name, std::span<const uint32_t> cells);
  void prop_cells(std::string_view name, std::initializer_list<uint32_t> cells);
  void prop_string(std::string_view name, std::string_view value);
  void prop_strings(std::string_view name, std::initializer_list<std::string_view> values);

  // A fresh phandle (1, 2, ...) to give a node with prop_u32("phandle", ...).
  uint32_t alloc_phandle() { return next_phandle_++; }

  // Closes the tree and returns the packed blob; the writer is then done.
  std::vector<uint8_t> finish();

 private:
  void check(int rc, const char* what);
  void* fdt() { return buf_.data(); }

  std::vector<uint8_t> buf_;
  bool reservations_done_ = false;
  bool finished_ = false;
  int depth_ = 0;
  uint32_t next_phandle_ = 1;
};

// Two cells of a 64-bit value, as "reg" and "ranges" want them.
inline uint32_t hi32(uint64_t v) {
  return static_cast<uint32_t>(v >> 32);
}
inline uint32_t lo32(uint64_t v) {
  return static_cast<uint32_t>(v);
}

}  // namespace vmapple::boot
