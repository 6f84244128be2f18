#include "memory/guest_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/size.h"

namespace vmapple {

GuestMemory::~GuestMemory() {
  for (auto& r : regions_)
    munmap(r.host, r.size);
}

void GuestMemory::add_region(std::string name, uint64_t gpa, uint64_t size) {
  if (size == 0 || gpa + size < gpa)
    throw ConfigError(fmt::format("memory region {} has an invalid size", name));
  for (const auto& r : regions_) {
    if (gpa < r.gpa + r.size && r.gpa < gpa + size)
      throw ConfigError(fmt::format("memory region {} overlaps {}", name, r.name));
  }
  void* host = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (host == MAP_FAILED)
    throw ConfigError(fmt::format("cannot allocate {} of guest memory for {}: {}",
                                  format_size(size), name, std::strerror(errno)));
  regions_.push_back({std::move(name), gpa, size, static_cast<uint8_t*>(host)});
}

const GuestMemory::Region* GuestMemory::find(uint64_t gpa) const {
  for (const auto& r : regions_)
    if (r.contains(gpa, 1)) return &r;
  return nullptr;
}

std::optional<std::span<uint8_t>> GuestMemory::span_at(uint64_t gpa, uint64_t len) const {
  for (const auto& r : regions_)
    if (r.contains(gpa, len)) return std::span<uint8_t>(r.host + (gpa - r.gpa), len);
  return std::nullopt;
}

bool GuestMemory::read(uint64_t gpa, std::span<uint8_t> dst) const {
  auto s = span_at(gpa, dst.size());
  if (!s) return false;
  if (!dst.empty()) std::memcpy(dst.data(), s->data(), dst.size());
  return true;
}

bool GuestMemory::write(uint64_t gpa, std::span<const uint8_t> src) const {
  auto s = span_at(gpa, src.size());
  if (!s) return false;
  if (!src.empty()) std::memcpy(s->data(), src.data(), src.size());
  return true;
}

bool GuestMemory::zero(uint64_t gpa, uint64_t len) const {
  auto s = span_at(gpa, len);
  if (!s) return false;
  if (len == 0) return true;
  // MADV_DONTNEED on private anonymous memory gives back zero pages; the
  // unaligned head and tail are cleared by hand.
  uintptr_t start = reinterpret_cast<uintptr_t>(s->data());
  uintptr_t end = start + len;
  uintptr_t page_start = (start + 4095) & ~uintptr_t{4095};
  uintptr_t page_end = end & ~uintptr_t{4095};
  if (page_start < page_end &&
      madvise(reinterpret_cast<void*>(page_start), page_end - page_start, MADV_DONTNEED) == 0) {
    std::memset(s->data(), 0, page_start - start);
    std::memset(reinterpret_cast<void*>(page_end), 0, end - page_end);
  } else {
    std::memset(s->data(), 0, len);
  }
  return true;
}

}  // namespace vmapple
