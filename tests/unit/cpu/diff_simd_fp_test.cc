// Random-instruction differential test of the Advanced SIMD floating-point
// groups against qemu-aarch64 (diff_harness.h, docs/cpu/testing.md): three
// same (vector, pairwise, scalar), two-register misc (FRINT*, conversions,
// compares against zero, estimates, FCVTN/FCVTL/FCVTXN), by element, across
// lanes and scalar pairwise, and the fixed-point shift-immediate forms.
// Operands come from Rng::fp_vector (NaNs with payloads, signalling NaNs,
// infinities, zeros, denormals, range edges), the integer conversions get
// boundary integers, and every case runs under a random FPCR (RMode, FZ, DN,
// AHP) with a random FPSR. Encodings cover Q, sz, every opcode of the group
// and all register numbers (Vd == Vn, Vn == Vm included); reserved and
// FEAT_FP16 encodings are checked separately for UNDEFINED on our CPU (a
// SIGILL would end the generated program under qemu).
#include <gtest/gtest.h>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/fp/fp.h"
#include "cpu/arm64/handlers.h"
#include "unit/cpu/diff_groups.h"
#include "unit/cpu/simd_test_util.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 3000;
constexpr Options kFp{.fp = true};

// Register numbers with a fair share of aliasing (Vd == Vn, Vn == Vm).
struct Regs {
  unsigned d, n, m;
};
Regs regs(Rng& r) {
  Regs g{reg(r), reg(r), reg(r)};
  if (r.chance(15)) g.d = g.n;
  if (r.chance(10)) g.m = g.n;
  if (r.chance(5)) g.d = g.m;
  return g;
}

// A lane of `esize` bits for an integer -> FP conversion: boundary integers
// (INT_MIN, powers of two, values just beyond the significand) or FP-like
// patterns.
uint64_t int_lane(Rng& r, unsigned esize) {
  uint64_t mask = lane_mask(esize);
  switch (r.below(5)) {
    case 0:
      return r.value() & mask;
    case 1: {  // around 2^k: where conversions round
      uint64_t v = (1ull << r.below(esize)) + (r.next() >> r.below(64)) % 16 - 8;
      return (r.chance(50) ? v : 0 - v) & mask;
    }
    case 2:
      return (r.next() >> r.below(esize)) & mask;
    default:
      return r.fp_bits(esize) & mask;
  }
}
u128 int_vector(Rng& r, unsigned esize) {
  return vector_of(r, esize, int_lane);
}

// --- three same -------------------------------------------------------------------------

// An FP three-same opcode: U, size<1> ("a") and opcode<4:0>.
struct Form {
  unsigned u, a, opcode;
};

// Every v8.0 vector FP three-same form (FMLAL/FMLSL of FEAT_FHM left out).
constexpr Form kThreeSameArith[] = {
    {0, 0, 0x19}, {0, 0, 0x1a}, {0, 0, 0x1b}, {0, 1, 0x19}, {0, 1, 0x1a},
    {1, 0, 0x1b}, {1, 0, 0x1f}, {1, 1, 0x1a},  // FMLA FADD FMULX FMLS FSUB FMUL FDIV FABD
};
constexpr Form kThreeSameMinMax[] = {
    {0, 0, 0x18}, {0, 0, 0x1e}, {0, 1, 0x18}, {0, 1, 0x1e},  // FMAXNM FMAX FMINNM FMIN
    {1, 0, 0x18}, {1, 0, 0x1a}, {1, 0, 0x1e},                // FMAXNMP FADDP FMAXP
    {1, 1, 0x18}, {1, 1, 0x1e},                              // FMINNMP FMINP
};
constexpr Form kThreeSameCmpStep[] = {
    {0, 0, 0x1c}, {1, 0, 0x1c}, {1, 1, 0x1c},  // FCMEQ FCMGE FCMGT
    {1, 0, 0x1d}, {1, 1, 0x1d},                // FACGE FACGT
    {0, 0, 0x1f}, {0, 1, 0x1f},                // FRECPS FRSQRTS
};
constexpr Form kThreeSameScalar[] = {
    {0, 0, 0x1b}, {0, 0, 0x1c}, {0, 0, 0x1f}, {0, 1, 0x1f}, {1, 0, 0x1c},
    {1, 0, 0x1d}, {1, 1, 0x1a}, {1, 1, 0x1c}, {1, 1, 0x1d},
};

// Q and sz of a vector form: 64-bit lanes need Q = 1.
void vector_q_sz(Rng& r, unsigned& q, unsigned& sz) {
  sz = r.below(2);
  q = sz ? 1 : r.below(2);
}

template <size_t N>
void gen_three_same(Rng& r, Case& c, const Form (&forms)[N], bool scalar) {
  const Form& f = forms[r.below(N)];
  unsigned q, sz;
  vector_q_sz(r, q, sz);
  Regs g = regs(r);
  uint32_t base = scalar ? 0x5e200400u : 0x0e200400u | q << 30;
  c.insn = base | f.u << 29 | f.a << 23 | sz << 22 | g.m << 16 | f.opcode << 11 | g.n << 5 | g.d;
  unsigned esize = sz ? 64 : 32;
  c.in.v[g.d] = r.fp_vector(esize);
  c.in.v[g.n] = r.fp_vector(esize);
  c.in.v[g.m] = r.fp_vector(esize);
  if (r.chance(10)) c.in.v[g.m] = c.in.v[g.n];  // equal operands
  fp_state(r, c);
}

void gen_three_same_arith(Rng& r, const CaseContext&, Case& c) {
  gen_three_same(r, c, kThreeSameArith, false);
}
void gen_three_same_minmax(Rng& r, const CaseContext&, Case& c) {
  gen_three_same(r, c, kThreeSameMinMax, false);
}
void gen_three_same_cmp_step(Rng& r, const CaseContext&, Case& c) {
  gen_three_same(r, c, kThreeSameCmpStep, false);
}
void gen_three_same_scalar(Rng& r, const CaseContext&, Case& c) {
  gen_three_same(r, c, kThreeSameScalar, true);
}

// --- two-register misc ------------------------------------------------------------------

enum Operand { kFpIn, kIntIn, kHalfIn };
struct MiscForm {
  unsigned u, a, opcode;
  Operand in = kFpIn;
  int sz = -1;  // fixed sz, or -1 for either
};

constexpr MiscForm kMiscRound[] = {
    {0, 0, 0x18}, {0, 0, 0x19}, {0, 1, 0x18}, {0, 1, 0x19},  // FRINTN FRINTM FRINTP FRINTZ
    {1, 0, 0x18}, {1, 0, 0x19}, {1, 1, 0x19},                // FRINTA FRINTX FRINTI
};
// FCVT[NMAPZ][SU] (the same opcodes in the vector and scalar encodings).
constexpr MiscForm kMiscToInt[] = {
    {0, 0, 0x1a}, {0, 0, 0x1b}, {0, 0, 0x1c}, {0, 1, 0x1a}, {0, 1, 0x1b},
    {1, 0, 0x1a}, {1, 0, 0x1b}, {1, 0, 0x1c}, {1, 1, 0x1a}, {1, 1, 0x1b},
};
constexpr MiscForm kMiscFromInt[] = {{0, 0, 0x1d, kIntIn}, {1, 0, 0x1d, kIntIn}};  // SCVTF UCVTF
// FCMGT FCMEQ FCMLT FCMGE FCMLE (zero); then FABS FNEG FSQRT (vector only).
constexpr MiscForm kMiscCmpZero[] = {
    {0, 1, 0x0c}, {0, 1, 0x0d}, {0, 1, 0x0e}, {1, 1, 0x0c}, {1, 1, 0x0d},
};
constexpr MiscForm kMiscSignSqrt[] = {{0, 1, 0x0f}, {1, 1, 0x0f}, {1, 1, 0x1f}};
// FRECPE FRSQRTE (vector and scalar), URECPE URSQRTE (vector, S only).
constexpr MiscForm kMiscEstimate[] = {
    {0, 1, 0x1d}, {1, 1, 0x1d}, {0, 1, 0x1c, kIntIn, 0}, {1, 1, 0x1c, kIntIn, 0}};
constexpr MiscForm kMiscEstimateScalar[] = {
    {0, 1, 0x1d}, {1, 1, 0x1d}, {0, 1, 0x1f}};  // FRECPE FRSQRTE FRECPX
// FCVTN (sz 0: single -> half), FCVTL (sz 0: half -> single), FCVTXN (D only).
constexpr MiscForm kMiscNarrowWiden[] = {{0, 0, 0x16}, {0, 0, 0x17}, {1, 0, 0x16, kFpIn, 1}};

void gen_misc_form(Rng& r, Case& c, const MiscForm& f, bool scalar) {
  unsigned sz = f.sz >= 0 ? static_cast<unsigned>(f.sz) : r.below(2);
  unsigned q = sz ? 1 : r.below(2);
  bool narrow_widen =
      !f.u ? (f.a == 0 && (f.opcode == 0x16 || f.opcode == 0x17)) : (f.a == 0 && f.opcode == 0x16);
  if (narrow_widen) q = r.below(2);  // Q selects the half, any sz
  Regs g = regs(r);
  uint32_t base = scalar ? 0x5e200800u : 0x0e200800u | q << 30;
  c.insn = base | f.u << 29 | f.a << 23 | sz << 22 | f.opcode << 12 | g.n << 5 | g.d;
  unsigned esize = sz ? 64 : 32;
  if (f.in == kIntIn)
    c.in.v[g.n] = int_vector(r, esize);
  else if (narrow_widen && !f.u && f.opcode == 0x17)  // FCVTL: half or single lanes
    c.in.v[g.n] = r.fp_vector(sz ? 32 : 16);
  else
    c.in.v[g.n] = r.fp_vector(esize);
  if (g.d != g.n) c.in.v[g.d] = r.fp_vector(esize);
  fp_state(r, c);
}

template <size_t N>
void gen_misc(Rng& r, Case& c, const MiscForm (&forms)[N], bool scalar) {
  gen_misc_form(r, c, forms[r.below(N)], scalar);
}

void gen_misc_round(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscRound, false);
}
void gen_misc_to_int(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscToInt, r.chance(35));
}
void gen_misc_from_int(Rng& r, const CaseContext&, Case& c) {
  gen_misc(r, c, kMiscFromInt, r.chance(35));
}
void gen_misc_cmp_sign(Rng& r, const CaseContext&, Case& c) {
  if (r.chance(60))
    gen_misc(r, c, kMiscCmpZero, r.chance(35));
  else
    gen_misc(r, c, kMiscSignSqrt, false);
}
void gen_misc_estimate(Rng& r, const CaseContext&, Case& c) {
  if (r.chance(35))
    gen_misc(r, c, kMiscEstimateScalar, true);
  else
    gen_misc(r, c, kMiscEstimate, false);
}
void gen_misc_narrow_widen(Rng& r, const CaseContext&, Case& c) {
  if (r.chance(20))
    gen_misc_form(r, c, kMiscNarrowWiden[2], true);  // FCVTXN Sd, Dn
  else
    gen_misc(r, c, kMiscNarrowWiden, false);
}

// --- by element ------------------------------------------------------------------------------

void gen_by_element(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kOps[][2] = {{0, 0x1}, {0, 0x5}, {0, 0x9}, {1, 0x9}};  // U, opcode
  const auto& op = kOps[r.below(4)];
  bool scalar = r.chance(30);
  unsigned q, sz;
  vector_q_sz(r, q, sz);
  unsigned h = r.below(2), l = sz ? 0 : r.below(2);
  Regs g = regs(r);  // m is M:Rm, all 32 registers
  uint32_t base = scalar ? 0x5f800000u : 0x0f800000u | q << 30;
  c.insn =
      base | op[0] << 29 | sz << 22 | l << 21 | g.m << 16 | op[1] << 12 | h << 11 | g.n << 5 | g.d;
  unsigned esize = sz ? 64 : 32;
  c.in.v[g.d] = r.fp_vector(esize);
  c.in.v[g.n] = r.fp_vector(esize);
  c.in.v[g.m] = r.fp_vector(esize);
  fp_state(r, c);
}

// --- across lanes and scalar pairwise ---------------------------------------------------

void gen_across_pairwise(Rng& r, const CaseContext&, Case& c) {
  Regs g = regs(r);
  if (r.chance(50)) {  // FMAXNMV FMAXV FMINNMV FMINV: 4S
    static constexpr unsigned kOpcode[] = {0x0c, 0x0f};
    c.insn = 0x6e300800u | r.below(2) << 23 | kOpcode[r.below(2)] << 12 | g.n << 5 | g.d;
    c.in.v[g.n] = r.fp_vector(32);
  } else {  // FMAXNMP FADDP FMAXP | FMINNMP FMINP (scalar)
    static constexpr unsigned kOps[][2] = {{0, 0x0c}, {0, 0x0d}, {0, 0x0f}, {1, 0x0c}, {1, 0x0f}};
    const auto& op = kOps[r.below(5)];
    unsigned sz = r.below(2);
    c.insn = 0x7e300800u | op[0] << 23 | sz << 22 | op[1] << 12 | g.n << 5 | g.d;
    c.in.v[g.n] = r.fp_vector(sz ? 64 : 32);
  }
  fp_state(r, c);
}

// --- shift by immediate: fixed-point conversions ---------------------------------------

void gen_shift_fixed(Rng& r, const CaseContext&, Case& c) {
  bool scalar = r.chance(35), to_fixed = r.chance(50);
  unsigned q, sz;
  vector_q_sz(r, q, sz);
  unsigned esize = sz ? 64 : 32;
  unsigned immhb = esize + r.below(esize);  // immh = 01xx (S) or 1xxx (D)
  Regs g = regs(r);
  uint32_t base = scalar ? 0x5f000400u : 0x0f000400u | q << 30;
  c.insn =
      base | r.below(2) << 29 | immhb << 16 | (to_fixed ? 0x1fu : 0x1cu) << 11 | g.n << 5 | g.d;
  c.in.v[g.n] = to_fixed ? r.fp_vector(esize) : int_vector(r, esize);
  fp_state(r, c);
}

const Group kGroups[] = {
    {"three_same_fp_arith", kFp, gen_three_same_arith},
    {"three_same_fp_minmax", kFp, gen_three_same_minmax},
    {"three_same_fp_cmp_step", kFp, gen_three_same_cmp_step},
    {"three_same_fp_scalar", kFp, gen_three_same_scalar},
    {"misc_fp_round", kFp, gen_misc_round},
    {"misc_fp_to_int", kFp, gen_misc_to_int},
    {"misc_fp_from_int", kFp, gen_misc_from_int},
    {"misc_fp_cmp_sign", kFp, gen_misc_cmp_sign},
    {"misc_fp_estimate", kFp, gen_misc_estimate},
    {"misc_fp_narrow_widen", kFp, gen_misc_narrow_widen},
    {"by_element_fp", kFp, gen_by_element},
    {"across_pairwise_fp", kFp, gen_across_pairwise},
    {"shift_fixed_fp", kFp, gen_shift_fixed},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffSimdFp, kGroups, kDefaultCases);

// --- reserved encodings -------------------------------------------------------------------

TEST(SimdFpReserved, UndefinedEncodings) {
  static constexpr Probe kUndefined[] = {
      {0x0e60d420, "fadd v0.1d, v1.1d, v0.1d (sz=1, Q=0)"},
      {0x4e401420, "fadd v0.8h (FEAT_FP16)"},
      {0x5e401c20, "fmulx h0 (FEAT_FP16)"},
      {0x0ee1f820, "fabs v0.1d (sz=1, Q=0)"},
      {0x4ef8f820, "fabs v0.8h (FEAT_FP16)"},
      {0x5ef9d820, "frecpe h0 (FEAT_FP16)"},
      {0x2e216820, "fcvtxn with sz=0"},
      {0x0e30c820, "fmaxnmv h0, v1.4h (FEAT_FP16)"},
      {0x2e30c820, "fmaxnmv s0, v1.2s (Q=0)"},
      {0x6e70c820, "fmaxnmv with sz=1"},
      {0x5e30d820, "faddp h0, v1.2h (FEAT_FP16)"},
      {0x0fe01020, "fmla v0.1d by element (Q=0)"},
      {0x4fe01020, "fmla v0.2d by element with L=1"},
      {0x4f001020, "fmla v0.8h by element (FEAT_FP16)"},
      {0x5fe01020, "fmla d0 by element with L=1"},
      {0x0f40e420, "scvtf v0.1d, #fbits (Q=0)"},
      {0x4f10e420, "scvtf v0.8h, #fbits (immh=001x, FEAT_FP16)"},
      {0x5f10e420, "scvtf h0, #fbits (FEAT_FP16)"},
      {0x6ee1c820, "ursqrte with sz=1"},
  };
  expect_exception_of(kUndefined, 0x00);
  // Controls: the neighbouring valid encodings execute.
  static constexpr Probe kValid[] = {
      {0x4e60d420, "fadd v0.2d"},        {0x0e20d420, "fadd v0.2s"},
      {0x6e30c820, "fmaxnmv s0, v1.4s"}, {0x4fc01020, "fmla v0.2d, v1.2d, v0.d[0]"},
      {0x4f40e420, "scvtf v0.2d, #64"},  {0x7e70d820, "faddp d0, v1.2d"},
      {0x6e616820, "fcvtxn2 v0.4s"},     {0x0ea1c820, "urecpe v0.2s"},
  };
  expect_exception_of(kValid, -1);
}

// The FP access trap: with CPACR_EL1.FPEN clear a valid FP SIMD encoding
// takes EC 0x07, not UNDEFINED.
TEST(SimdFpReserved, TrapsWhenFpDisabled) {
  Core c;
  init_core(c);
  c.sys.cpacr = 0;
  EXPECT_EQ(execute(c, 0x4e60d420), 0x07);  // fadd v0.2d, v1.2d, v0.2d
}

// --- corners the random operands rarely reach ----------------------------------------

u128 lanes32(uint32_t l0, uint32_t l1, uint32_t l2, uint32_t l3) {
  return u128{l3} << 96 | u128{l2} << 64 | u128{l1} << 32 | l0;
}
constexpr uint32_t kOne = 0x3f800000, kTwo = 0x40000000;

// Reduce() pairs the halves first: max(max(e0, e1), max(e2, e3)). With a
// quiet NaN in e0 and a signalling NaN in e3 the quiet NaN wins (both are
// quiet by the last step); a left-to-right fold would return e3 quietened.
TEST(SimdFpCorners, AcrossLanesReductionOrder) {
  Core c;
  init_core(c);
  c.v[1] = lanes32(0x7fc00011, kOne, kTwo, 0x7f800022);
  ASSERT_EQ(execute(c, 0x6e30f820), -1);  // fmaxv s0, v1.4s
  EXPECT_EQ(c.v[0], u128{0x7fc00011});
  EXPECT_EQ(c.fpsr, fp::fpsr::kIoc);  // from the signalling NaN
}

// FCVTXN rounds to odd: 1 + 2^-30 has no single; the truncated value gets
// its lowest bit set. FCVTXN2 keeps the lower half of Vd.
TEST(SimdFpCorners, FcvtxnRoundsToOdd) {
  Core c;
  init_core(c);
  uint64_t one_plus = 0x3ff0000000000000ull | 1ull << 22;  // 1 + 2^-30
  uint64_t two = 0x4000000000000000ull;
  c.v[1] = u128{two} << 64 | one_plus;
  c.v[0] = lanes32(0x11111111, 0x22222222, 0x33333333, 0x44444444);
  ASSERT_EQ(execute(c, 0x6e616820), -1);  // fcvtxn2 v0.4s, v1.2d
  EXPECT_EQ(c.v[0], lanes32(0x11111111, 0x22222222, kOne | 1, kTwo));
  EXPECT_EQ(c.fpsr, fp::fpsr::kIxc);
  c.fpsr = 0;
  ASSERT_EQ(execute(c, 0x0e616820), -1);  // fcvtn v0.2s, v1.2d: FPCR rounding
  EXPECT_EQ(c.v[0], lanes32(kOne, kTwo, 0, 0));
  EXPECT_EQ(c.fpsr, fp::fpsr::kIxc);
}

// FMLS negates the first multiplicand before NaN propagation: the NaN comes
// back with its sign flipped.
TEST(SimdFpCorners, FmlsNegatesNanOperand) {
  Core c;
  init_core(c);
  c.v[0] = lanes32(kOne, kOne, kOne, kOne);
  c.v[1] = lanes32(0x7fc00005, kTwo, kOne, kOne);
  c.v[2] = lanes32(kOne, kOne, kOne, kOne);
  ASSERT_EQ(execute(c, 0x4ea2cc20), -1);  // fmls v0.4s, v1.4s, v2.4s
  // 1 - 2 * 1 = -1; 1 - 1 * 1 = +0.
  EXPECT_EQ(c.v[0], lanes32(0xffc00005, 0xbf800000, 0, 0));
  EXPECT_EQ(c.fpsr, 0u);
}

// By element with the highest index of the last register: v31.s[3] (H:L = 11).
TEST(SimdFpCorners, ByElementHighIndex) {
  Core c;
  init_core(c);
  c.v[31] = lanes32(0, 0, 0, kTwo);
  c.v[1] = lanes32(kOne, kTwo, 0x40400000, 0x40800000);  // 1 2 3 4
  ASSERT_EQ(execute(c, 0x0fbf9820), -1);                 // fmul v0.2s, v1.2s, v31.s[3]
  EXPECT_EQ(c.v[0], lanes32(kTwo, 0x40800000, 0, 0));    // Q = 0: upper half cleared
}

}  // namespace
}  // namespace vmapple::arm64::test::diff
