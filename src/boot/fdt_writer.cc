#include "boot/fdt_writer.h"

#include <libfdt.h>

#include <stdexcept>

#include <fmt/format.h>

namespace vmapple::boot {

FdtWriter::FdtWriter(size_t capacity) : buf_(capacity) {
  check(fdt_create(fdt(), static_cast<int>(buf_.size())), "fdt_create");
}

void FdtWriter::check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(fmt::format("{}: {}", what, fdt_strerror(rc)));
}

void FdtWriter::reserve(uint64_t address, uint64_t size) {
  if (reservations_done_) throw std::logic_error("FdtWriter: reserve() after the first node");
  check(fdt_add_reservemap_entry(fdt(), address, size), "fdt_add_reservemap_entry");
}

void FdtWriter::begin_node(std::string_view name) {
  if (!reservations_done_) {
    check(fdt_finish_reservemap(fdt()), "fdt_finish_reservemap");
    reservations_done_ = true;
  }
  check(fdt_begin_node(fdt(), std::string(name).c_str()), "fdt_begin_node");
  ++depth_;
}

void FdtWriter::end_node() {
  if (depth_ == 0) throw std::logic_error("FdtWriter: end_node() without a node");
  check(fdt_end_node(fdt()), "fdt_end_node");
  --depth_;
}

void FdtWriter::prop(std::string_view name, std::span<const uint8_t> bytes) {
  check(
      fdt_property(fdt(), std::string(name).c_str(), bytes.data(), static_cast<int>(bytes.size())),
      "fdt_property");
}

void FdtWriter::prop_empty(std::string_view name) {
  prop(name, {});
}

void FdtWriter::prop_u32(std::string_view name, uint32_t value) {
  prop_cells(name, {value});
}

void FdtWriter::prop_u64(std::string_view name, uint64_t value) {
  prop_cells(name, {hi32(value), lo32(value)});
}

void FdtWriter::prop_cells(std::string_view name, std::span<const uint32_t> cells) {
  std::vector<uint8_t> bytes;
  bytes.reserve(cells.size() * 4);
  for (uint32_t c : cells)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(c >> shift));
  prop(name, bytes);
}

void FdtWriter::prop_cells(std::string_view name, std::initializer_list<uint32_t> cells) {
  prop_cells(name, std::span<const uint32_t>(cells.begin(), cells.size()));
}

void FdtWriter::prop_string(std::string_view name, std::string_view value) {
  prop_strings(name, {value});
}

void FdtWriter::prop_strings(std::string_view name,
                             std::initializer_list<std::string_view> values) {
  std::vector<uint8_t> bytes;
  for (auto v : values) {
    bytes.insert(bytes.end(), v.begin(), v.end());
    bytes.push_back(0);
  }
  prop(name, bytes);
}

std::vector<uint8_t> FdtWriter::finish() {
  if (finished_ || depth_ != 0) throw std::logic_error("FdtWriter: finish() with open nodes");
  check(fdt_finish(fdt()), "fdt_finish");
  finished_ = true;
  buf_.resize(fdt_totalsize(fdt()));
  return std::move(buf_);
}

}  // namespace vmapple::boot
