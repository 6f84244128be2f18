// Load/store register pair (Arm ARM C4.1.66): LDP/STP (W, X), LDPSW,
// LDNP/STNP and the SIMD&FP pairs (S, D, Q) with post-index, pre-index and
// signed offset addressing. The non-temporal forms are plain pairs here.
#include <bit>

#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/loads_stores.h"

namespace vmapple::arm64 {
namespace {

using namespace ldst;

enum class PairMode : uint8_t { kPost, kPre, kOffset };

struct PairAddress {
  uint64_t access;
  uint64_t writeback;
};

template <PairMode M>
PairAddress pair_address(Core& c, uint32_t insn, unsigned scale) {
  const uint64_t base = base_register(c, rn(insn));
  const uint64_t offset = static_cast<uint64_t>(sign_extend(bits(insn, 21, 15), 7)) << scale;
  if constexpr (M == PairMode::kPost) return {base, base + offset};
  return {base + offset, base + offset};
}

template <unsigned Bytes, bool SignExtendWord, PairMode M>
void load_pair_gpr(Core& c, uint32_t insn) {
  using T = uint_t<Bytes>;
  const PairAddress a = pair_address<M>(c, insn, std::countr_zero(Bytes));
  auto [first, second] = c.mmu->load_pair<T>(a.access);
  if constexpr (SignExtendWord) {
    c.set_xreg(rt2(insn), static_cast<uint64_t>(sign_extend(second, 32)));
    c.set_xreg(rt(insn), static_cast<uint64_t>(sign_extend(first, 32)));
  } else {
    c.set_xreg(rt2(insn), second);
    c.set_xreg(rt(insn), first);  // Rt == Rt2: the first value wins
  }
  if constexpr (M != PairMode::kOffset) c.set_xreg_or_sp(rn(insn), a.writeback);
}

template <unsigned Bytes, PairMode M>
void store_pair_gpr(Core& c, uint32_t insn) {
  using T = uint_t<Bytes>;
  const PairAddress a = pair_address<M>(c, insn, std::countr_zero(Bytes));
  c.mmu->store_pair<T>(a.access, static_cast<T>(c.xreg(rt(insn))),
                       static_cast<T>(c.xreg(rt2(insn))));
  if constexpr (M != PairMode::kOffset) c.set_xreg_or_sp(rn(insn), a.writeback);
}

// opc<1> (bit 31) selects X (8 bytes) or W (4 bytes).
template <PairMode M>
void ldp(Core& c, uint32_t insn) {
  if (bit(insn, 31))
    load_pair_gpr<8, false, M>(c, insn);
  else
    load_pair_gpr<4, false, M>(c, insn);
}
template <PairMode M>
void stp(Core& c, uint32_t insn) {
  if (bit(insn, 31))
    store_pair_gpr<8, M>(c, insn);
  else
    store_pair_gpr<4, M>(c, insn);
}
template <PairMode M>
void ldpsw(Core& c, uint32_t insn) {
  load_pair_gpr<4, true, M>(c, insn);
}

template <unsigned Bytes, PairMode M>
void load_pair_simd(Core& c, uint32_t insn) {
  const PairAddress a = pair_address<M>(c, insn, std::countr_zero(Bytes));
  auto [first, second] = c.mmu->load_pair<uint_t<Bytes>>(a.access);
  c.v[rt2(insn)] = second;
  c.v[rt(insn)] = first;
  if constexpr (M != PairMode::kOffset) c.set_xreg_or_sp(rn(insn), a.writeback);
}

template <unsigned Bytes, PairMode M>
void store_pair_simd(Core& c, uint32_t insn) {
  using T = uint_t<Bytes>;
  const PairAddress a = pair_address<M>(c, insn, std::countr_zero(Bytes));
  c.mmu->store_pair<T>(a.access, static_cast<T>(c.v[rt(insn)]), static_cast<T>(c.v[rt2(insn)]));
  if constexpr (M != PairMode::kOffset) c.set_xreg_or_sp(rn(insn), a.writeback);
}

// opc (bits 31:30): 00 S, 01 D, 10 Q; 11 is unallocated (excluded by the
// decoder).
template <PairMode M>
void ldp_simd(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  switch (bits(insn, 31, 30)) {
    case 0:
      return load_pair_simd<4, M>(c, insn);
    case 1:
      return load_pair_simd<8, M>(c, insn);
    default:
      return load_pair_simd<16, M>(c, insn);
  }
}
template <PairMode M>
void stp_simd(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  switch (bits(insn, 31, 30)) {
    case 0:
      return store_pair_simd<4, M>(c, insn);
    case 1:
      return store_pair_simd<8, M>(c, insn);
    default:
      return store_pair_simd<16, M>(c, insn);
  }
}

}  // namespace

void register_loads_stores_pair(HandlerTable& t) {
  t[Op::STP_post] = &stp<PairMode::kPost>;
  t[Op::STP_pre] = &stp<PairMode::kPre>;
  t[Op::STP_off] = &stp<PairMode::kOffset>;
  t[Op::STNP] = &stp<PairMode::kOffset>;
  t[Op::LDP_post] = &ldp<PairMode::kPost>;
  t[Op::LDP_pre] = &ldp<PairMode::kPre>;
  t[Op::LDP_off] = &ldp<PairMode::kOffset>;
  t[Op::LDNP] = &ldp<PairMode::kOffset>;
  t[Op::LDPSW_post] = &ldpsw<PairMode::kPost>;
  t[Op::LDPSW_pre] = &ldpsw<PairMode::kPre>;
  t[Op::LDPSW_off] = &ldpsw<PairMode::kOffset>;

  t[Op::STP_simd_post] = &stp_simd<PairMode::kPost>;
  t[Op::STP_simd_pre] = &stp_simd<PairMode::kPre>;
  t[Op::STP_simd_off] = &stp_simd<PairMode::kOffset>;
  t[Op::STNP_simd] = &stp_simd<PairMode::kOffset>;
  t[Op::LDP_simd_post] = &ldp_simd<PairMode::kPost>;
  t[Op::LDP_simd_pre] = &ldp_simd<PairMode::kPre>;
  t[Op::LDP_simd_off] = &ldp_simd<PairMode::kOffset>;
  t[Op::LDNP_simd] = &ldp_simd<PairMode::kOffset>;
}

}  // namespace vmapple::arm64
