// Random-instruction differential test of the Advanced SIMD integer groups
// three same, three different, by element and across lanes (vector and
// scalar encodings) against qemu-aarch64 (diff_harness.h). Every field of
// each group's encoding space is random (Q, size, U, opcode, registers with
// Vd == Vn/Vm often), restricted to allocated v8.0 encodings (an UNDEFINED
// one would end the generated program with SIGILL; the UNDEFINED encodings
// are checked on their own below). Operands are biased towards the lane
// boundaries (0, 1, -1, INT_MIN/INT_MAX of the lane size), shift counts
// towards the lane width, FPSR arrives random so QC must stay sticky.
// Focused tests at the end pin saturation and rounding limits.
#include <gtest/gtest.h>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "unit/cpu/diff_groups.h"
#include "unit/cpu/simd_test_util.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 3000;
constexpr Options kFp{.fp = true};

// One lane of `esize` bits biased towards the boundaries of the lane.
uint64_t int_lane(Rng& r, unsigned esize) {
  uint64_t sign = 1ull << (esize - 1);
  switch (r.below(12)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return ~0ull;  // -1 / UINT_MAX
    case 3:
      return sign;  // INT_MIN
    case 4:
      return sign - 1;  // INT_MAX
    case 5:
      return sign + 1;
    case 6:
      return sign - 2;
    case 7:
      return r.below(16);
    case 8:
      return 0 - uint64_t{r.below(16)};
    case 9:
      return r.next() >> r.below(64);  // varied magnitudes
    default:
      return r.next();
  }
}

// A register of `esize`-bit lanes: boundary lanes, sometimes copies of
// another lane (equal operands), sometimes all random.
u128 int_vector(Rng& r, unsigned esize) {
  if (r.chance(10)) return u128{r.next()} << 64 | r.next();
  u128 v = 0;
  uint64_t m = lane_mask(esize);
  for (unsigned i = 0; i < 128 / esize; ++i) {
    uint64_t lane = int_lane(r, esize) & m;
    if (i && r.chance(10)) lane = static_cast<uint64_t>(v >> (esize * r.below(i))) & m;
    v |= u128{lane} << (esize * i);
  }
  return v;
}

// A shift-count register for SSHL..UQRSHL: the low byte of each lane is a
// signed count, mostly near +-esize; the other bits are random (ignored).
u128 shift_vector(Rng& r, unsigned esize) {
  u128 v = 0;
  uint64_t m = lane_mask(esize);
  for (unsigned i = 0; i < 128 / esize; ++i) {
    uint64_t lane = r.next() & m;
    int count;
    switch (r.below(4)) {
      case 0:
        count = static_cast<int>(r.below(2 * esize + 5)) - static_cast<int>(esize + 2);
        break;
      case 1:
        count = static_cast<int>(esize) - 2 + static_cast<int>(r.below(5));
        break;
      case 2:
        count = -static_cast<int>(esize) - 2 + static_cast<int>(r.below(5));
        break;
      default:
        count = static_cast<int8_t>(r.next());
        break;
    }
    lane = (lane & ~0xffull) | static_cast<uint8_t>(count);
    v |= u128{lane & m} << (esize * i);
  }
  return v;
}

// Registers d, n, m with frequent aliasing.
struct Regs {
  unsigned d, n, m;
};
Regs regs(Rng& r) {
  Regs g{r.below(32), r.below(32), r.below(32)};
  switch (r.below(6)) {
    case 0:
      g.n = g.d;
      break;
    case 1:
      g.m = g.d;
      break;
    case 2:
      g.m = g.n;
      break;
    default:
      break;
  }
  return g;
}

// --- three same -------------------------------------------------------------------

// An opcode of the three-same group: the sizes allowed in the vector form
// (bit i = size i; size 3 only with Q = 1) and in the scalar form.
struct SameForm {
  unsigned u, opcode, vec_sizes, sisd_sizes;
};

constexpr unsigned kS012 = 0b0111, kS0123 = 0b1111, kS3 = 0b1000, kS12 = 0b0110;

constexpr SameForm kSameArith[] = {
    {0, 0b00000, kS012, 0},       {1, 0b00000, kS012, 0},        // SHADD UHADD
    {0, 0b00001, kS0123, kS0123}, {1, 0b00001, kS0123, kS0123},  // SQADD UQADD
    {0, 0b00010, kS012, 0},       {1, 0b00010, kS012, 0},        // SRHADD URHADD
    {0, 0b00100, kS012, 0},       {1, 0b00100, kS012, 0},        // SHSUB UHSUB
    {0, 0b00101, kS0123, kS0123}, {1, 0b00101, kS0123, kS0123},  // SQSUB UQSUB
    {0, 0b01100, kS012, 0},       {1, 0b01100, kS012, 0},        // SMAX UMAX
    {0, 0b01101, kS012, 0},       {1, 0b01101, kS012, 0},        // SMIN UMIN
    {0, 0b01110, kS012, 0},       {1, 0b01110, kS012, 0},        // SABD UABD
    {0, 0b01111, kS012, 0},       {1, 0b01111, kS012, 0},        // SABA UABA
    {0, 0b10000, kS0123, kS3},    {1, 0b10000, kS0123, kS3},     // ADD SUB
};
constexpr SameForm kSameMulCmp[] = {
    {0, 0b00110, kS0123, kS3}, {1, 0b00110, kS0123, kS3},  // CMGT CMHI
    {0, 0b00111, kS0123, kS3}, {1, 0b00111, kS0123, kS3},  // CMGE CMHS
    {0, 0b10001, kS0123, kS3}, {1, 0b10001, kS0123, kS3},  // CMTST CMEQ
    {0, 0b10010, kS012, 0},    {1, 0b10010, kS012, 0},     // MLA MLS
    {0, 0b10011, kS012, 0},    {1, 0b10011, 0b0001, 0},    // MUL PMUL
    {0, 0b10110, kS12, kS12},  {1, 0b10110, kS12, kS12},   // SQDMULH SQRDMULH
};
constexpr SameForm kSameShift[] = {
    {0, 0b01000, kS0123, kS3},    {1, 0b01000, kS0123, kS3},     // SSHL USHL
    {0, 0b01001, kS0123, kS0123}, {1, 0b01001, kS0123, kS0123},  // SQSHL UQSHL
    {0, 0b01010, kS0123, kS3},    {1, 0b01010, kS0123, kS3},     // SRSHL URSHL
    {0, 0b01011, kS0123, kS0123}, {1, 0b01011, kS0123, kS0123},  // SQRSHL UQRSHL
};
constexpr SameForm kSamePairwise[] = {
    {0, 0b10100, kS012, 0},  {1, 0b10100, kS012, 0},  // SMAXP UMAXP
    {0, 0b10101, kS012, 0},  {1, 0b10101, kS012, 0},  // SMINP UMINP
    {0, 0b10111, kS0123, 0},                          // ADDP (vector)
};

unsigned pick_size(Rng& r, unsigned mask) {
  for (;;) {
    unsigned s = r.below(4);
    if (mask >> s & 1) return s;
  }
}

template <size_t N>
void gen_same(Rng& r, Case& c, const SameForm (&forms)[N], bool shift_operand) {
  const SameForm& f = forms[r.below(N)];
  bool scalar = f.sisd_sizes && r.chance(30);
  unsigned size = pick_size(r, scalar ? f.sisd_sizes : f.vec_sizes);
  unsigned q = size == 3 && !scalar ? 1 : r.below(2);
  Regs g = regs(r);
  unsigned esize = 8u << size;
  c.in.v[g.d] = int_vector(r, esize);
  c.in.v[g.n] = int_vector(r, esize);
  c.in.v[g.m] = shift_operand ? shift_vector(r, esize) : int_vector(r, esize);
  uint32_t base = scalar ? 0x5e200400u : 0x0e200400u | q << 30;
  c.insn = base | f.u << 29 | size << 22 | g.m << 16 | f.opcode << 11 | g.n << 5 | g.d;
  fp_state(r, c);
}

void gen_same_arith(Rng& r, const CaseContext&, Case& c) {
  gen_same(r, c, kSameArith, false);
}
void gen_same_mul_cmp(Rng& r, const CaseContext&, Case& c) {
  gen_same(r, c, kSameMulCmp, false);
}
void gen_same_shift(Rng& r, const CaseContext&, Case& c) {
  gen_same(r, c, kSameShift, true);
}
void gen_same_pairwise(Rng& r, const CaseContext&, Case& c) {
  gen_same(r, c, kSamePairwise, false);
}

// AND BIC ORR ORN EOR BSL BIT BIF: 0 Q U 01110 opc2 1 Rm 00011 1 Rn Rd.
void gen_same_logical(Rng& r, const CaseContext&, Case& c) {
  Regs g = regs(r);
  for (unsigned x : {g.d, g.n, g.m})
    c.in.v[x] = int_vector(r, 8u << r.below(4));
  c.insn = 0x0e201c00u | r.below(2) << 30 | r.below(2) << 29 | r.below(4) << 22 | g.m << 16 |
           g.n << 5 | g.d;
  fp_state(r, c);
}

// --- three different -----------------------------------------------------------------

// {U, opcode, sizes, scalar form exists}; bit 0 of `wide` marks an operand
// pattern: 1 = Vn has wide lanes (W forms), 2 = Vn and Vm wide (HN forms).
struct DiffForm {
  unsigned u, opcode, sizes, wide;
  bool sisd;
};
constexpr DiffForm kDiffForms[] = {
    {0, 0b0000, kS012, 0, false}, {1, 0b0000, kS012, 0, false},  // SADDL UADDL
    {0, 0b0001, kS012, 1, false}, {1, 0b0001, kS012, 1, false},  // SADDW UADDW
    {0, 0b0010, kS012, 0, false}, {1, 0b0010, kS012, 0, false},  // SSUBL USUBL
    {0, 0b0011, kS012, 1, false}, {1, 0b0011, kS012, 1, false},  // SSUBW USUBW
    {0, 0b0100, kS012, 2, false}, {1, 0b0100, kS012, 2, false},  // ADDHN RADDHN
    {0, 0b0101, kS012, 0, false}, {1, 0b0101, kS012, 0, false},  // SABAL UABAL
    {0, 0b0110, kS012, 2, false}, {1, 0b0110, kS012, 2, false},  // SUBHN RSUBHN
    {0, 0b0111, kS012, 0, false}, {1, 0b0111, kS012, 0, false},  // SABDL UABDL
    {0, 0b1000, kS012, 0, false}, {1, 0b1000, kS012, 0, false},  // SMLAL UMLAL
    {0, 0b1001, kS12, 0, true},                                  // SQDMLAL
    {0, 0b1010, kS012, 0, false}, {1, 0b1010, kS012, 0, false},  // SMLSL UMLSL
    {0, 0b1011, kS12, 0, true},                                  // SQDMLSL
    {0, 0b1100, kS012, 0, false}, {1, 0b1100, kS012, 0, false},  // SMULL UMULL
    {0, 0b1101, kS12, 0, true},                                  // SQDMULL
};

void gen_different(Rng& r, const CaseContext&, Case& c) {
  const DiffForm& f = kDiffForms[r.below(std::size(kDiffForms))];
  bool scalar = f.sisd && r.chance(30);
  unsigned size = pick_size(r, f.sizes), esize = 8u << size;
  Regs g = regs(r);
  c.in.v[g.d] = int_vector(r, f.wide == 2 ? esize : 2 * esize);
  c.in.v[g.n] = int_vector(r, f.wide ? 2 * esize : esize);
  c.in.v[g.m] = int_vector(r, f.wide == 2 ? 2 * esize : esize);
  uint32_t base = scalar ? 0x5e200000u : 0x0e200000u | r.below(2) << 30;
  c.insn = base | f.u << 29 | size << 22 | g.m << 16 | f.opcode << 12 | g.n << 5 | g.d;
  fp_state(r, c);
}

// --- by element ----------------------------------------------------------------------

struct ElemForm {
  unsigned u, opcode;
  bool sisd;
};
constexpr ElemForm kElemForms[] = {
    {0, 0b0010, false}, {0, 0b0011, true},  {0, 0b0110, false},  // SMLAL SQDMLAL SMLSL
    {0, 0b0111, true},  {0, 0b1010, false}, {0, 0b1011, true},   // SQDMLSL SMULL SQDMULL
    {0, 0b1100, true},  {0, 0b1101, true},  {0, 0b1000, false},  // SQDMULH SQRDMULH MUL
    {1, 0b0000, false}, {1, 0b0010, false}, {1, 0b0100, false},  // MLA UMLAL MLS
    {1, 0b0110, false}, {1, 0b1010, false},                      // UMLSL UMULL
};

void gen_by_element(Rng& r, const CaseContext&, Case& c) {
  const ElemForm& f = kElemForms[r.below(std::size(kElemForms))];
  bool scalar = f.sisd && r.chance(30);
  unsigned size = 1 + r.below(2), esize = 8u << size;
  Regs g = regs(r);
  bool wide = f.opcode == 0b0010 || f.opcode == 0b0011 || f.opcode == 0b0110 ||
              f.opcode == 0b0111 || f.opcode == 0b1010 || f.opcode == 0b1011;
  c.in.v[g.d] = int_vector(r, wide ? 2 * esize : esize);
  c.in.v[g.n] = int_vector(r, esize);
  c.in.v[g.m] = int_vector(r, esize);  // Rm's low 4 bits (16-bit) name the register read
  if (size == 1) c.in.v[g.m & 15] = int_vector(r, esize);
  uint32_t base = scalar ? 0x5f000000u : 0x0f000000u | r.below(2) << 30;
  // L, M, H are random: M is part of the index (16-bit) or of Rm (32-bit).
  c.insn = base | f.u << 29 | size << 22 | r.below(2) << 21 | (g.m & 31) << 16 | f.opcode << 12 |
           r.below(2) << 11 | g.n << 5 | g.d;
  fp_state(r, c);
}

// --- across lanes and scalar pairwise ----------------------------------------------------

void gen_across(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kOps[][2] = {
      {0, 0b00011}, {1, 0b00011},  // SADDLV UADDLV
      {0, 0b01010}, {1, 0b01010},  // SMAXV UMAXV
      {0, 0b11010}, {1, 0b11010},  // SMINV UMINV
      {0, 0b11011},                // ADDV
  };
  Regs g = regs(r);
  if (r.chance(12)) {  // ADDP (scalar)
    c.in.v[g.n] = int_vector(r, 64);
    c.insn = 0x5ef1b800u | g.n << 5 | g.d;
  } else {
    const auto& op = kOps[r.below(std::size(kOps))];
    unsigned size = r.below(3), q = size == 2 ? 1 : r.below(2);
    c.in.v[g.n] = int_vector(r, 8u << size);
    c.insn = 0x0e300800u | q << 30 | op[0] << 29 | size << 22 | op[1] << 12 | g.n << 5 | g.d;
  }
  fp_state(r, c);
}

const Group kGroups[] = {
    {"simd_three_same_arith", kFp, gen_same_arith},
    {"simd_three_same_mul_cmp", kFp, gen_same_mul_cmp},
    {"simd_three_same_shift", kFp, gen_same_shift},
    {"simd_three_same_pairwise", kFp, gen_same_pairwise},
    {"simd_three_same_logical", kFp, gen_same_logical},
    {"simd_three_different", kFp, gen_different},
    {"simd_by_element", kFp, gen_by_element},
    {"simd_across_lanes", kFp, gen_across},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffSimdA, kGroups, kDefaultCases);

// --- focused checks on a bare Core -------------------------------------------------------

struct Outcome {
  bool undefined = false;
  Core core;
};

// Runs one instruction with FP enabled at EL1; V registers and FPSR given.
Outcome exec(uint32_t insn, std::initializer_list<std::pair<unsigned, u128>> v, uint32_t fpsr = 0) {
  Outcome o;
  Core& c = o.core;
  init_core(c);
  c.fpsr = fpsr;
  for (auto [r, val] : v)
    c.v[r] = val;
  o.undefined = execute(c, insn) != -1;
  return o;
}

u128 splat(uint64_t lane, unsigned esize) {
  u128 v = 0;
  for (unsigned i = 0; i < 128 / esize; ++i)
    v |= u128{lane & lane_mask(esize)} << (esize * i);
  return v;
}

constexpr uint32_t kQc = 1u << 27;

TEST(SimdAFocused, SqdmulhSaturatesOnlyMinTimesMin) {
  // sqdmulh v0.8h, v1.8h, v2.8h
  Outcome o = exec(0x4e62b420, {{1, splat(0x8000, 16)}, {2, splat(0x8000, 16)}});
  EXPECT_FALSE(o.undefined);
  EXPECT_EQ(o.core.v[0], splat(0x7fff, 16));
  EXPECT_EQ(o.core.fpsr, kQc);
  o = exec(0x4e62b420, {{1, splat(0x8000, 16)}, {2, splat(0x7fff, 16)}});
  EXPECT_EQ(o.core.v[0], splat(0x8001, 16));  // (2 * -32768 * 32767) >> 16
  EXPECT_EQ(o.core.fpsr, 0u);
}

TEST(SimdAFocused, SqrdmulhRoundsHalfUp) {
  // sqrdmulh v0.4s, v1.4s, v2.4s: 2 * 0x40000000 * 1 = 2^31, + 2^31 -> 1.
  Outcome o = exec(0x6ea2b420, {{1, splat(0x40000000, 32)}, {2, splat(1, 32)}});
  EXPECT_EQ(o.core.v[0], splat(1, 32));
}

TEST(SimdAFocused, QcIsSticky) {
  // uqadd v0.16b, v1.16b, v2.16b without saturation leaves QC set.
  Outcome o = exec(0x6e220c20, {{1, splat(1, 8)}, {2, splat(2, 8)}}, kQc | 0x10);
  EXPECT_EQ(o.core.v[0], splat(3, 8));
  EXPECT_EQ(o.core.fpsr, kQc | 0x10);
}

TEST(SimdAFocused, UrshlRoundsAcrossTheWholeLane) {
  // urshl v0.16b, v1.16b, v2.16b with shift -8: (0xff + 0x80) >> 8 = 1.
  Outcome o = exec(0x6e225420, {{1, splat(0xff, 8)}, {2, splat(0xf8, 8)}});
  EXPECT_EQ(o.core.v[0], splat(1, 8));
  // srshl: (-1 + 0x80) >> 8 = 0; shift -128 gives 0.
  o = exec(0x4e225420, {{1, splat(0xff, 8)}, {2, splat(0x80, 8)}});
  EXPECT_EQ(o.core.v[0], 0u);
}

TEST(SimdAFocused, SaturatingShiftLimits) {
  // sqshl d0, d1, d2: 1 << 63 saturates to INT64_MAX; -1 << 127 to INT64_MIN.
  Outcome o = exec(0x5ee24c20, {{1, 1}, {2, 63}});
  EXPECT_EQ(o.core.v[0], u128{0x7fffffffffffffff});
  EXPECT_EQ(o.core.fpsr, kQc);
  o = exec(0x5ee24c20, {{1, ~u128{0}}, {2, 127}});
  EXPECT_EQ(o.core.v[0], u128{0x8000000000000000});
  // uqrshl b0, b1, b2 (scalar): 0xff >> 1 rounded = 0x80, no saturation.
  o = exec(0x7e225c20, {{1, 0xff}, {2, 0xff}});
  EXPECT_EQ(o.core.v[0], u128{0x80});
  EXPECT_EQ(o.core.fpsr, 0u);
  // 0 shifted left by anything stays 0 without QC.
  o = exec(0x5ee24c20, {{1, 0}, {2, 100}});
  EXPECT_EQ(o.core.v[0], 0u);
  EXPECT_EQ(o.core.fpsr, 0u);
}

TEST(SimdAFocused, SqdmlalSaturatesTwice) {
  // sqdmlal s0, h1, h2: product 2 * -32768 * -32768 saturates to INT32_MAX,
  // then INT32_MAX + 1 saturates again.
  Outcome o = exec(0x5e629020, {{0, 1}, {1, 0x8000}, {2, 0x8000}});
  EXPECT_EQ(o.core.v[0], u128{0x7fffffff});
  EXPECT_EQ(o.core.fpsr, kQc);
  // sqdmlsl d0, s1, s2 from INT64_MIN: subtracting 2 * 2^30 * (2^31 - 1)
  // saturates to INT64_MIN.
  o = exec(0x5ea2b020, {{0, 0x8000000000000000}, {1, 0x40000000}, {2, 0x7fffffff}});
  EXPECT_EQ(o.core.v[0], u128{0x8000000000000000});
  EXPECT_EQ(o.core.fpsr, kQc);
}

TEST(SimdAFocused, HighNarrowSecondHalfKeepsLowerHalf) {
  // raddhn2 v0.16b, v1.8h, v2.8h: upper half gets (0x00ff + 0x0001 + 0x80) >> 8 = 1.
  Outcome o = exec(0x6e224020, {{0, splat(0x5a, 8)}, {1, splat(0x00ff, 16)}, {2, splat(1, 16)}});
  EXPECT_EQ(static_cast<uint64_t>(o.core.v[0]), 0x5a5a5a5a5a5a5a5aull);
  EXPECT_EQ(static_cast<uint64_t>(o.core.v[0] >> 64), 0x0101010101010101ull);
  // addhn (Q = 0) clears the upper half.
  o = exec(0x0e224020, {{0, splat(0x5a, 8)}, {1, splat(0x00ff, 16)}, {2, splat(1, 16)}});
  EXPECT_EQ(o.core.v[0], u128{0x0101010101010101});
}

TEST(SimdAFocused, ByElementIndexAndRegister) {
  // mul v0.8h, v1.8h, v15.h[7]: H:L:M = 111, Rm = 1111.
  u128 m = 0;
  for (unsigned i = 0; i < 8; ++i)
    m |= u128{i + 1u} << (16 * i);
  Outcome o = exec(0x4f7f8820, {{1, splat(3, 16)}, {15, m}});
  EXPECT_EQ(o.core.v[0], splat(24, 16));
  // mul v0.4s, v1.4s, v31.s[3]: Rm = M:Rm = 11111, index H:L = 11.
  o = exec(0x4fbf8820, {{1, splat(3, 32)}, {31, u128{5} << 96}});
  EXPECT_EQ(o.core.v[0], splat(15, 32));
}

TEST(SimdAFocused, AcrossLanesLongSum) {
  // saddlv h0, v1.16b: 16 * -128 = -2048 = 0xf800; uaddlv: 16 * 0x80 = 0x800.
  Outcome o = exec(0x4e303820, {{0, ~u128{0}}, {1, splat(0x80, 8)}});
  EXPECT_EQ(o.core.v[0], u128{0xf800});
  o = exec(0x6e303820, {{1, splat(0x80, 8)}});
  EXPECT_EQ(o.core.v[0], u128{0x800});
}

TEST(SimdAFocused, ReservedEncodingsAreUndefined) {
  const uint32_t kUndefined[] = {
      0x4ee20420,  // shadd with size 3
      0x0ee28420,  // add v0.1d (Q = 0, size 3)
      0x4e22b420,  // sqdmulh with size 0
      0x5e22b420,  // sqdmulh (scalar) with size 0
      0x5e228420,  // add (scalar) with size 0
      0x6e629c20,  // pmul with size 1
      0x6ea2bc20,  // U = 1, opcode 10111: unallocated
      0x0ee20020,  // saddl with size 3
      0x0e229020,  // sqdmlal with size 0
      0x5e229020,  // sqdmlal (scalar) with size 0
      0x6f42d020,  // sqrdmlah (by element): v8.1, not implemented
      0x7f42f020,  // sqrdmlsh (scalar, by element)
      0x0f028020,  // mul (by element) with size 0
      0x0eb0b820,  // addv s0, v1.2s (Q = 0, size 2)
      0x4ef1b820,  // addv with size 3
      0x5eb1b820,  // addp (scalar) with size 2
  };
  for (uint32_t insn : kUndefined)
    EXPECT_TRUE(exec(insn, {}).undefined) << std::hex << insn;
  // and the FP trap comes first for a defined one when CPACR traps.
  EXPECT_EQ(exception_of(0x4e228420, false), 0x07);  // add v0.16b
}

}  // namespace
}  // namespace vmapple::arm64::test::diff
