#include "cpu/arm64/decode_cache.h"

#include <cstring>

#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/fast_ops.h"

namespace vmapple::arm64 {

uint64_t DecodedPage::fill(unsigned index) {
  // Guest RAM may be written concurrently: read the word once, atomically.
  uint32_t word =
      __atomic_load_n(reinterpret_cast<const uint32_t*>(host + 4 * index), __ATOMIC_RELAXED);
  uint64_t s = make(word);
  slots[index].store(s, std::memory_order_release);
  return s;
}

uint64_t DecodedPage::make(uint32_t word) {
  const Op op = decode(word);
  return kValid | uint64_t{fast::specialise(op, word)} << 48 |
         uint64_t{static_cast<uint16_t>(op)} << 32 | word;
}

void DecodedPage::clear(unsigned first, unsigned count) {
  for (unsigned i = first; i < first + count && i < kSlotsPerPage; ++i)
    slots[i].store(0, std::memory_order_release);
}

DecodeCache::DecodeCache(const GuestMemory& ram) {
  for (const auto& r : ram.regions()) {
    uint64_t pages = (r.size + kPageSize - 1) / kPageSize;
    regions_.push_back({r.gpa, pages, std::make_unique<std::atomic<DecodedPage*>[]>(pages)});
  }
}

DecodeCache::~DecodeCache() = default;

std::atomic<DecodedPage*>* DecodeCache::entry(uint64_t gpa) const {
  for (const auto& r : regions_) {
    uint64_t index = (gpa - r.gpa) >> kPageShift;
    if (gpa >= r.gpa && index < r.pages) return &r.table[index];
  }
  return nullptr;
}

DecodedPage* DecodeCache::page(uint64_t gpa, const uint8_t* host) {
  auto* e = entry(gpa);
  if (!e) return nullptr;
  if (DecodedPage* p = e->load(std::memory_order_acquire)) return p;
  std::lock_guard lock(create_mutex_);
  if (DecodedPage* p = e->load(std::memory_order_acquire)) return p;
  auto page = std::make_unique<DecodedPage>();
  page->gpa = gpa & ~(kPageSize - 1);
  page->host = host;
  DecodedPage* p = page.get();
  owned_.push_back(std::move(page));
  e->store(p, std::memory_order_release);
  // From now on stores to this page must take the MMU's slow path.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return p;
}

bool DecodeCache::is_code(uint64_t gpa) const {
  auto* e = entry(gpa);
  return e && e->load(std::memory_order_relaxed) != nullptr;
}

void DecodeCache::on_write(uint64_t gpa, unsigned size) {
  uint64_t end = gpa + (size ? size : 1);
  for (uint64_t page = gpa & ~(kPageSize - 1); page < end; page += kPageSize) {
    auto* e = entry(page);
    DecodedPage* p = e ? e->load(std::memory_order_acquire) : nullptr;
    if (!p) continue;
    uint64_t lo = std::max(gpa, page), hi = std::min(end, page + kPageSize);
    unsigned first = static_cast<unsigned>((lo - page) / 4);
    unsigned last = static_cast<unsigned>((hi - page + 3) / 4);
    p->clear(first, last - first);
  }
}

void DecodeCache::invalidate_line(uint64_t gpa) {
  on_write(gpa & ~uint64_t{63}, 64);
}

void DecodeCache::invalidate_all() {
  std::lock_guard lock(create_mutex_);
  for (auto& p : owned_)
    p->clear(0, kSlotsPerPage);
}

}  // namespace vmapple::arm64
