#pragma once
// Shared pieces of the "Loads and Stores" encoding group (loads_stores*.cc):
// operand fields, base-register handling and the registration of the
// sub-groups. Handlers compute every address and load every value before
// they write a register, so a fault or VMM exit leaves no partial state.
//
// CONSTRAINED UNPREDICTABLE choices (Arm ARM K1.2), the same as
// qemu-aarch64 so the differential test agrees:
//  - load with writeback and Rn == Rt (Rn != SP): the loaded value is
//    written first, then the writeback, so Rn holds the updated address;
//  - store with writeback and Rn == Rt: the value stored is Rt before the
//    writeback (the original base);
//  - LDP/LDXP with Rt == Rt2: Rt gets the first (lower-address) value;
//  - STXR with Rs == Rt or Rs == Rn: the store uses the old values, then Rs
//    is written with the status.
#include <cstdint>

#include "base/bits.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/mmu.h"

namespace vmapple::arm64 {

void register_loads_stores_pair(HandlerTable& t);
void register_loads_stores_exclusive(HandlerTable& t);

namespace ldst {

using u128 = unsigned __int128;

template <unsigned Bytes>
struct UIntOf;
template <>
struct UIntOf<1> {
  using type = uint8_t;
};
template <>
struct UIntOf<2> {
  using type = uint16_t;
};
template <>
struct UIntOf<4> {
  using type = uint32_t;
};
template <>
struct UIntOf<8> {
  using type = uint64_t;
};
template <>
struct UIntOf<16> {
  using type = u128;
};
template <unsigned Bytes>
using uint_t = typename UIntOf<Bytes>::type;

constexpr int64_t sign_extend(uint64_t v, unsigned width) {
  return static_cast<int64_t>(v << (64 - width)) >> (64 - width);
}

inline unsigned rt(uint32_t insn) {
  return insn & 31;
}
inline unsigned rn(uint32_t insn) {
  return insn >> 5 & 31;
}
inline unsigned rt2(uint32_t insn) {
  return insn >> 10 & 31;
}
inline unsigned rs(uint32_t insn) {
  return insn >> 16 & 31;
}

// The base register Rn: SP when n == 31, with the SP alignment check of
// SCTLR_EL1.SA (EL1) / SA0 (EL0) → EC 0x26.
[[gnu::always_inline]] inline uint64_t base_register(Core& c, unsigned n) {
  if (n != 31) return c.x[n];
  const uint64_t enable = c.el == 0 ? sctlr::kSa0 : sctlr::kSa;
  if ((c.sys.sctlr & enable) && (c.sp & 15)) [[unlikely]]
    c.take_sync(ec::kSpAlignment, 0, c.pc);
  return c.sp;
}

// How the address of a single-register load/store is formed.
enum class Mode : uint8_t {
  kPost,      // [Xn], #simm9: address Xn, then Xn += simm9
  kPre,       // [Xn, #simm9]!: address Xn + simm9, written back
  kUnscaled,  // LDUR/STUR [Xn, #simm9]
  kUnpriv,    // LDTR/STTR [Xn, #simm9] with EL0 permissions
  kScaled,    // [Xn, #uimm12 << size]
  kRegister,  // [Xn, Rm{, extend {#size}}]
};

// Rm of the register-offset form, extended and shifted (option<1> = 0 is
// unallocated and never reaches here).
[[gnu::always_inline]] inline uint64_t register_offset(const Core& c, uint32_t insn,
                                                       unsigned scale) {
  uint64_t m = c.xreg(insn >> 16 & 31);
  switch (insn >> 13 & 7) {
    case 2:  // UXTW
      m = static_cast<uint32_t>(m);
      break;
    case 6:  // SXTW
      m = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(m)));
      break;
    default:  // LSL (UXTX), SXTX
      break;
  }
  return bit(insn, 12) ? m << scale : m;
}

struct Address {
  uint64_t access;     // where the access goes
  uint64_t writeback;  // the new base (kPre/kPost)
};

template <Mode M>
inline Address single_address(Core& c, uint32_t insn, unsigned scale) {
  const uint64_t base = base_register(c, rn(insn));
  if constexpr (M == Mode::kScaled) {
    return {base + (bits(insn, 21, 10) << scale), 0};
  } else if constexpr (M == Mode::kRegister) {
    return {base + register_offset(c, insn, scale), 0};
  } else {
    const uint64_t imm = static_cast<uint64_t>(sign_extend(bits(insn, 20, 12), 9));
    if constexpr (M == Mode::kPost) return {base, base + imm};
    return {base + imm, base + imm};
  }
}

template <Mode M>
constexpr bool has_writeback() {
  return M == Mode::kPre || M == Mode::kPost;
}

template <Mode M>
constexpr AccessFlags mode_flags() {
  return AccessFlags{.unprivileged = M == Mode::kUnpriv};
}

}  // namespace ldst
}  // namespace vmapple::arm64
