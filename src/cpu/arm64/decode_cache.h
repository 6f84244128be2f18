#pragma once
// Pre-decoded instructions per guest physical page of RAM, shared by the
// vCPUs of a VM. A slot packs {valid, specialised form, Op, instruction
// word} in one atomic 64-bit word, so a vCPU never sees an Op or a form with
// another instruction's word while a second vCPU rewrites the page. Slots
// fill lazily on first execution; a store into a decoded page clears the
// slots it covers.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "cpu/arm64/code_watch.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64 {

inline constexpr unsigned kPageShift = 12;
inline constexpr uint64_t kPageSize = 1u << kPageShift;
inline constexpr unsigned kSlotsPerPage = kPageSize / 4;

struct DecodedPage {
  static constexpr uint64_t kValid = 1ull << 63;
  uint64_t gpa = 0;
  const uint8_t* host = nullptr;
  std::atomic<uint64_t> slots[kSlotsPerPage] = {};

  // The slot of `index`, decoding it first if needed.
  uint64_t slot(unsigned index) {
    uint64_t s = slots[index].load(std::memory_order_acquire);
    return s ? s : fill(index);
  }
  static uint32_t insn(uint64_t slot) { return static_cast<uint32_t>(slot); }
  static uint16_t op(uint64_t slot) { return static_cast<uint16_t>(slot >> 32); }
  // The specialised form (fast_ops.h), 0 for the generic handler.
  static uint8_t form(uint64_t slot) { return static_cast<uint8_t>(slot >> 48); }
  // The slot value of `word` (valid, decoded and specialised).
  static uint64_t make(uint32_t word);

  uint64_t fill(unsigned index);
  void clear(unsigned first, unsigned count);
};

class DecodeCache final : public CodeWatch {
 public:
  explicit DecodeCache(const GuestMemory& ram);
  ~DecodeCache() override;

  // The decoded page of the RAM page at `gpa` (page-aligned) whose host
  // mapping is `host`; created on first use. Pages live as long as the cache.
  DecodedPage* page(uint64_t gpa, const uint8_t* host);

  // Drops decoded instructions: the 64-byte line holding `gpa` (IC IVAU;
  // CTR_EL0.IminLine says 64 B) or everything (IC IALLU).
  void invalidate_line(uint64_t gpa);
  void invalidate_all();

  bool is_code(uint64_t gpa) const override;
  void on_write(uint64_t gpa, unsigned size) override;
  uint64_t generation() const override { return generation_.load(std::memory_order_acquire); }

 private:
  struct Region {
    uint64_t gpa;
    uint64_t pages;
    std::unique_ptr<std::atomic<DecodedPage*>[]> table;
  };
  std::atomic<DecodedPage*>* entry(uint64_t gpa) const;

  std::vector<Region> regions_;
  std::mutex create_mutex_;
  std::vector<std::unique_ptr<DecodedPage>> owned_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace vmapple::arm64
