#pragma once
// Stage-1 translation (4K granule, 48-bit VA), the software TLB and every
// data/instruction memory access of one vCPU. RAM is reached with direct host
// loads and stores; anything else is MMIO and leaves as a VMM exit.
//
// CONTRACT (owned by the MMU work; the rest of the CPU codes against it):
//  - load<T>/store<T> for T = uint8_t..uint64_t and unsigned __int128: a
//    fault takes the data abort (Core::take_abort, which throws); MMIO goes
//    through mmio_access() (interp_vcpu), which may throw VmmExit.
//  - fetch(): the host pointer of the 4 KiB code page holding `va` and its
//    guest physical address; a fault takes the instruction abort.
//  - flush/TLBI/AT entry points used by the SYS instruction handlers.
//
// Additions:
//  - load<T>(va, {.exclusive = true}) is LDXR (records the monitor in Core);
//    store_exclusive<T>() is STXR (host compare-and-swap against the value
//    LDXR read). {.acquire_release = true} makes a load acquire and a store
//    release (both are then single-copy atomic and must be aligned).
//  - sync_code_generation(): the run loop calls it at block starts so that
//    no fast write entry survives for a page that became code.
//  - translate(): the walk alone (no exception, no TLB), for AT and tests.
//  - translate_maintenance(): DC/IC by VA (faults with CM=1).
//
// The hit path (inline below): index by VA[20:12], one tag test (VA page,
// ASID unless global, alignment for Device memory or SCTLR.A), one
// page-crossing test, host access. Misses, MMIO, misaligned Device
// accesses, code pages (writes) and page-crossing accesses take the slow
// path in mmu.cc.
#include <cstdint>
#include <utility>

#include "base/bits.h"
#include "cpu/arm64/code_watch.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/tlb.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64 {

enum class AccessKind : uint8_t { kRead, kWrite, kFetch };

struct AccessFlags {
  bool unprivileged = false;  // LDTR/STTR: permission check as EL0
  bool exclusive = false;     // LDXR/STXR family (alignment always checked)
  bool acquire_release = false;
  bool cache_maintenance = false;  // DC ops: faults report CM=1
};

struct FetchPage {
  const uint8_t* host = nullptr;  // the page's first byte
  uint64_t gpa = 0;               // page-aligned guest physical address
};

// Why a translation or access failed (ESR_EL1/PAR_EL1 fault status).
enum class FaultKind : uint8_t {
  kNone,
  kAddressSize,   // 0b0000LL
  kTranslation,   // 0b0001LL
  kAccessFlag,    // 0b0010LL
  kPermission,    // 0b0011LL
  kExternal,      // 0b010000: synchronous external abort (not on a walk)
  kExternalWalk,  // 0b0101LL: synchronous external abort on a table walk
  kAlignment,     // 0b100001
};

// The FSC of a fault found at translation level `level`.
uint32_t fault_status_code(FaultKind kind, unsigned level);

// The outcome of one stage-1 walk.
struct Translation {
  FaultKind fault = FaultKind::kNone;
  uint8_t level = 0;        // the faulting level, or the leaf's level
  uint8_t leaf_shift = 12;  // log2 of the leaf's size: 12, 21 or 30
  uint8_t attr = 0;         // the MAIR_EL1 attribute byte of the leaf
  uint8_t sh = 0;           // the leaf's SH[1:0]
  bool global = true;       // nG == 0 (always with the MMU off)
  bool read = false;        // permissions at the privilege asked for
  bool write = false;
  bool exec = false;
  uint64_t pa = 0;

  bool ok() const { return fault == FaultKind::kNone; }
  // Device-* memory (MAIR attribute 0b0000xxxx): unaligned accesses fault.
  bool device() const { return (attr & 0xf0) == 0; }
  bool permits(AccessKind kind) const {
    return kind == AccessKind::kRead ? read : kind == AccessKind::kWrite ? write : exec;
  }
};

class Mmu {
 public:
  Mmu(Core& core, const GuestMemory& ram, CodeWatch& code);

  template <typename T>
  T load(uint64_t va, AccessFlags flags = {});
  template <typename T>
  void store(uint64_t va, T value, AccessFlags flags = {});
  // LDP/STP: two adjacent elements; one TLB lookup when both lie in a
  // fast-path page, else two separate accesses (each checked on its own).
  template <typename T>
  std::pair<T, T> load_pair(uint64_t va, AccessFlags flags = {});
  template <typename T>
  void store_pair(uint64_t va, T first, T second, AccessFlags flags = {});
  // Advanced SIMD structure loads/stores (LD1..LD4/ST1..ST4): the host
  // address of `size` bytes at va when they lie in one page that hits the
  // TLB for `kind` at the current EL and va passes the entry's alignment
  // check for `align`-byte elements; nullptr otherwise (the caller then makes
  // element accesses through load/store, which walk, fault or reach MMIO).
  // Write entries never exist for code pages, so a span write needs no
  // CodeWatch notification.
  uint8_t* host_span(uint64_t va, unsigned size, unsigned align, AccessKind kind) {
    const TlbEntry& e = tlb_[static_cast<unsigned>(kind)][privilege()].slot(va);
    const auto misaligned = static_cast<uint32_t>(va & (align - 1)) << TlbEntry::kAlignShift;
    if (e.matches(va, asid_, misaligned) && (va & 0xfff) + size <= 0x1000) [[likely]]
      return reinterpret_cast<uint8_t*>(e.addend + va);
    return nullptr;
  }
  // STXR/STLXR/STXP: true when the monitor matched (address, size) and the
  // compare-and-swap against the value LDXR read succeeded. Clears the
  // monitor either way.
  template <typename T>
  bool store_exclusive(uint64_t va, T value, AccessFlags flags = {});

  FetchPage fetch(uint64_t va) {
    const TlbEntry& e = tlb_[static_cast<unsigned>(AccessKind::kFetch)][privilege()].slot(va);
    if (e.matches(va, asid_)) [[likely]]
      return {reinterpret_cast<const uint8_t*>(e.addend + (va & ~0xfffull)), e.pa_page()};
    return fetch_slow(va);
  }

  // TLB maintenance of this vCPU (the broadcast IS forms are done by the
  // caller through the System). flush_va takes any VA of the page (only
  // VA[55:12] counts, so `Xt << 12` of a TLBI operand is fine) and the
  // 16-bit ASID (TLBI Xt[63:48]); all_asids for VAAE1/VAALE1.
  void flush_all();
  void flush_va(uint64_t va, uint16_t asid, bool all_asids, bool last_level_only);
  void flush_asid(uint16_t asid);
  // Called after TTBRn/TCR/SCTLR/MAIR change. An ASID or table-base change
  // keeps the TLB (entries are ASID-tagged; stale ones for the same ASID
  // are architecturally allowed until TLBI); SCTLR.{M,A,WXN}, TCR or MAIR
  // changes flush it.
  void on_translation_regs_changed();
  // Drops fast write entries of pages that became code since the last call
  // (CodeWatch::generation() moved). Called by the run loop at block starts.
  void sync_code_generation() {
    if (code_generation_seen_ != code_.generation()) [[unlikely]]
      drop_code_write_entries();
  }

  // AT S1E1R/W, S1E0R/W: the PAR_EL1 value (never takes an exception).
  uint64_t address_translate(uint64_t va, bool el0, bool write);
  // DC ZVA: zeroes the 64-byte block holding va (a checked write).
  void zero_block(uint64_t va);
  // DC IVAC/CVAC/CVAU/CIVAC, IC IVAU at the current EL: the PA of va, or a
  // data abort with CM=1, WnR=1. need_write (DC IVAC) checks write
  // permission; otherwise only EL0 without read access faults on permission.
  uint64_t translate_maintenance(uint64_t va, bool need_write);

  // The stage-1 translation of `va` for a data access (fetch = false) or an
  // instruction fetch, with the permissions of EL0 or EL1. Pure: no TLB, no
  // exception, no statistics.
  Translation translate(uint64_t va, bool el0, bool fetch) const;

  // Statistics for tests and benchmarks.
  uint64_t walks() const { return walks_; }
  uint32_t current_asid() const { return asid_; }

 private:
  struct Resolved {
    uint8_t* host;  // nullptr: MMIO
    uint64_t pa;
  };
  static constexpr unsigned kKinds = 3;

  // The TLB row of the current EL (EL is 0 or 1: there is no EL2/EL3).
  unsigned privilege() const { return core_.el & 1; }

  // A hit for an access of `Size` bytes: true with `host` set. (A bool
  // rather than a null pointer spares the hit path a test.)
  template <unsigned Size>
  [[gnu::always_inline]] bool lookup(AccessKind kind, unsigned el, uint64_t va, uint8_t*& host) {
    const TlbEntry& e = tlb_[static_cast<unsigned>(kind)][el].slot(va);
    host = reinterpret_cast<uint8_t*>(e.addend + va);
    const auto misaligned = static_cast<uint32_t>(va & (Size - 1)) << TlbEntry::kAlignShift;
    return e.matches(va, asid_, misaligned) & ((va & 0xfff) <= 0x1000 - Size);
  }

  template <typename T>
  T load_ordered(uint64_t va, AccessFlags flags, unsigned el);
  template <typename T>
  T load_slow(uint64_t va, AccessFlags flags);
  template <typename T>
  void store_slow(uint64_t va, T value, AccessFlags flags);
  template <typename T>
  static T atomic_load(const uint8_t* p, bool acquire);
  void record_exclusive(uint64_t va, unsigned size, unsigned __int128 value) {
    core_.excl_valid = true;
    core_.excl_addr = va;
    core_.excl_size = size;
    core_.excl_value = value;
  }

  // Translates an access of `size` bytes that stays in one page, checks
  // permission and Device alignment (`unaligned`: of the whole access),
  // fills the TLB and returns where it goes. Faults take the abort.
  Resolved resolve(uint64_t va, unsigned size, AccessKind kind, bool el0, AccessFlags flags,
                   bool unaligned);
  void fill(uint64_t va, const Translation& t, bool el0, uint8_t* host_page);
  uint64_t read_bytes(Resolved r, unsigned size);
  void write_bytes(Resolved r, unsigned size, uint64_t value);
  [[noreturn]] void data_abort(uint64_t far, FaultKind kind, unsigned level, bool write,
                               AccessFlags flags);
  [[noreturn]] void instruction_abort(uint64_t va, FaultKind kind, unsigned level);
  [[noreturn]] void alignment_fault(uint64_t va, bool write, AccessFlags flags) {
    data_abort(va, FaultKind::kAlignment, 0, write, flags);
  }
  bool strict_alignment() const;
  FetchPage fetch_slow(uint64_t va);

  bool read_descriptor(uint64_t pa, uint64_t& desc) const;
  Translation translate_mmu_off(uint64_t va, bool fetch) const;
  void drop_code_write_entries();
  void note_block(uint64_t va, unsigned shift);
  bool matches_va(const TlbEntry& e, uint64_t va_page, uint32_t asid, bool all_asids) const;

  Core& core_;
  const GuestMemory& ram_;
  CodeWatch& code_;
  Tlb tlb_[kKinds][2];          // [AccessKind][EL]
  uint32_t asid_ = 0;           // ASID of the current address space (TCR.A1, TCR.AS)
  uint64_t regs_seen_[4] = {};  // SCTLR bits, TCR, MAIR at the last flush
  uint64_t code_generation_seen_ = 0;
  // Per half (VA bit 55), the VA[55:12] range covered by cached entries of
  // 2 MiB/1 GiB leaves: a TLBI by VA inside it drops every entry of the same
  // leaf, not just one page (a scan of the tables; outside it, one slot).
  uint64_t block_lo_[2] = {~0ull, ~0ull};
  uint64_t block_hi_[2] = {0, 0};
  uint64_t walks_ = 0;
};

// --- inline fast paths ---------------------------------------------------

template <typename T>
[[gnu::always_inline]] inline T Mmu::load(uint64_t va, AccessFlags flags) {
  const unsigned el = flags.unprivileged ? 0 : privilege();
  if (flags.exclusive || flags.acquire_release) return load_ordered<T>(va, flags, el);
  uint8_t* p;
  if (lookup<sizeof(T)>(AccessKind::kRead, el, va, p)) [[likely]]
    return load_le<T>(p);
  return load_slow<T>(va, flags);
}

template <typename T>
[[gnu::always_inline]] inline void Mmu::store(uint64_t va, T value, AccessFlags flags) {
  const unsigned el = flags.unprivileged ? 0 : privilege();
  if (flags.acquire_release) {
    if (va & (sizeof(T) - 1)) alignment_fault(va, true, flags);
    if constexpr (sizeof(T) <= 8) {
      uint8_t* p;
      if (lookup<sizeof(T)>(AccessKind::kWrite, el, va, p)) {
        // STLR is RCsc: seq_cst keeps it ordered before a later LDAR.
        __atomic_store_n(reinterpret_cast<T*>(p), value, __ATOMIC_SEQ_CST);
        return;
      }
    }
    return store_slow<T>(va, value, flags);
  }
  uint8_t* p;
  if (lookup<sizeof(T)>(AccessKind::kWrite, el, va, p)) [[likely]] {
    store_le<T>(p, value);
    return;
  }
  store_slow<T>(va, value, flags);
}

template <typename T>
[[gnu::always_inline]] inline std::pair<T, T> Mmu::load_pair(uint64_t va, AccessFlags flags) {
  const unsigned el = flags.unprivileged ? 0 : privilege();
  uint8_t* p;
  if (lookup<2 * sizeof(T)>(AccessKind::kRead, el, va, p)) [[likely]]
    return {load_le<T>(p), load_le<T>(p + sizeof(T))};
  const T first = load<T>(va, flags);
  return {first, load<T>(va + sizeof(T), flags)};
}

template <typename T>
[[gnu::always_inline]] inline void Mmu::store_pair(uint64_t va, T first, T second,
                                                   AccessFlags flags) {
  const unsigned el = flags.unprivileged ? 0 : privilege();
  uint8_t* p;
  if (lookup<2 * sizeof(T)>(AccessKind::kWrite, el, va, p)) [[likely]] {
    store_le<T>(p, first);
    store_le<T>(p + sizeof(T), second);
    return;
  }
  store<T>(va, first, flags);
  store<T>(va + sizeof(T), second, flags);
}

template <typename T>
inline T Mmu::atomic_load(const uint8_t* p, bool acquire) {
  const int order = acquire ? __ATOMIC_ACQUIRE : __ATOMIC_RELAXED;
  if constexpr (sizeof(T) == 16) {
    // LDXP of two X registers: the pair need not be single-copy atomic; the
    // STXP compare-and-swap of all 16 bytes fails if it tore.
    const uint64_t lo = __atomic_load_n(reinterpret_cast<const uint64_t*>(p), order);
    const uint64_t hi = __atomic_load_n(reinterpret_cast<const uint64_t*>(p + 8), order);
    return static_cast<T>(hi) << 64 | lo;
  } else {
    return __atomic_load_n(reinterpret_cast<const T*>(p), order);
  }
}

template <typename T>
inline T Mmu::load_ordered(uint64_t va, AccessFlags flags, unsigned el) {
  // Exclusives and acquire/release: alignment is checked before translation.
  if (va & (sizeof(T) - 1)) alignment_fault(va, false, flags);
  uint8_t* p;
  if (!lookup<sizeof(T)>(AccessKind::kRead, el, va, p)) return load_slow<T>(va, flags);
  const T v = atomic_load<T>(p, flags.acquire_release);
  if (flags.exclusive) record_exclusive(va, sizeof(T), v);
  return v;
}

}  // namespace vmapple::arm64
