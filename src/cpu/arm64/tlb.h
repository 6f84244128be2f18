#pragma once
// The software TLB of one vCPU: direct-mapped tables of 4 KiB leaf
// translations, one table per access kind (read, write, fetch) and privilege
// (EL0, EL1). An entry only exists for an access that is permitted, lands in
// RAM, so a hit goes straight to host memory: index by VA[20:12], compare
// the tag (which also rejects misaligned accesses to Device memory), add
// the addend.
#include <cstdint>

namespace vmapple::arm64 {

struct TlbEntry {
  // A value no page address has (bit 0 set): the entry is empty.
  static constexpr uint64_t kEmpty = 1;
  // VA bits that name a page for TLBI (VA[55:12]; TBI may tag [63:56]).
  static constexpr uint64_t kVaPageMask = 0x00fffffffffff000ull;
  // tag_mask fields: the ASID bits compared (non-global entries) and the
  // address bits that must be zero (Device memory, SCTLR_EL1.A): an access
  // passes (va & (size - 1)) << kAlignShift, so a misaligned one misses.
  static constexpr uint32_t kAsidBits = 0xffff;
  static constexpr unsigned kAlignShift = 16;
  static constexpr uint32_t kAlignBits = 0x3fu << kAlignShift;

  uint64_t page = kEmpty;  // VA[63:12] exactly as accessed, low 12 bits 0
  uint32_t asid = 0;       // the ASID of a non-global entry
  uint32_t tag_mask = 0;   // kAsidBits if nG, | kAlignBits if alignment is checked
  uintptr_t addend = 0;    // host address of byte `va` = addend + va
  uint64_t info = 0;       // PA of the page | log2(size of the leaf: 12, 21, 30)

  // One test, no branch on global vs nG or on the memory type.
  bool matches(uint64_t va, uint32_t current_asid, uint32_t misaligned = 0) const {
    return ((page ^ (va & ~0xfffull)) | ((asid ^ current_asid ^ misaligned) & tag_mask)) == 0;
  }
  bool valid() const { return page != kEmpty; }
  bool global() const { return (tag_mask & kAsidBits) == 0; }
  uint64_t pa_page() const { return info & ~0xfffull; }
  unsigned leaf_shift() const { return static_cast<unsigned>(info & 0xfff); }
  void clear() { page = kEmpty; }
};

class Tlb {
 public:
  static constexpr unsigned kEntries = 512;  // 2 MiB reach per table

  TlbEntry& slot(uint64_t va) { return entries_[(va >> 12) & (kEntries - 1)]; }
  const TlbEntry& slot(uint64_t va) const { return entries_[(va >> 12) & (kEntries - 1)]; }
  TlbEntry* begin() { return entries_; }
  TlbEntry* end() { return entries_ + kEntries; }
  void clear() {
    for (auto& e : entries_)
      e.clear();
  }

 private:
  TlbEntry entries_[kEntries];
};

}  // namespace vmapple::arm64
