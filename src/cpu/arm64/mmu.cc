// Stage-1 translation table walk, permission checks, faults, the TLB slow
// paths, TLB maintenance, AT and DC ZVA. Field names and fault priorities
// follow the Arm ARM (DDI 0487) chapter D8 "The AArch64 Virtual Memory
// System Architecture" for a v8.0 PE with 4K granule, PARange 48 bits, no
// HAFDBS, no PAN, no LPA.
#include "cpu/arm64/mmu.h"

#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "cpu/arm64/vcpu_services.h"

namespace vmapple::arm64 {
namespace {

trace::Category kTrace("mmu");

constexpr unsigned kPaRangeBits = 48;                 // ID_AA64MMFR0_EL1.PARange
constexpr uint64_t kOutputMask = 0x0000fffffffff000;  // descriptor OA / table address [47:12]
constexpr uint64_t kSctlrWxn = 1ull << 19;
constexpr uint64_t kSctlrTracked = sctlr::kM | sctlr::kA | kSctlrWxn;
constexpr uint8_t kAttrDeviceNGnRnE = 0x00;
constexpr uint8_t kAttrNormalNonCacheable = 0x44;

// TCR_EL1 fields (D17.2.131).
constexpr unsigned kTcrEpd0 = 7;
constexpr unsigned kTcrA1 = 22;
constexpr unsigned kTcrEpd1 = 23;
constexpr unsigned kTcrAs = 36;
constexpr unsigned kTcrTbi0 = 37;
constexpr unsigned kTcrTbi1 = 38;

// Descriptor fields (D8.3).
constexpr unsigned kDescAf = 10;
constexpr unsigned kDescNg = 11;
constexpr unsigned kDescPxn = 53;
constexpr unsigned kDescUxn = 54;
constexpr unsigned kTablePxn = 59;
constexpr unsigned kTableUxn = 60;

// The output address size of TCR_EL1.IPS, capped by PARange.
unsigned output_address_bits(uint64_t tcr) {
  static constexpr unsigned kIps[8] = {32, 36, 40, 42, 44, 48, 52, 52};
  return std::min(kIps[bits(tcr, 34, 32)], kPaRangeBits);
}

bool top_byte_ignored(uint64_t tcr, uint64_t va) {
  return bit(tcr, bit(va, 55) ? kTcrTbi1 : kTcrTbi0);
}

Translation make_fault(FaultKind kind, unsigned level) {
  Translation t;
  t.fault = kind;
  t.level = static_cast<uint8_t>(level);
  return t;
}

// STXR: compare-and-swap on the host word against the value LDXR read.
template <typename T>
bool compare_and_swap(uint8_t* p, T expected, T desired) {
  if constexpr (sizeof(T) == 16) {
#if defined(__x86_64__)
    // GCC does not inline a 16-byte __atomic CAS (it calls libatomic), so
    // use CMPXCHG16B directly; guest alignment makes p 16-byte aligned.
    uint64_t lo = static_cast<uint64_t>(expected);
    uint64_t hi = static_cast<uint64_t>(expected >> 64);
    bool ok;
    asm volatile("lock cmpxchg16b %1"
                 : "=@ccz"(ok), "+m"(*reinterpret_cast<volatile unsigned __int128*>(p)), "+a"(lo),
                   "+d"(hi)
                 : "b"(static_cast<uint64_t>(desired)), "c"(static_cast<uint64_t>(desired >> 64))
                 : "memory");
    return ok;
#else
    return __atomic_compare_exchange_n(reinterpret_cast<T*>(p), &expected, desired, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
#endif
  } else {
    return __atomic_compare_exchange_n(reinterpret_cast<T*>(p), &expected, desired, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  }
}

}  // namespace

uint32_t fault_status_code(FaultKind kind, unsigned level) {
  switch (kind) {
    case FaultKind::kNone:
      return 0;
    case FaultKind::kAddressSize:
      return 0x00 | level;
    case FaultKind::kTranslation:
      return 0x04 | level;
    case FaultKind::kAccessFlag:
      return 0x08 | level;
    case FaultKind::kPermission:
      return 0x0c | level;
    case FaultKind::kExternal:
      return 0x10;
    case FaultKind::kExternalWalk:
      return 0x14 | level;
    case FaultKind::kAlignment:
      return 0x21;
  }
  return 0;
}

Mmu::Mmu(Core& core, const GuestMemory& ram, CodeWatch& code)
    : core_(core), ram_(ram), code_(code) {
  code_generation_seen_ = code_.generation();
  regs_seen_[0] = ~0ull;  // forces the first call to flush and latch
  on_translation_regs_changed();
}

// --- the walk ----------------------------------------------------------

bool Mmu::read_descriptor(uint64_t pa, uint64_t& desc) const {
  auto s = ram_.span_at(pa, 8);
  if (!s) return false;
  // Another vCPU may be updating the entry: a single-copy atomic read.
  desc = __atomic_load_n(reinterpret_cast<const uint64_t*>(s->data()), __ATOMIC_RELAXED);
  return true;
}

Translation Mmu::translate_mmu_off(uint64_t va, bool fetch) const {
  // VA = PA; data is Device-nGnRnE, instructions Normal (D8.2.10).
  const unsigned top = top_byte_ignored(core_.sys.tcr, va) ? 55 : 63;
  if (bits(va, top, kPaRangeBits) != 0) return make_fault(FaultKind::kAddressSize, 0);
  Translation t;
  t.pa = va & mask(kPaRangeBits);
  t.attr = fetch ? kAttrNormalNonCacheable : kAttrDeviceNGnRnE;
  t.sh = 2;
  t.read = t.write = t.exec = true;
  return t;
}

Translation Mmu::translate(uint64_t va, bool el0, bool fetch) const {
  const SysRegs& s = core_.sys;
  if (!(s.sctlr & sctlr::kM)) return translate_mmu_off(va, fetch);

  const uint64_t tcr = s.tcr;
  const bool upper = bit(va, 55);
  // TxSZ outside 16..39 is CONSTRAINED UNPREDICTABLE; clamp like hardware
  // that does not implement larger or smaller ranges.
  const unsigned tsz = std::clamp<unsigned>(upper ? bits(tcr, 21, 16) : bits(tcr, 5, 0), 16, 39);
  const unsigned in_bits = 64 - tsz;
  const unsigned top = top_byte_ignored(tcr, va) ? 55 : 63;
  const uint64_t ext = bits(va, top, in_bits);
  const bool disabled = bit(tcr, upper ? kTcrEpd1 : kTcrEpd0);
  if (disabled || ext != (upper ? mask(top - in_bits + 1) : 0))
    return make_fault(FaultKind::kTranslation, 0);

  const unsigned pa_bits = output_address_bits(tcr);
  const unsigned levels = (in_bits - 12 + 8) / 9;
  unsigned level = 4 - levels;
  unsigned index_bits = in_bits - 12 - 9 * (levels - 1);
  uint64_t table = bits(upper ? s.ttbr1 : s.ttbr0, 47, 1) << 1;
  table &= ~((8ull << index_bits) - 1);  // BADDR is aligned to the table size
  if (table >> pa_bits) return make_fault(FaultKind::kAddressSize, 0);

  bool pxn_table = false;
  bool uxn_table = false;
  unsigned ap_table = 0;
  uint64_t desc = 0;
  for (;;) {
    const unsigned shift = 12 + 9 * (3 - level);
    const uint64_t index = bits(va, shift + index_bits - 1, shift);
    if (!read_descriptor(table + index * 8, desc))
      return make_fault(FaultKind::kExternalWalk, level);
    if (!(desc & 1)) return make_fault(FaultKind::kTranslation, level);
    if (!(desc & 2) || level == 3) break;  // block or page
    table = desc & kOutputMask;
    if (table >> pa_bits) return make_fault(FaultKind::kAddressSize, level);
    pxn_table |= bit(desc, kTablePxn);
    uxn_table |= bit(desc, kTableUxn);
    ap_table |= bits(desc, 62, 61);
    ++level;
    index_bits = 9;
  }
  // A block at level 0 and a level-3 descriptor with bit 1 clear are invalid.
  if (level == 0 || (level == 3 && !(desc & 2))) return make_fault(FaultKind::kTranslation, level);

  const unsigned shift = 12 + 9 * (3 - level);
  const uint64_t oa = desc & kOutputMask & ~mask(shift);
  if (oa >> pa_bits) return make_fault(FaultKind::kAddressSize, level);
  if (!bit(desc, kDescAf)) return make_fault(FaultKind::kAccessFlag, level);

  Translation t;
  t.level = static_cast<uint8_t>(level);
  t.leaf_shift = static_cast<uint8_t>(shift);
  t.pa = oa | (va & mask(shift));
  t.attr = static_cast<uint8_t>(s.mair >> (8 * bits(desc, 4, 2)));
  t.sh = static_cast<uint8_t>(bits(desc, 9, 8));
  t.global = !bit(desc, kDescNg);

  // AP[2:1]: AP[1] gives EL0 access, AP[2] makes it read-only; APTable[0]
  // removes EL0 access below the table, APTable[1] removes write access.
  const bool el0_access = bit(desc, 6) && !(ap_table & 1);
  const bool read_only = bit(desc, 7) || (ap_table & 2);
  const bool wxn = s.sctlr & kSctlrWxn;
  if (el0) {
    t.read = el0_access;
    t.write = el0_access && !read_only;
    // EL0 may execute what it cannot read (execute-only mappings).
    t.exec = !(bit(desc, kDescUxn) || uxn_table || (wxn && t.write));
  } else {
    t.read = true;
    t.write = !read_only;
    // Anything EL0 can write is never executable at EL1.
    const bool el0_write = el0_access && !read_only;
    t.exec = !(bit(desc, kDescPxn) || pxn_table || el0_write || (wxn && t.write));
  }
  return t;
}

// --- faults --------------------------------------------------------------

void Mmu::data_abort(uint64_t far, FaultKind kind, unsigned level, bool write, AccessFlags flags) {
  uint32_t iss = fault_status_code(kind, level);
  // Cache maintenance reports CM=1 and WnR=1 (D17.2.37, ISS encoding for a
  // Data Abort).
  if (write || flags.cache_maintenance) iss |= 1u << 6;
  if (flags.cache_maintenance) iss |= 1u << 8;
  const uint32_t ec = core_.el == 0 ? ec::kDataAbortLower : ec::kDataAbortSame;
  VMAPPLE_TRACE(kTrace, "data abort va {:#x} fsc {:#04x} {} at pc {:#x}", far, iss & 0x3f,
                write ? "write" : "read", core_.pc);
  core_.take_abort(ec, iss, far, core_.pc);
}

void Mmu::instruction_abort(uint64_t va, FaultKind kind, unsigned level) {
  const uint32_t ec = core_.el == 0 ? ec::kInstAbortLower : ec::kInstAbortSame;
  VMAPPLE_TRACE(kTrace, "instruction abort va {:#x} fsc {:#04x}", va,
                fault_status_code(kind, level));
  core_.take_abort(ec, fault_status_code(kind, level), va, va);
}

bool Mmu::strict_alignment() const {
  return core_.sys.sctlr & sctlr::kA;
}

// --- TLB fill and slow paths ---------------------------------------------

void Mmu::note_block(uint64_t va, unsigned shift) {
  const uint64_t base = va & TlbEntry::kVaPageMask & ~mask(shift);
  const unsigned half = bit(va, 55);
  block_lo_[half] = std::min(block_lo_[half], base);
  block_hi_[half] = std::max(block_hi_[half], base + mask(shift));
}

void Mmu::fill(uint64_t va, const Translation& t, bool el0, uint8_t* host) {
  // RAM pages only (MMIO always exits); faults are never cached. Device
  // memory and SCTLR.A make the tag reject misaligned accesses.
  if (!host) return;
  const uint64_t va_page = va & ~0xfffull;
  const uint64_t pa_page = t.pa & ~0xfffull;
  auto page = ram_.span_at(pa_page, 4096);
  if (!page) return;
  TlbEntry e;
  e.page = va_page;
  e.asid = t.global ? 0 : asid_;
  e.tag_mask = t.global ? 0 : TlbEntry::kAsidBits;
  if (t.device() || strict_alignment()) e.tag_mask |= TlbEntry::kAlignBits;
  e.addend = reinterpret_cast<uintptr_t>(page->data()) - va_page;
  e.info = pa_page | t.leaf_shift;
  const unsigned el = el0 ? 0 : 1;
  if (t.read) tlb_[static_cast<unsigned>(AccessKind::kRead)][el].slot(va) = e;
  // Stores to decoded code must reach CodeWatch::on_write through the slow
  // path; the generation is read before is_code (see sync_code_generation).
  if (t.write && !code_.is_code(pa_page))
    tlb_[static_cast<unsigned>(AccessKind::kWrite)][el].slot(va) = e;
  if (t.leaf_shift > 12) note_block(va, t.leaf_shift);
}

Mmu::Resolved Mmu::resolve(uint64_t va, unsigned size, AccessKind kind, bool el0, AccessFlags flags,
                           bool unaligned) {
  ++walks_;
  const bool write = kind == AccessKind::kWrite;
  const Translation t = translate(va, el0, false);
  if (!t.ok()) data_abort(va, t.fault, t.level, write, flags);
  // Unaligned accesses to Device memory fault before permissions are checked.
  if (unaligned && t.device()) alignment_fault(va, write, flags);
  if (!t.permits(kind)) data_abort(va, FaultKind::kPermission, t.level, write, flags);
  auto span = ram_.span_at(t.pa, size);
  uint8_t* host = span ? span->data() : nullptr;
  fill(va, t, el0, host);
  return {host, t.pa};
}

uint64_t Mmu::read_bytes(Resolved r, unsigned size) {
  if (r.host) {
    uint64_t v = 0;
    std::memcpy(&v, r.host, size);
    return v;
  }
  if (size == 1 || size == 2 || size == 4 || size == 8)
    return mmio_access(core_, r.pa, size, false, 0);
  uint64_t v = 0;  // a page-crossing piece of odd size: byte by byte
  for (unsigned i = 0; i < size; ++i)
    v |= (mmio_access(core_, r.pa + i, 1, false, 0) & 0xff) << (8 * i);
  return v;
}

void Mmu::write_bytes(Resolved r, unsigned size, uint64_t value) {
  if (r.host) {
    std::memcpy(r.host, &value, size);
    if (code_.is_code(r.pa & ~0xfffull)) code_.on_write(r.pa, size);
    return;
  }
  if (size == 1 || size == 2 || size == 4 || size == 8) {
    mmio_access(core_, r.pa, size, true, value);
    return;
  }
  for (unsigned i = 0; i < size; ++i)
    mmio_access(core_, r.pa + i, 1, true, (value >> (8 * i)) & 0xff);
}

template <typename T>
T Mmu::load_slow(uint64_t va, AccessFlags flags) {
  constexpr unsigned size = sizeof(T);
  const bool el0 = flags.unprivileged || core_.el == 0;
  const bool ordered = flags.exclusive || flags.acquire_release;
  const bool unaligned = (va & (size - 1)) != 0;
  if (unaligned && (ordered || strict_alignment())) alignment_fault(va, false, flags);

  const unsigned first = 0x1000 - static_cast<unsigned>(va & 0xfff);
  if (first < size) {
    // Crosses a page: translate both halves before reading either. A fault
    // on the second page reports the first byte of that page.
    const uint64_t va2 = va + first;
    const Resolved a = resolve(va, first, AccessKind::kRead, el0, flags, true);
    const Resolved b = resolve(va2, size - first, AccessKind::kRead, el0, flags, true);
    uint8_t buf[16];
    for (unsigned done = 0; done < size;) {
      const bool in_a = done < first;
      const unsigned n = std::min(8u, (in_a ? first : size) - done);
      const Resolved& r = in_a ? a : b;
      const unsigned off = in_a ? done : done - first;
      const uint64_t v = read_bytes({r.host ? r.host + off : nullptr, r.pa + off}, n);
      std::memcpy(buf + done, &v, n);
      done += n;
    }
    return load_le<T>(buf);
  }

  const Resolved r = resolve(va, size, AccessKind::kRead, el0, flags, unaligned);
  if (r.host) {
    const T v = ordered ? atomic_load<T>(r.host, flags.acquire_release) : load_le<T>(r.host);
    if (flags.exclusive) record_exclusive(va, size, v);
    return v;
  }
  if (flags.exclusive) {
    guest_error("cpu",
                "load-exclusive from MMIO at {:#x} (pc {:#x}): the store-exclusive will fail", r.pa,
                core_.pc);
    core_.clear_exclusive();
  }
  if constexpr (size == 16) {
    const uint64_t lo = mmio_access(core_, r.pa, 8, false, 0);
    const uint64_t hi = mmio_access(core_, r.pa + 8, 8, false, 0);
    return static_cast<T>(hi) << 64 | lo;
  } else {
    return static_cast<T>(mmio_access(core_, r.pa, size, false, 0));
  }
}

template <typename T>
void Mmu::store_slow(uint64_t va, T value, AccessFlags flags) {
  constexpr unsigned size = sizeof(T);
  const bool el0 = flags.unprivileged || core_.el == 0;
  const bool ordered = flags.exclusive || flags.acquire_release;
  const bool unaligned = (va & (size - 1)) != 0;
  if (unaligned && (ordered || strict_alignment())) alignment_fault(va, true, flags);

  const unsigned first = 0x1000 - static_cast<unsigned>(va & 0xfff);
  if (first < size) {
    // Both pages are checked before anything is written.
    const uint64_t va2 = va + first;
    const Resolved a = resolve(va, first, AccessKind::kWrite, el0, flags, true);
    const Resolved b = resolve(va2, size - first, AccessKind::kWrite, el0, flags, true);
    uint8_t buf[16];
    std::memcpy(buf, &value, size);
    for (unsigned done = 0; done < size;) {
      const bool in_a = done < first;
      const unsigned n = std::min(8u, (in_a ? first : size) - done);
      const Resolved& r = in_a ? a : b;
      const unsigned off = in_a ? done : done - first;
      uint64_t v = 0;
      std::memcpy(&v, buf + done, n);
      write_bytes({r.host ? r.host + off : nullptr, r.pa + off}, n, v);
      done += n;
    }
    return;
  }

  const Resolved r = resolve(va, size, AccessKind::kWrite, el0, flags, unaligned);
  if (r.host) {
    if constexpr (size <= 8) {
      if (flags.acquire_release)
        __atomic_store_n(reinterpret_cast<T*>(r.host), value, __ATOMIC_SEQ_CST);
      else
        store_le<T>(r.host, value);
    } else {
      store_le<T>(r.host, value);
    }
    // After the store: a concurrent decode between an earlier invalidation
    // and the store would keep the old instruction.
    if (code_.is_code(r.pa & ~0xfffull)) code_.on_write(r.pa, size);
    return;
  }
  if constexpr (size == 16) {
    mmio_access(core_, r.pa, 8, true, static_cast<uint64_t>(value));
    mmio_access(core_, r.pa + 8, 8, true, static_cast<uint64_t>(value >> 64));
  } else {
    mmio_access(core_, r.pa, size, true, static_cast<uint64_t>(value));
  }
}

template <typename T>
bool Mmu::store_exclusive(uint64_t va, T value, AccessFlags flags) {
  flags.exclusive = true;
  // Alignment first, then the local monitor, then translation (Arm ARM
  // AArch64.ExclusiveMonitorsPass).
  if (va & (sizeof(T) - 1)) alignment_fault(va, true, flags);
  const bool pass = core_.excl_valid && core_.excl_addr == va && core_.excl_size == sizeof(T);
  const T expected = static_cast<T>(core_.excl_value);
  core_.clear_exclusive();
  if (!pass) return false;

  const unsigned el = flags.unprivileged ? 0 : privilege();
  uint8_t* p;
  if (lookup<sizeof(T)>(AccessKind::kWrite, el, va, p))
    return compare_and_swap<T>(p, expected, value);

  const Resolved r = resolve(va, sizeof(T), AccessKind::kWrite, el == 0, flags, false);
  if (!r.host) {
    guest_error("cpu", "store-exclusive to MMIO at {:#x} (pc {:#x}) fails", r.pa, core_.pc);
    return false;
  }
  const bool ok = compare_and_swap<T>(r.host, expected, value);
  if (ok && code_.is_code(r.pa & ~0xfffull)) code_.on_write(r.pa, sizeof(T));
  return ok;
}

#define VMAPPLE_MMU_INSTANTIATE(T)                            \
  template T Mmu::load_slow<T>(uint64_t, AccessFlags);        \
  template void Mmu::store_slow<T>(uint64_t, T, AccessFlags); \
  template bool Mmu::store_exclusive<T>(uint64_t, T, AccessFlags);
VMAPPLE_MMU_INSTANTIATE(uint8_t)
VMAPPLE_MMU_INSTANTIATE(uint16_t)
VMAPPLE_MMU_INSTANTIATE(uint32_t)
VMAPPLE_MMU_INSTANTIATE(uint64_t)
VMAPPLE_MMU_INSTANTIATE(unsigned __int128)
#undef VMAPPLE_MMU_INSTANTIATE

FetchPage Mmu::fetch_slow(uint64_t va) {
  const unsigned el = privilege();
  Tlb& tlb = tlb_[static_cast<unsigned>(AccessKind::kFetch)][el];
  ++walks_;
  const Translation t = translate(va, el == 0, true);
  if (!t.ok()) instruction_abort(va, t.fault, t.level);
  if (!t.exec) instruction_abort(va, FaultKind::kPermission, t.level);
  const uint64_t pa_page = t.pa & ~0xfffull;
  auto page = ram_.span_at(pa_page, 4096);
  // Executing from a hole or from MMIO: synchronous external abort.
  if (!page) instruction_abort(va, FaultKind::kExternal, 0);

  TlbEntry& e = tlb.slot(va);
  e.page = va & ~0xfffull;
  e.asid = t.global ? 0 : asid_;
  e.tag_mask = t.global ? 0 : TlbEntry::kAsidBits;
  e.addend = reinterpret_cast<uintptr_t>(page->data()) - e.page;
  e.info = pa_page | t.leaf_shift;
  if (t.leaf_shift > 12) note_block(va, t.leaf_shift);
  return {page->data(), pa_page};
}

// --- maintenance -----------------------------------------------------------

void Mmu::flush_all() {
  for (auto& row : tlb_)
    for (auto& t : row)
      t.clear();
  for (unsigned half = 0; half < 2; ++half) {
    block_lo_[half] = ~0ull;
    block_hi_[half] = 0;
  }
}

bool Mmu::matches_va(const TlbEntry& e, uint64_t va_page, uint32_t asid, bool all_asids) const {
  if (!e.valid() || (e.page & TlbEntry::kVaPageMask) != va_page) return false;
  return all_asids || e.global() || e.asid == asid;
}

void Mmu::flush_va(uint64_t va, uint16_t asid16, bool all_asids, bool last_level_only) {
  // Only leaf translations are cached, so VALE1 and VAE1 do the same.
  (void)last_level_only;
  const uint32_t asid = bit(core_.sys.tcr, kTcrAs) ? asid16 : (asid16 & 0xff);
  const uint64_t page = va & TlbEntry::kVaPageMask;
  for (auto& row : tlb_)
    for (auto& t : row) {
      TlbEntry& e = t.slot(va);
      if (matches_va(e, page, asid, all_asids)) e.clear();
    }
  const unsigned half = bit(va, 55);
  if (page < block_lo_[half] || page > block_hi_[half]) return;
  // The page lies inside a cached block: the TLBI removes the whole block
  // translation, i.e. every 4 KiB entry made from it.
  for (auto& row : tlb_)
    for (auto& t : row)
      for (TlbEntry& e : t) {
        const unsigned shift = e.leaf_shift();
        if (!e.valid() || shift <= 12) continue;
        const bool same_block = ((e.page & TlbEntry::kVaPageMask) >> shift) == (page >> shift);
        if (same_block && (all_asids || e.global() || e.asid == asid)) e.clear();
      }
}

void Mmu::flush_asid(uint16_t asid16) {
  const uint32_t asid = bit(core_.sys.tcr, kTcrAs) ? asid16 : (asid16 & 0xff);
  for (auto& row : tlb_)
    for (auto& t : row)
      for (TlbEntry& e : t)
        if (e.valid() && !e.global() && e.asid == asid) e.clear();
}

void Mmu::on_translation_regs_changed() {
  const SysRegs& s = core_.sys;
  const uint64_t now[4] = {s.sctlr & kSctlrTracked, s.tcr, s.mair, 0};
  if (!std::equal(now, now + 4, regs_seen_)) {
    flush_all();
    std::copy(now, now + 4, regs_seen_);
  }
  const uint64_t ttbr = bit(s.tcr, kTcrA1) ? s.ttbr1 : s.ttbr0;
  asid_ = static_cast<uint32_t>(ttbr >> 48);
  if (!bit(s.tcr, kTcrAs)) asid_ &= 0xff;
}

void Mmu::drop_code_write_entries() {
  // Read the generation first: a page that becomes code later bumps it again.
  code_generation_seen_ = code_.generation();
  for (auto& t : tlb_[static_cast<unsigned>(AccessKind::kWrite)])
    for (TlbEntry& e : t)
      if (e.valid() && code_.is_code(e.pa_page())) e.clear();
}

uint64_t Mmu::address_translate(uint64_t va, bool el0, bool write) {
  ++walks_;
  Translation t = translate(va, el0, false);
  if (t.ok() && !(write ? t.write : t.read)) t.fault = FaultKind::kPermission;
  constexpr uint64_t kRes1 = 1ull << 11;
  if (!t.ok()) return kRes1 | uint64_t{fault_status_code(t.fault, t.level)} << 1 | 1;
  // SH is reported as Outer Shareable for Device and Normal Non-cacheable.
  const uint64_t sh = t.device() || t.attr == kAttrNormalNonCacheable ? 2 : t.sh;
  return uint64_t{t.attr} << 56 | (t.pa & kOutputMask) | kRes1 | 1ull << 9 /* NS */ | sh << 7;
}

void Mmu::zero_block(uint64_t va) {
  const uint64_t base = va & ~63ull;
  // Hit only on entries without an alignment check: DC ZVA to Device
  // memory is an alignment fault however aligned.
  const TlbEntry& e = tlb_[static_cast<unsigned>(AccessKind::kWrite)][privilege()].slot(base);
  if (e.matches(base, asid_, TlbEntry::kAlignBits)) {
    std::memset(reinterpret_cast<uint8_t*>(e.addend + base), 0, 64);
    return;
  }
  // DC ZVA to Device memory is an alignment fault whatever the address.
  const Resolved r = resolve(base, 64, AccessKind::kWrite, core_.el == 0, {}, true);
  if (r.host) {
    std::memset(r.host, 0, 64);
    if (code_.is_code(r.pa & ~0xfffull)) code_.on_write(r.pa, 64);
    return;
  }
  for (unsigned i = 0; i < 64; i += 8)
    mmio_access(core_, r.pa + i, 8, true, 0);
}

uint64_t Mmu::translate_maintenance(uint64_t va, bool need_write) {
  ++walks_;
  const bool el0 = core_.el == 0;
  const AccessFlags flags{.cache_maintenance = true};
  const Translation t = translate(va, el0, false);
  if (!t.ok()) data_abort(va, t.fault, t.level, true, flags);
  if (need_write ? !t.write : (el0 && !t.read))
    data_abort(va, FaultKind::kPermission, t.level, true, flags);
  return t.pa;
}

}  // namespace vmapple::arm64
