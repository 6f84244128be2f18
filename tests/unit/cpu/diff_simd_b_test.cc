// Random-instruction differential test of the Advanced SIMD integer groups
// "two-register misc", "shift by immediate", "modified immediate", "copy",
// "permute/extract" and "table lookup" against qemu-aarch64 (diff_harness.h,
// docs/cpu/testing.md). Each generator draws random fields over the group's
// whole allocated encoding space (Q, size, immh:immb, cmode, imm5,
// registers with Vd often equal to a source, TBL lists wrapping past V31),
// lanes biased to the per-lane-size boundaries (0, 1, -1, INT_MIN/MAX and
// the half-width limits narrowing saturates at), and random FPCR/FPSR (QC is
// sticky). The reserved encodings qemu would reject with SIGILL are checked
// separately (Undefined below) against the Arm ARM.
#include <gtest/gtest.h>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/fp/fp.h"
#include "cpu/arm64/handlers.h"
#include "unit/cpu/diff_groups.h"
#include "unit/cpu/simd_test_util.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 4000;

// Vd drawn so that it often equals one of the sources.
unsigned dest(Rng& r, unsigned n, unsigned m = 32) {
  if (r.chance(15)) return n;
  if (m < 32 && r.chance(15)) return m;
  return reg(r);
}

// One lane of `esize` bits biased to what integer SIMD instructions treat
// specially, including the limits of the half-width lanes narrowing
// instructions saturate to.
uint64_t lane_value(Rng& r, unsigned esize) {
  uint64_t ones = esize == 64 ? ~0ull : (uint64_t{1} << esize) - 1;
  uint64_t sign = uint64_t{1} << (esize - 1);
  uint64_t half_sign = uint64_t{1} << (esize / 2 - 1);
  switch (r.below(12)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return ones;  // -1
    case 3:
      return sign;  // INT_MIN
    case 4:
      return sign - 1;  // INT_MAX
    case 5:
      return (sign + r.below(3) - 1) & ones;
    case 6:  // around the narrow lanes' signed and unsigned limits
      return (half_sign * (1 + r.below(2)) + r.below(3) - 1) & ones;
    case 7:
      return (0 - half_sign * (1 + r.below(2)) + r.below(3) - 1) & ones;
    case 8:
      return r.below(16);
    case 9:
      return (0 - uint64_t{r.below(16)}) & ones;
    case 10:
      return r.value() & ones;
    default:
      return r.next() & ones;
  }
}

u128 lane_vector(Rng& r, unsigned esize) {
  return vector_of(r, esize, lane_value);
}

// Every V register random with lanes of mostly `esize` bits (sometimes of
// another width), FPCR and FPSR random.
void fill(Rng& r, Case& c, unsigned esize) {
  for (auto& v : c.in.v)
    v = lane_vector(r, r.chance(70) ? esize : 8u << r.below(4));
  fp_state(r, c);
}

// --- two-register miscellaneous ---------------------------------------------------

struct MiscOp {
  unsigned u, opcode;
  unsigned sizes;         // bit s: size s allowed (vector)
  unsigned scalar_sizes;  // bit s: size s allowed for the scalar form
  bool q0_size3 = false;  // vector Q = 0 allowed with size 3
};

uint32_t misc_insn(Rng& r, const MiscOp& op, unsigned& esize) {
  bool scalar = op.scalar_sizes && r.chance(30);
  unsigned allowed = scalar ? op.scalar_sizes : op.sizes, size, q;
  for (;;) {
    size = r.below(4);
    q = r.below(2);
    if (!(allowed >> size & 1)) continue;
    if (!scalar && size == 3 && !q && !op.q0_size3) continue;
    break;
  }
  esize = 8u << size;
  unsigned n = reg(r), d = dest(r, n);
  uint32_t base = scalar ? 0x5e200800u : (0x0e200800u | q << 30);
  return base | op.u << 29 | size << 22 | op.opcode << 12 | n << 5 | d;
}

void gen_misc(Rng& r, Case& c, const MiscOp* ops, size_t count, bool narrow = false) {
  unsigned esize;
  c.insn = misc_insn(r, ops[r.below(static_cast<unsigned>(count))], esize);
  fill(r, c, narrow ? 2 * esize : esize);
}

constexpr MiscOp kMiscBits[] = {
    {0, 0b00000, 0b0111, 0},  // REV64
    {0, 0b00001, 0b0001, 0},  // REV16
    {1, 0b00000, 0b0011, 0},  // REV32
    {0, 0b00100, 0b0111, 0},  // CLS
    {1, 0b00100, 0b0111, 0},  // CLZ
    {0, 0b00101, 0b0001, 0},  // CNT
    {1, 0b00101, 0b0001, 0},  // NOT
    {1, 0b00101, 0b0010, 0},  // RBIT
};
constexpr MiscOp kMiscPairwise[] = {
    {0, 0b00010, 0b0111, 0},  // SADDLP
    {1, 0b00010, 0b0111, 0},  // UADDLP
    {0, 0b00110, 0b0111, 0},  // SADALP
    {1, 0b00110, 0b0111, 0},  // UADALP
};
constexpr MiscOp kMiscArith[] = {
    {0, 0b00011, 0b1111, 0b1111},  // SUQADD
    {1, 0b00011, 0b1111, 0b1111},  // USQADD
    {0, 0b00111, 0b1111, 0b1111},  // SQABS
    {1, 0b00111, 0b1111, 0b1111},  // SQNEG
    {0, 0b01011, 0b1111, 0b1000},  // ABS
    {1, 0b01011, 0b1111, 0b1000},  // NEG
};
constexpr MiscOp kMiscCompare[] = {
    {0, 0b01000, 0b1111, 0b1000},  // CMGT #0
    {1, 0b01000, 0b1111, 0b1000},  // CMGE #0
    {0, 0b01001, 0b1111, 0b1000},  // CMEQ #0
    {1, 0b01001, 0b1111, 0b1000},  // CMLE #0
    {0, 0b01010, 0b1111, 0b1000},  // CMLT #0
};
constexpr MiscOp kMiscNarrow[] = {
    {0, 0b10010, 0b0111, 0},       // XTN
    {1, 0b10010, 0b0111, 0b0111},  // SQXTUN
    {0, 0b10100, 0b0111, 0b0111},  // SQXTN
    {1, 0b10100, 0b0111, 0b0111},  // UQXTN
    {1, 0b10011, 0b0111, 0},       // SHLL
};

void gen_misc_bits(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscBits, std::size(kMiscBits));
}
void gen_misc_pairwise(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscPairwise, std::size(kMiscPairwise));
}
void gen_misc_arith(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscArith, std::size(kMiscArith));
}
void gen_misc_compare(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscCompare, std::size(kMiscCompare));
}
void gen_misc_narrow(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscNarrow, std::size(kMiscNarrow), true);
}

// --- shift by immediate -----------------------------------------------------------

enum class ShiftKind { kSame, kSame64Scalar, kNarrow, kLong };

struct ShiftOp {
  unsigned u, opcode;
  ShiftKind kind;
  bool scalar;  // has a scalar form
};

uint32_t shift_insn(Rng& r, const ShiftOp& op, unsigned& esize) {
  bool scalar = op.scalar && r.chance(30);
  unsigned q = r.below(2), s;
  if (op.kind == ShiftKind::kNarrow || op.kind == ShiftKind::kLong)
    s = r.below(3);
  else if (scalar && op.kind == ShiftKind::kSame64Scalar)
    s = 3;
  else
    s = r.below(4);
  if (!scalar && s == 3) q = 1;
  // immh:immb in [8 << s, 16 << s): biased to both ends of the shift range.
  unsigned span = 8u << s, k = r.below(span);
  if (r.chance(30)) k = r.chance(50) ? r.below(2) : span - 1 - r.below(2);
  unsigned imm7 = span + k;
  esize = 8u << s;
  unsigned n = reg(r), d = dest(r, n);
  uint32_t base = scalar ? 0x5f000400u : (0x0f000400u | q << 30);
  return base | op.u << 29 | imm7 << 16 | op.opcode << 11 | n << 5 | d;
}

void gen_shift(Rng& r, Case& c, const ShiftOp* ops, size_t count) {
  const ShiftOp& op = ops[r.below(static_cast<unsigned>(count))];
  unsigned esize;
  c.insn = shift_insn(r, op, esize);
  fill(r, c, op.kind == ShiftKind::kNarrow ? 2 * esize : esize);
}

constexpr ShiftOp kShiftRight[] = {
    {0, 0b00000, ShiftKind::kSame64Scalar, true},  // SSHR
    {1, 0b00000, ShiftKind::kSame64Scalar, true},  // USHR
    {0, 0b00010, ShiftKind::kSame64Scalar, true},  // SSRA
    {1, 0b00010, ShiftKind::kSame64Scalar, true},  // USRA
    {0, 0b00100, ShiftKind::kSame64Scalar, true},  // SRSHR
    {1, 0b00100, ShiftKind::kSame64Scalar, true},  // URSHR
    {0, 0b00110, ShiftKind::kSame64Scalar, true},  // SRSRA
    {1, 0b00110, ShiftKind::kSame64Scalar, true},  // URSRA
};
constexpr ShiftOp kShiftLeft[] = {
    {0, 0b01010, ShiftKind::kSame64Scalar, true},  // SHL
    {1, 0b01010, ShiftKind::kSame64Scalar, true},  // SLI
    {1, 0b01000, ShiftKind::kSame64Scalar, true},  // SRI
    {0, 0b01110, ShiftKind::kSame, true},          // SQSHL #imm
    {1, 0b01110, ShiftKind::kSame, true},          // UQSHL #imm
    {1, 0b01100, ShiftKind::kSame, true},          // SQSHLU
};
constexpr ShiftOp kShiftNarrow[] = {
    {0, 0b10000, ShiftKind::kNarrow, false},  // SHRN
    {0, 0b10001, ShiftKind::kNarrow, false},  // RSHRN
    {0, 0b10010, ShiftKind::kNarrow, true},   // SQSHRN
    {0, 0b10011, ShiftKind::kNarrow, true},   // SQRSHRN
    {1, 0b10000, ShiftKind::kNarrow, true},   // SQSHRUN
    {1, 0b10001, ShiftKind::kNarrow, true},   // SQRSHRUN
    {1, 0b10010, ShiftKind::kNarrow, true},   // UQSHRN
    {1, 0b10011, ShiftKind::kNarrow, true},   // UQRSHRN
};
constexpr ShiftOp kShiftLong[] = {
    {0, 0b10100, ShiftKind::kLong, false},  // SSHLL (SXTL)
    {1, 0b10100, ShiftKind::kLong, false},  // USHLL (UXTL)
};

void gen_shift_right(Rng& r, const CaseContext&, Case& c) {
  gen_shift(r, c, kShiftRight, std::size(kShiftRight));
}
void gen_shift_left(Rng& r, const CaseContext&, Case& c) {
  gen_shift(r, c, kShiftLeft, std::size(kShiftLeft));
}
void gen_shift_narrow(Rng& r, const CaseContext&, Case& c) {
  gen_shift(r, c, kShiftNarrow, std::size(kShiftNarrow));
}
void gen_shift_long(Rng& r, const CaseContext&, Case& c) {
  gen_shift(r, c, kShiftLong, std::size(kShiftLong));
}

// --- modified immediate ------------------------------------------------------------

void gen_modified_imm(Rng& r, const CaseContext&, Case& c) {
  unsigned q, op, cmode;
  do {
    q = r.below(2);
    op = r.below(2);
    cmode = r.below(16);
  } while (op && cmode == 15 && !q);  // FMOV Dd is reserved
  unsigned imm8 = r.chance(20) ? (r.chance(50) ? 0 : 0xff) : r.below(256);
  c.insn = q << 30 | op << 29 | 0x0f000400u | (imm8 >> 5) << 16 | cmode << 12 | (imm8 & 31) << 5 |
           reg(r);
  fill(r, c, 8u << r.below(4));
}

// --- copy -------------------------------------------------------------------------

// imm5 for element size 2^s bytes and a random index.
unsigned imm5_for(Rng& r, unsigned s) {
  return r.below(16u >> s) << (s + 1) | 1u << s;
}

void gen_copy(Rng& r, const CaseContext&, Case& c) {
  unsigned n = reg(r), d = dest(r, n), s = r.below(4), q = r.below(2), imm4 = 0, op = 0;
  uint32_t base = 0x0e000400u;
  switch (r.below(7)) {
    case 0:  // DUP (element)
      if (s == 3) q = 1;
      break;
    case 1:  // DUP (element), scalar (MOV scalar)
      base = 0x5e000400u;
      q = 0;
      break;
    case 2:  // DUP (general)
      imm4 = 0b0001;
      if (s == 3) q = 1;
      break;
    case 3:  // SMOV
      imm4 = 0b0101;
      s = r.below(q ? 3 : 2);
      break;
    case 4:  // UMOV
      imm4 = 0b0111;
      s = q ? 3 : r.below(3);
      break;
    case 5:  // INS (general)
      imm4 = 0b0011;
      q = 1;
      break;
    default:  // INS (element): imm4 = source index, low bits ignored
      op = 1;
      q = 1;
      imm4 = r.below(16);
      break;
  }
  c.insn = base | q << 30 | op << 29 | imm5_for(r, s) << 16 | imm4 << 11 | n << 5 | d;
  fill(r, c, 8u << s);
}

// --- permute, extract, table lookup ---------------------------------------------------

void gen_permute(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kOpcodes[] = {0b001, 0b010, 0b011, 0b101, 0b110, 0b111};
  unsigned size = r.below(4), q = size == 3 ? 1 : r.below(2);
  unsigned n = reg(r), m = reg(r), d = dest(r, n, m);
  c.insn = q << 30 | 0x0e000800u | size << 22 | m << 16 | kOpcodes[r.below(6)] << 12 | n << 5 | d;
  fill(r, c, 8u << size);
}

void gen_ext(Rng& r, const CaseContext&, Case& c) {
  unsigned q = r.below(2), imm4 = r.below(q ? 16 : 8);
  unsigned n = reg(r), m = reg(r), d = dest(r, n, m);
  c.insn = q << 30 | 0x2e000000u | m << 16 | imm4 << 11 | n << 5 | d;
  fill(r, c, 8);
}

void gen_tbl(Rng& r, const CaseContext&, Case& c) {
  unsigned q = r.below(2), len = r.below(4), op = r.below(2);
  unsigned n = r.chance(30) ? 28 + r.below(4) : reg(r);  // lists that wrap past V31
  unsigned m = reg(r), d = dest(r, n, m);
  c.insn = q << 30 | 0x0e000000u | m << 16 | len << 13 | op << 12 | n << 5 | d;
  fill(r, c, 8);
  // Indices: mostly inside the table, some just past its end or anywhere.
  unsigned table = 16 * (len + 1);
  u128 idx = 0;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned b = r.chance(60)   ? r.below(table)
                 : r.chance(50) ? table + r.below(4) - 2
                                : r.below(256);
    idx |= u128{b & 0xff} << (8 * i);
  }
  c.in.v[m] = idx;
}

constexpr Options kFp{.fp = true};

const Group kGroups[] = {
    {"misc_bits", kFp, gen_misc_bits},
    {"misc_pairwise", kFp, gen_misc_pairwise},
    {"misc_arith", kFp, gen_misc_arith},
    {"misc_compare", kFp, gen_misc_compare},
    {"misc_narrow", kFp, gen_misc_narrow},
    {"shift_right", kFp, gen_shift_right},
    {"shift_left", kFp, gen_shift_left},
    {"shift_narrow", kFp, gen_shift_narrow},
    {"shift_long", kFp, gen_shift_long},
    {"modified_imm", kFp, gen_modified_imm},
    {"copy", kFp, gen_copy},
    {"permute", kFp, gen_permute},
    {"ext", kFp, gen_ext},
    {"tbl", kFp, gen_tbl},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffSimdB, kGroups, kDefaultCases);

// --- reserved encodings and the FP access trap ------------------------------------------

TEST(SimdBUndefined, ReservedEncodings) {
  static constexpr Probe kReserved[] = {
      {0x0f00fc00, "FMOV v0.4h, #imm (FEAT_FP16)"},
      {0x4f00fc00, "FMOV v0.8h, #imm (FEAT_FP16)"},
      {0x2f00f400, "FMOV Q=0 op=1 cmode=1111"},
      {0x2e004000, "EXT Q=0 imm4=8"},
      {0x2e007800, "EXT Q=0 imm4=15"},
      {0x0e000400, "DUP (element) imm5=00000"},
      {0x4e100400, "DUP (element) imm5=10000"},
      {0x0e080400, "DUP v.1d (element, Q=0)"},
      {0x0e080c00, "DUP v.1d (general, Q=0)"},
      {0x5e100400, "DUP scalar imm5=10000"},
      {0x4e013c00, "UMOV Q=1 size 0"},
      {0x0e083c00, "UMOV Q=0 size 3"},
      {0x0e042c00, "SMOV W, S element"},
      {0x4e082c00, "SMOV X, D element"},
      {0x4e101c00, "INS (general) imm5=10000"},
      {0x6e100400, "INS (element) imm5=10000"},
      {0x0ec03800, "ZIP1 v.1d (Q=0 size 3)"},
      {0x0f480400, "SSHR Q=0 64-bit lanes"},
      {0x5f200400, "SSHR scalar immh=0100"},
      {0x5f205400, "SHL scalar immh=0100"},
      {0x0f408400, "SHRN immh=1xxx"},
      {0x0f40a400, "SSHLL immh=1xxx"},
      {0x5f409400, "SQSHRN scalar immh=1xxx"},
      {0x2f406400, "SQSHLU Q=0 64-bit lanes"},
      {0x0ee00800, "REV64 size 3"},
      {0x6ea00800, "REV32 size 2"},
      {0x0e601800, "REV16 size 1"},
      {0x0ee12800, "XTN size 3"},
      {0x5ee14800, "SQXTN scalar size 3"},
      {0x2ee13800, "SHLL size 3"},
      {0x0ee0b800, "ABS Q=0 size 3"},
      {0x5e20b800, "ABS scalar size 0"},
      {0x5e608800, "CMGT #0 scalar size 1"},
      {0x2ea0a800, "U=1 opcode 01010 (no CMLT form)"},
      {0x0e605800, "CNT size 1"},
      {0x2ea05800, "NOT/RBIT size 2"},
      {0x0ee02800, "SADDLP size 3"},
      {0x0ee04800, "CLS size 3"},
      {0x0ee03800, "SUQADD Q=0 size 3"},
  };
  expect_exception_of(kReserved, 0x00);
}

TEST(SimdBUndefined, ValidNeighboursExecute) {
  // The allocated encodings next to the reserved ones run without exception.
  static constexpr uint32_t kValid[] = {
      0x0f00f400,             // FMOV v0.2s, #2.0
      0x6f00f400,             // FMOV v0.2d, #2.0
      0x2f00e400,             // MOVI d0, #0
      0x2e003800,             // EXT Q=0 imm4=7
      0x4e080400,             // DUP v0.2d, v0.d[0]
      0x4e083c00,             // UMOV x0, v0.d[0]
      0x4e042c00,             // SMOV x0, v0.s[0]
      0x5f400400,             // SSHR d0, d0, #64
      0x0f208400,             // SHRN v0.2s, v0.2d, #32
      0x5f209400,             // SQSHRN s0, d0, #32
      0x5e20b800 | 3u << 22,  // ABS d0, d0
      0x4e0c2000,             // TBL v0.16b, {v0, v1}, v12 (wrapping lists are fine too)
  };
  for (uint32_t insn : kValid)
    EXPECT_EQ(exception_of(insn), -1) << fmt::format("{:#010x}", insn);
}

TEST(SimdBUndefined, FpAccessTrap) {
  // With CPACR_EL1.FPEN = 0 every group traps with EC 0x07; a reserved
  // encoding stays UNDEFINED (decode comes before the access check).
  static constexpr uint32_t kInsns[] = {0x4e205800, 0x4f0f0400, 0x0f00f400, 0x4e080400,
                                        0x4e0c2000, 0x0e003800, 0x4f088400};
  for (uint32_t insn : kInsns)
    EXPECT_EQ(exception_of(insn, false), 0x07) << fmt::format("{:#010x}", insn);
  EXPECT_EQ(exception_of(0x0f00fc00, false), 0);  // FMOV .4h (FEAT_FP16)
}

// --- corners random operands rarely reach, from the Arm ARM by hand -------------------

u128 q(uint64_t hi, uint64_t lo) {
  return u128{hi} << 64 | lo;
}

// Executes `insn` on a core with FP enabled and the given V registers/FPSR.
void run_insn(Core& c, uint32_t insn) {
  init_core(c);
  EXPECT_EQ(execute(c, insn), -1) << fmt::format("{:#010x} raised an exception", insn);
}

TEST(SimdBCorners, ShiftByElementWidth) {
  Core c;
  c.v[0] = q(0x1111, 0x1234567890abcdef);
  c.v[1] = q(0x2222, ~0ull);
  run_insn(c, 0x7f402420);  // URSHR d0, d1, #64: (2^64 - 1 + 2^63) >> 64
  EXPECT_EQ(c.v[0], q(0, 1));
  c.v[1] = q(0, 0x8000000000000000);
  run_insn(c, 0x5f400420);  // SSHR d0, d1, #64
  EXPECT_EQ(c.v[0], q(0, ~0ull));
  c.v[0] = q(0x3333, 0x1234567890abcdef);
  run_insn(c, 0x7f404420);  // SRI d0, d1, #64 keeps every bit of d0
  EXPECT_EQ(c.v[0], q(0, 0x1234567890abcdef));
  c.v[0] = q(0x3333, 0x1234567890abcdef);
  c.v[1] = q(0, 0xfedcba9876543210);
  run_insn(c, 0x7f7f5420);  // SLI d0, d1, #63 keeps d0's low 63 bits
  EXPECT_EQ(c.v[0], q(0, 0x1234567890abcdef));
  EXPECT_EQ(c.fpsr, 0u);
}

TEST(SimdBCorners, SaturationSetsStickyQc) {
  Core c;
  c.v[1] = q(0, 0x8000);
  run_insn(c, 0x7f0f8420);  // SQSHRUN b0, h1, #1: negative -> 0
  EXPECT_EQ(c.v[0], q(0, 0));
  EXPECT_EQ(c.fpsr, fp::fpsr::kQc);
  c.fpsr = 0;
  c.v[1] = q(0, 0x80);
  run_insn(c, 0x5e207820);  // SQABS b0, b1: -128 -> 127
  EXPECT_EQ(c.v[0], q(0, 0x7f));
  EXPECT_EQ(c.fpsr, fp::fpsr::kQc);
  c.v[1] = q(0, 0x81);
  run_insn(c, 0x5e207820);  // no saturation: QC stays set (cumulative)
  EXPECT_EQ(c.v[0], q(0, 0x7f));
  EXPECT_EQ(c.fpsr, fp::fpsr::kQc);
  c.fpsr = 0;
  run_insn(c, 0x5e207820);  // and is not set when nothing saturates
  EXPECT_EQ(c.fpsr, 0u);
  c.v[1] = q(0, 0x7fffffffffffffff);
  run_insn(c, 0x5f7f7420);  // SQSHL d0, d1, #63
  EXPECT_EQ(c.v[0], q(0, 0x7fffffffffffffff));
  EXPECT_EQ(c.fpsr, fp::fpsr::kQc);
}

TEST(SimdBCorners, TableListWrapsPastV31) {
  Core c;
  for (unsigned r = 0; r < 32; ++r)
    for (unsigned b = 0; b < 16; ++b)
      c.v[r] |= u128{static_cast<uint8_t>(r << 3 | (b & 7))} << (8 * b);
  // Indices: first byte of V31, V0, V1, V2; last in range; out of range.
  static constexpr uint8_t kIdx[16] = {0, 16, 32, 48, 63, 64, 255, 17, 1, 2, 3, 33, 49, 62, 128, 5};
  u128 idx = 0;
  for (unsigned b = 0; b < 16; ++b)
    idx |= u128{kIdx[b]} << (8 * b);
  c.v[3] = idx;
  u128 v31 = c.v[31], v0 = c.v[0], v1 = c.v[1], v2 = c.v[2];
  auto table_byte = [&](unsigned i) -> unsigned {
    const u128 regs[] = {v31, v0, v1, v2};
    return static_cast<uint8_t>(regs[i / 16] >> (8 * (i % 16)));
  };
  run_insn(c, 0x4e0363e0);  // TBL v0.16b, {v31.16b, v0.16b, v1.16b, v2.16b}, v3.16b
  for (unsigned b = 0; b < 16; ++b)
    EXPECT_EQ(static_cast<uint8_t>(c.v[0] >> (8 * b)), kIdx[b] < 64 ? table_byte(kIdx[b]) : 0u)
        << "byte " << b;
  c.v[0] = v0;
  c.v[4] = q(0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb);
  run_insn(c, 0x0e037004);  // TBX v4.8b, {v0.16b-v3.16b}, v3.8b
  for (unsigned b = 0; b < 8; ++b) {
    const u128 regs[] = {v0, v1, v2, idx};
    unsigned i = kIdx[b];
    unsigned want = i < 64 ? static_cast<uint8_t>(regs[i / 16] >> (8 * (i % 16))) : 0xbbu;
    EXPECT_EQ(static_cast<uint8_t>(c.v[4] >> (8 * b)), want) << "byte " << b;
  }
  EXPECT_EQ(static_cast<uint64_t>(c.v[4] >> 64), 0u);  // Q = 0 clears the upper half
}

}  // namespace
}  // namespace vmapple::arm64::test::diff
