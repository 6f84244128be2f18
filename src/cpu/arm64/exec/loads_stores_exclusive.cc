// Load/store exclusive (LDXR/STXR/LDAXR/STLXR in B, H, W, X and the pairs
// LDXP/STXP/LDAXP/STLXP) and load-acquire/store-release (LDAR/STLR B, H, W,
// X). The monitor lives in Core (excl_*); STXR is a host compare-and-swap
// against the value LDXR read (Mmu::store_exclusive). LDLAR/STLLR (LOR),
// LDAPR (RCpc) and the LSE atomics are hidden by the ID registers and stay
// UNDEFINED.
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/loads_stores.h"

namespace vmapple::arm64 {
namespace {

using namespace ldst;

template <typename T, bool Acquire>
void load_exclusive(Core& c, uint32_t insn) {
  const uint64_t addr = base_register(c, rn(insn));
  const T v = c.mmu->load<T>(addr, {.exclusive = true, .acquire_release = Acquire});
  c.set_xreg(rt(insn), v);
}

template <typename T, bool Release>
void store_exclusive(Core& c, uint32_t insn) {
  const uint64_t addr = base_register(c, rn(insn));
  const auto v = static_cast<T>(c.xreg(rt(insn)));
  const bool stored = c.mmu->store_exclusive<T>(addr, v, {.acquire_release = Release});
  c.set_wreg(rs(insn), stored ? 0 : 1);
}

// size bit 30: W or X.
template <bool Acquire>
void ldxr(Core& c, uint32_t insn) {
  if (bit(insn, 30))
    load_exclusive<uint64_t, Acquire>(c, insn);
  else
    load_exclusive<uint32_t, Acquire>(c, insn);
}
template <bool Release>
void stxr(Core& c, uint32_t insn) {
  if (bit(insn, 30))
    store_exclusive<uint64_t, Release>(c, insn);
  else
    store_exclusive<uint32_t, Release>(c, insn);
}

// Pairs: two W registers are one 8-byte exclusive, two X registers one
// 16-byte exclusive (aligned to the whole size). Rt is the lower address.
template <bool Acquire>
void ldxp(Core& c, uint32_t insn) {
  const uint64_t addr = base_register(c, rn(insn));
  const AccessFlags flags{.exclusive = true, .acquire_release = Acquire};
  if (bit(insn, 30)) {
    const u128 v = c.mmu->load<u128>(addr, flags);
    c.set_xreg(rt2(insn), static_cast<uint64_t>(v >> 64));
    c.set_xreg(rt(insn), static_cast<uint64_t>(v));
  } else {
    const uint64_t v = c.mmu->load<uint64_t>(addr, flags);
    c.set_xreg(rt2(insn), v >> 32);
    c.set_xreg(rt(insn), static_cast<uint32_t>(v));
  }
}

template <bool Release>
void stxp(Core& c, uint32_t insn) {
  const uint64_t addr = base_register(c, rn(insn));
  const AccessFlags flags{.acquire_release = Release};
  bool stored;
  if (bit(insn, 30)) {
    const u128 v = static_cast<u128>(c.xreg(rt2(insn))) << 64 | c.xreg(rt(insn));
    stored = c.mmu->store_exclusive<u128>(addr, v, flags);
  } else {
    const uint64_t v = c.xreg(rt2(insn)) << 32 | static_cast<uint32_t>(c.xreg(rt(insn)));
    stored = c.mmu->store_exclusive<uint64_t>(addr, v, flags);
  }
  c.set_wreg(rs(insn), stored ? 0 : 1);
}

template <typename T>
void load_acquire(Core& c, uint32_t insn) {
  const uint64_t addr = base_register(c, rn(insn));
  c.set_xreg(rt(insn), c.mmu->load<T>(addr, {.acquire_release = true}));
}
template <typename T>
void store_release(Core& c, uint32_t insn) {
  const uint64_t addr = base_register(c, rn(insn));
  c.mmu->store<T>(addr, static_cast<T>(c.xreg(rt(insn))), {.acquire_release = true});
}
void ldar(Core& c, uint32_t insn) {
  if (bit(insn, 30))
    load_acquire<uint64_t>(c, insn);
  else
    load_acquire<uint32_t>(c, insn);
}
void stlr(Core& c, uint32_t insn) {
  if (bit(insn, 30))
    store_release<uint64_t>(c, insn);
  else
    store_release<uint32_t>(c, insn);
}

}  // namespace

void register_loads_stores_exclusive(HandlerTable& t) {
  t[Op::LDXRB] = &load_exclusive<uint8_t, false>;
  t[Op::LDAXRB] = &load_exclusive<uint8_t, true>;
  t[Op::LDXRH] = &load_exclusive<uint16_t, false>;
  t[Op::LDAXRH] = &load_exclusive<uint16_t, true>;
  t[Op::LDXR] = &ldxr<false>;
  t[Op::LDAXR] = &ldxr<true>;
  t[Op::STXRB] = &store_exclusive<uint8_t, false>;
  t[Op::STLXRB] = &store_exclusive<uint8_t, true>;
  t[Op::STXRH] = &store_exclusive<uint16_t, false>;
  t[Op::STLXRH] = &store_exclusive<uint16_t, true>;
  t[Op::STXR] = &stxr<false>;
  t[Op::STLXR] = &stxr<true>;
  t[Op::LDXP] = &ldxp<false>;
  t[Op::LDAXP] = &ldxp<true>;
  t[Op::STXP] = &stxp<false>;
  t[Op::STLXP] = &stxp<true>;

  t[Op::LDARB] = &load_acquire<uint8_t>;
  t[Op::LDARH] = &load_acquire<uint16_t>;
  t[Op::LDAR] = &ldar;
  t[Op::STLRB] = &store_release<uint8_t>;
  t[Op::STLRH] = &store_release<uint16_t>;
  t[Op::STLR] = &stlr;
}

}  // namespace vmapple::arm64
