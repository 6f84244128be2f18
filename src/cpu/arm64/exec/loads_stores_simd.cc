// Advanced SIMD load/store multiple and single structures (Arm ARM C4.1.66):
// LD1-LD4/ST1-ST4 (multiple, single lane), LD1R-LD4R, each with no offset
// or post-index by the transfer size (Rm = 31) or by Xm.
//
// Every form moves one contiguous block of at most 64 bytes. A load reads
// the whole block into a buffer before it writes any register, so a fault
// leaves the registers and the base unchanged. A store gathers the block
// first and writes it; a store that faults part-way (only possible on the
// element-by-element path) may have written earlier elements, which the
// Arm ARM allows. When the block lies in RAM pages the TLB already maps
// (Mmu::host_span), it moves with one or two host copies; otherwise each
// element goes through Mmu::load/store (walk, alignment, fault, MMIO).
#include <algorithm>
#include <cstring>
#include <optional>

#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/loads_stores.h"
#include "cpu/arm64/exec/simd.h"

namespace vmapple::arm64 {
namespace {

using namespace ldst;

constexpr unsigned kMaxBlock = 64;

// The host bytes of [va, va + bytes) (a block crosses at most one page
// boundary): `first` bytes at p, the rest at q. nullopt when a page is not
// mapped to RAM in the TLB for this access (then the element path runs).
struct HostBlock {
  uint8_t* p;
  uint8_t* q;
  unsigned first;
};
template <typename T>
std::optional<HostBlock> host_block(Core& c, uint64_t va, unsigned bytes, AccessKind kind) {
  const unsigned first = std::min(bytes, 0x1000u - static_cast<unsigned>(va & 0xfff));
  uint8_t* p = c.mmu->host_span(va, first, sizeof(T), kind);
  if (!p) return std::nullopt;
  if (first == bytes) return HostBlock{p, nullptr, first};
  uint8_t* q = c.mmu->host_span(va + first, bytes - first, sizeof(T), kind);
  if (!q) return std::nullopt;
  return HostBlock{p, q, first};
}

// Reads `bytes` (a multiple of sizeof(T)) at va into buf.
template <typename T>
void read_block(Core& c, uint64_t va, uint8_t* buf, unsigned bytes) {
  if (auto h = host_block<T>(c, va, bytes, AccessKind::kRead)) {
    std::memcpy(buf, h->p, h->first);
    if (h->q) std::memcpy(buf + h->first, h->q, bytes - h->first);
    return;
  }
  for (unsigned i = 0; i < bytes; i += sizeof(T))
    store_le<T>(buf + i, c.mmu->load<T>(va + i));
}

// Writes `bytes` of buf at va.
template <typename T>
void write_block(Core& c, uint64_t va, const uint8_t* buf, unsigned bytes) {
  if (auto h = host_block<T>(c, va, bytes, AccessKind::kWrite)) {
    std::memcpy(h->p, buf, h->first);
    if (h->q) std::memcpy(h->q, buf + h->first, bytes - h->first);
    return;
  }
  for (unsigned i = 0; i < bytes; i += sizeof(T))
    c.mmu->store<T>(va + i, load_le<T>(buf + i));
}

// Post-index: Xn += the transfer size (Rm = 31) or Xm. Bit 23 tells the
// post-index forms from the no-offset ones.
void write_back(Core& c, uint32_t insn, uint64_t base, unsigned bytes) {
  if (!bit(insn, 23)) return;
  const unsigned m = rs(insn);
  c.set_xreg_or_sp(rn(insn), base + (m == 31 ? bytes : c.x[m]));
}

unsigned list_reg(unsigned t, unsigned i) {
  return (t + i) & 31;
}

// --- multiple structures -----------------------------------------------------
// LDn/STn (n = Selem > 1) interleave n registers element by element; LD1/ST1
// move 1-4 whole registers (opcode<3:0>: 0111 one, 1010 two, 0110 three,
// 0010 four).

unsigned ld1_registers(uint32_t insn) {
  switch (bits(insn, 15, 12)) {
    case 0b0111:
      return 1;
    case 0b1010:
      return 2;
    case 0b0110:
      return 3;
    default:
      return 4;
  }
}

template <typename T, unsigned Selem, bool Load>
void multiple_sized(Core& c, uint32_t insn) {
  const bool q = bit(insn, 30);
  const unsigned reg_bytes = q ? 16 : 8;
  const unsigned regs = Selem == 1 ? ld1_registers(insn) : Selem;
  const unsigned bytes = regs * reg_bytes;
  const unsigned t = rt(insn);
  const uint64_t base = base_register(c, rn(insn));
  alignas(16) uint8_t buf[kMaxBlock];

  if constexpr (Load) {
    read_block<T>(c, base, buf, bytes);
    VReg v[4];
    if constexpr (Selem == 1) {
      for (unsigned r = 0; r < regs; ++r)
        std::memcpy(v[r].b, buf + r * reg_bytes, reg_bytes);
    } else {
      const unsigned elems = reg_bytes / sizeof(T);
      for (unsigned e = 0; e < elems; ++e)
        for (unsigned s = 0; s < Selem; ++s)
          v[s].template set<T>(e, load_le<T>(buf + (e * Selem + s) * sizeof(T)));
    }
    for (unsigned r = 0; r < regs; ++r)
      set_vreg(c, list_reg(t, r), v[r], q);
  } else {
    if constexpr (Selem == 1) {
      for (unsigned r = 0; r < regs; ++r)
        std::memcpy(buf + r * reg_bytes, &c.v[list_reg(t, r)], reg_bytes);
    } else {
      const unsigned elems = reg_bytes / sizeof(T);
      for (unsigned s = 0; s < Selem; ++s) {
        const VReg v = vreg(c, list_reg(t, s));
        for (unsigned e = 0; e < elems; ++e)
          store_le<T>(buf + (e * Selem + s) * sizeof(T), v.get<T>(e));
      }
    }
    write_block<T>(c, base, buf, bytes);
  }
  write_back(c, insn, base, bytes);
}

// size = 3 with Q = 0 is reserved for LD2-LD4/ST2-ST4 (the decoder leaves it
// unallocated; checked again for a direct call).
template <unsigned Selem, bool Load>
void multiple(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  switch (bits(insn, 11, 10)) {
    case 0:
      return multiple_sized<uint8_t, Selem, Load>(c, insn);
    case 1:
      return multiple_sized<uint16_t, Selem, Load>(c, insn);
    case 2:
      return multiple_sized<uint32_t, Selem, Load>(c, insn);
    default:
      if (Selem > 1 && !bit(insn, 30)) c.undefined();
      return multiple_sized<uint64_t, Selem, Load>(c, insn);
  }
}

// --- single structure ------------------------------------------------------
// One lane of Selem consecutive registers; the other lanes are kept (even
// with Q = 0: Q is the top bit of the lane index).

template <typename T, unsigned Selem, bool Load>
void single_sized(Core& c, uint32_t insn, unsigned index) {
  const unsigned t = rt(insn);
  const unsigned bytes = Selem * sizeof(T);
  const uint64_t base = base_register(c, rn(insn));
  alignas(16) uint8_t buf[Selem * sizeof(T)];
  if constexpr (Load) {
    read_block<T>(c, base, buf, bytes);
    VReg v[Selem];
    for (unsigned s = 0; s < Selem; ++s) {
      v[s] = vreg(c, list_reg(t, s));
      v[s].template set<T>(index, load_le<T>(buf + s * sizeof(T)));
    }
    for (unsigned s = 0; s < Selem; ++s)
      set_vreg(c, list_reg(t, s), v[s]);
  } else {
    for (unsigned s = 0; s < Selem; ++s)
      store_le<T>(buf + s * sizeof(T), vreg(c, list_reg(t, s)).get<T>(index));
    write_block<T>(c, base, buf, bytes);
  }
  write_back(c, insn, base, bytes);
}

// opcode<2:1> (bits 15:14) selects B, H or S/D; the lane index is Q:S:size
// for B, Q:S:size<1> for H, Q:S for S and Q for D (size = 01, S = 0).
template <unsigned Selem, bool Load>
void single(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  const unsigned q = bit(insn, 30), s = bit(insn, 12), size = bits(insn, 11, 10);
  switch (bits(insn, 15, 14)) {
    case 0:
      return single_sized<uint8_t, Selem, Load>(c, insn, q << 3 | s << 2 | size);
    case 1:
      if (size & 1) c.undefined();
      return single_sized<uint16_t, Selem, Load>(c, insn, q << 2 | s << 1 | size >> 1);
    default:
      if (size == 0) return single_sized<uint32_t, Selem, Load>(c, insn, q << 1 | s);
      if (size != 1 || s) c.undefined();
      return single_sized<uint64_t, Selem, Load>(c, insn, q);
  }
}

// --- load and replicate ------------------------------------------------------

template <typename T, unsigned Selem>
void replicate_sized(Core& c, uint32_t insn) {
  const bool q = bit(insn, 30);
  const unsigned t = rt(insn);
  const unsigned bytes = Selem * sizeof(T);
  const uint64_t base = base_register(c, rn(insn));
  alignas(16) uint8_t buf[Selem * sizeof(T)];
  read_block<T>(c, base, buf, bytes);
  VReg v[Selem];
  for (unsigned s = 0; s < Selem; ++s) {
    const T e = load_le<T>(buf + s * sizeof(T));
    for (unsigned i = 0; i < 16 / sizeof(T); ++i)
      v[s].template set<T>(i, e);
  }
  for (unsigned s = 0; s < Selem; ++s)
    set_vreg(c, list_reg(t, s), v[s], q);
  write_back(c, insn, base, bytes);
}

template <unsigned Selem>
void replicate(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  switch (bits(insn, 11, 10)) {
    case 0:
      return replicate_sized<uint8_t, Selem>(c, insn);
    case 1:
      return replicate_sized<uint16_t, Selem>(c, insn);
    case 2:
      return replicate_sized<uint32_t, Selem>(c, insn);
    default:
      return replicate_sized<uint64_t, Selem>(c, insn);
  }
}

}  // namespace

void register_loads_stores_simd(HandlerTable& t) {
  t[Op::ST1_mult] = &multiple<1, false>;
  t[Op::ST2_mult] = &multiple<2, false>;
  t[Op::ST3_mult] = &multiple<3, false>;
  t[Op::ST4_mult] = &multiple<4, false>;
  t[Op::LD1_mult] = &multiple<1, true>;
  t[Op::LD2_mult] = &multiple<2, true>;
  t[Op::LD3_mult] = &multiple<3, true>;
  t[Op::LD4_mult] = &multiple<4, true>;
  t[Op::ST1_single] = &single<1, false>;
  t[Op::ST2_single] = &single<2, false>;
  t[Op::ST3_single] = &single<3, false>;
  t[Op::ST4_single] = &single<4, false>;
  t[Op::LD1_single] = &single<1, true>;
  t[Op::LD2_single] = &single<2, true>;
  t[Op::LD3_single] = &single<3, true>;
  t[Op::LD4_single] = &single<4, true>;
  t[Op::LD1R] = &replicate<1>;
  t[Op::LD2R] = &replicate<2>;
  t[Op::LD3R] = &replicate<3>;
  t[Op::LD4R] = &replicate<4>;
}

}  // namespace vmapple::arm64
