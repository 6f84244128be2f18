// Loads and stores of one register (Arm ARM C4.1.66 "Loads and Stores"):
// general and SIMD&FP registers with immediate (post-index, pre-index,
// unscaled, unprivileged, unsigned offset), register offset and literal
// addressing, and the prefetch hints. Pairs and exclusive/ordered forms live
// in loads_stores_pair.cc and loads_stores_exclusive.cc.
#include "cpu/arm64/exec/loads_stores.h"

#include <bit>

#include "cpu/arm64/decode/op.h"

namespace vmapple::arm64 {
namespace {

using namespace ldst;

// How a loaded value reaches a general register.
enum class Ext : uint8_t { kZero, kSign32, kSign64 };

template <unsigned Bytes, Ext E>
uint64_t extend(uint_t<Bytes> v) {
  if constexpr (E == Ext::kZero) {
    return v;
  } else {
    const int64_t s = sign_extend(v, Bytes * 8);
    if constexpr (E == Ext::kSign32) return static_cast<uint32_t>(s);
    return static_cast<uint64_t>(s);
  }
}

template <unsigned Bytes, Ext E, Mode M>
void load_gpr(Core& c, uint32_t insn) {
  const Address a = single_address<M>(c, insn, std::countr_zero(Bytes));
  const uint64_t v = extend<Bytes, E>(c.mmu->load<uint_t<Bytes>>(a.access, mode_flags<M>()));
  c.set_xreg(rt(insn), v);
  if constexpr (has_writeback<M>()) c.set_xreg_or_sp(rn(insn), a.writeback);
}

template <unsigned Bytes, Mode M>
void store_gpr(Core& c, uint32_t insn) {
  const Address a = single_address<M>(c, insn, std::countr_zero(Bytes));
  const auto v = static_cast<uint_t<Bytes>>(c.xreg(rt(insn)));
  c.mmu->store<uint_t<Bytes>>(a.access, v, mode_flags<M>());
  if constexpr (has_writeback<M>()) c.set_xreg_or_sp(rn(insn), a.writeback);
}

// One handler per (family, addressing mode); size bit 30 (LDR/STR) and
// opc<0> (LDRSB/LDRSH: 1 = W target) are read at run time.
template <Mode M>
void strb(Core& c, uint32_t insn) {
  store_gpr<1, M>(c, insn);
}
template <Mode M>
void strh(Core& c, uint32_t insn) {
  store_gpr<2, M>(c, insn);
}
template <Mode M>
void str(Core& c, uint32_t insn) {
  if (bit(insn, 30))
    store_gpr<8, M>(c, insn);
  else
    store_gpr<4, M>(c, insn);
}
template <Mode M>
void ldrb(Core& c, uint32_t insn) {
  load_gpr<1, Ext::kZero, M>(c, insn);
}
template <Mode M>
void ldrh(Core& c, uint32_t insn) {
  load_gpr<2, Ext::kZero, M>(c, insn);
}
template <Mode M>
void ldr(Core& c, uint32_t insn) {
  if (bit(insn, 30))
    load_gpr<8, Ext::kZero, M>(c, insn);
  else
    load_gpr<4, Ext::kZero, M>(c, insn);
}
template <Mode M>
void ldrsb(Core& c, uint32_t insn) {
  if (bit(insn, 22))
    load_gpr<1, Ext::kSign32, M>(c, insn);
  else
    load_gpr<1, Ext::kSign64, M>(c, insn);
}
template <Mode M>
void ldrsh(Core& c, uint32_t insn) {
  if (bit(insn, 22))
    load_gpr<2, Ext::kSign32, M>(c, insn);
  else
    load_gpr<2, Ext::kSign64, M>(c, insn);
}
template <Mode M>
void ldrsw(Core& c, uint32_t insn) {
  load_gpr<4, Ext::kSign64, M>(c, insn);
}

// --- SIMD&FP registers: B, H, S, D, Q (opc<1> = bit 23 selects Q) --------

template <unsigned Bytes, Mode M>
void load_simd_sized(Core& c, uint32_t insn) {
  const Address a = single_address<M>(c, insn, std::countr_zero(Bytes));
  const auto v = c.mmu->load<uint_t<Bytes>>(a.access);
  c.v[rt(insn)] = v;  // a scalar load clears the rest of the vector
  if constexpr (has_writeback<M>()) c.set_xreg_or_sp(rn(insn), a.writeback);
}

template <unsigned Bytes, Mode M>
void store_simd_sized(Core& c, uint32_t insn) {
  const Address a = single_address<M>(c, insn, std::countr_zero(Bytes));
  c.mmu->store<uint_t<Bytes>>(a.access, static_cast<uint_t<Bytes>>(c.v[rt(insn)]));
  if constexpr (has_writeback<M>()) c.set_xreg_or_sp(rn(insn), a.writeback);
}

unsigned simd_scale(uint32_t insn) {
  return bit(insn, 23) ? 4 : static_cast<unsigned>(bits(insn, 31, 30));
}

template <Mode M>
void ldr_simd(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  switch (simd_scale(insn)) {
    case 0:
      return load_simd_sized<1, M>(c, insn);
    case 1:
      return load_simd_sized<2, M>(c, insn);
    case 2:
      return load_simd_sized<4, M>(c, insn);
    case 3:
      return load_simd_sized<8, M>(c, insn);
    default:
      return load_simd_sized<16, M>(c, insn);
  }
}

template <Mode M>
void str_simd(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  switch (simd_scale(insn)) {
    case 0:
      return store_simd_sized<1, M>(c, insn);
    case 1:
      return store_simd_sized<2, M>(c, insn);
    case 2:
      return store_simd_sized<4, M>(c, insn);
    case 3:
      return store_simd_sized<8, M>(c, insn);
    default:
      return store_simd_sized<16, M>(c, insn);
  }
}

// --- literal (PC-relative) ---------------------------------------------------

uint64_t literal_address(const Core& c, uint32_t insn) {
  return c.pc + static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
}

void ldr_lit(Core& c, uint32_t insn) {
  const uint64_t addr = literal_address(c, insn);
  const uint64_t v = bit(insn, 30) ? c.mmu->load<uint64_t>(addr) : c.mmu->load<uint32_t>(addr);
  c.set_xreg(rt(insn), v);
}

void ldrsw_lit(Core& c, uint32_t insn) {
  const uint32_t v = c.mmu->load<uint32_t>(literal_address(c, insn));
  c.set_xreg(rt(insn), static_cast<uint64_t>(sign_extend(v, 32)));
}

void ldr_simd_lit(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  const uint64_t addr = literal_address(c, insn);
  switch (bits(insn, 31, 30)) {  // opc: 00 S, 01 D, 10 Q (11 is unallocated)
    case 0:
      c.v[rt(insn)] = c.mmu->load<uint32_t>(addr);
      break;
    case 1:
      c.v[rt(insn)] = c.mmu->load<uint64_t>(addr);
      break;
    default:
      c.v[rt(insn)] = c.mmu->load<u128>(addr);
      break;
  }
}

// PRFM/PRFUM: a hint; it never faults and has no SP alignment check.
void prefetch(Core&, uint32_t) {}

}  // namespace

#define VMAPPLE_SINGLE_FORMS(t, name, unscaled, fn) \
  t[Op::name##_imm_post] = &fn<Mode::kPost>;        \
  t[Op::name##_imm_pre] = &fn<Mode::kPre>;          \
  t[Op::name##_imm_uoff] = &fn<Mode::kScaled>;      \
  t[Op::name##_reg] = &fn<Mode::kRegister>;         \
  t[Op::unscaled] = &fn<Mode::kUnscaled>

void register_loads_stores(HandlerTable& t) {
  VMAPPLE_SINGLE_FORMS(t, STRB, STURB, strb);
  VMAPPLE_SINGLE_FORMS(t, LDRB, LDURB, ldrb);
  VMAPPLE_SINGLE_FORMS(t, LDRSB, LDURSB, ldrsb);
  VMAPPLE_SINGLE_FORMS(t, STRH, STURH, strh);
  VMAPPLE_SINGLE_FORMS(t, LDRH, LDURH, ldrh);
  VMAPPLE_SINGLE_FORMS(t, LDRSH, LDURSH, ldrsh);
  VMAPPLE_SINGLE_FORMS(t, STR, STUR, str);
  VMAPPLE_SINGLE_FORMS(t, LDR, LDUR, ldr);
  VMAPPLE_SINGLE_FORMS(t, LDRSW, LDURSW, ldrsw);
  t[Op::STTRB] = &strb<Mode::kUnpriv>;
  t[Op::LDTRB] = &ldrb<Mode::kUnpriv>;
  t[Op::LDTRSB] = &ldrsb<Mode::kUnpriv>;
  t[Op::STTRH] = &strh<Mode::kUnpriv>;
  t[Op::LDTRH] = &ldrh<Mode::kUnpriv>;
  t[Op::LDTRSH] = &ldrsh<Mode::kUnpriv>;
  t[Op::STTR] = &str<Mode::kUnpriv>;
  t[Op::LDTR] = &ldr<Mode::kUnpriv>;
  t[Op::LDTRSW] = &ldrsw<Mode::kUnpriv>;

  t[Op::STR_simd_imm_post] = &str_simd<Mode::kPost>;
  t[Op::STR_simd_imm_pre] = &str_simd<Mode::kPre>;
  t[Op::STR_simd_imm_uoff] = &str_simd<Mode::kScaled>;
  t[Op::STR_simd_reg] = &str_simd<Mode::kRegister>;
  t[Op::STUR_simd] = &str_simd<Mode::kUnscaled>;
  t[Op::LDR_simd_imm_post] = &ldr_simd<Mode::kPost>;
  t[Op::LDR_simd_imm_pre] = &ldr_simd<Mode::kPre>;
  t[Op::LDR_simd_imm_uoff] = &ldr_simd<Mode::kScaled>;
  t[Op::LDR_simd_reg] = &ldr_simd<Mode::kRegister>;
  t[Op::LDUR_simd] = &ldr_simd<Mode::kUnscaled>;

  t[Op::LDR_lit] = &ldr_lit;
  t[Op::LDRSW_lit] = &ldrsw_lit;
  t[Op::LDR_simd_lit] = &ldr_simd_lit;
  t[Op::PRFM_lit] = &prefetch;
  t[Op::PRFM_imm] = &prefetch;
  t[Op::PRFM_reg] = &prefetch;
  t[Op::PRFUM] = &prefetch;

  register_loads_stores_pair(t);
  register_loads_stores_exclusive(t);
}

#undef VMAPPLE_SINGLE_FORMS

}  // namespace vmapple::arm64
