// Random-instruction differential test of the scalar floating-point groups
// against qemu-aarch64 (diff_harness.h, docs/cpu/testing.md): 1-source
// (FMOV/FABS/FNEG/FSQRT/FRINT*), FCVT between all precisions, 2-source,
// 3-source (FMADD family), FCMP/FCMPE, FCCMP/FCCMPE/FCSEL, FP <-> integer,
// FP <-> fixed point and FMOV (immediate, general). Operands come from
// Rng::fp_bits (NaNs with payloads, signalling NaNs, infinities, zeros,
// denormals, range and integer-conversion edges) and boundary integers;
// every case runs under a random FPCR (RMode, FZ, DN, AHP) and FPSR.
// Encodings cover ftype single/double, every opcode and all register numbers
// (aliasing included). Half-precision arithmetic (FEAT_FP16) and other
// reserved encodings would be SIGILL under qemu, so they are checked
// separately for UNDEFINED on our CPU.
#include <gtest/gtest.h>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "unit/cpu/diff_groups.h"
#include "unit/cpu/simd_test_util.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 4000;
constexpr Options kFp{.fp = true};

// Register numbers with some aliasing (Vd == Vn, Vn == Vm, Va == Vn).
struct Regs {
  unsigned d, n, m, a;
};
Regs regs(Rng& r) {
  Regs g{reg(r), reg(r), reg(r), reg(r)};
  if (r.chance(15)) g.d = g.n;
  if (r.chance(10)) g.m = g.n;
  if (r.chance(5)) g.a = g.n;
  return g;
}

unsigned esize_of(unsigned ftype) {
  return ftype == 0 ? 32 : ftype == 1 ? 64 : 16;
}

// Scalar operand in the low lane; the rest of the register random (it must
// not matter and the result must clear it).
void fp_operand(Rng& r, Case& c, unsigned v, unsigned esize) {
  unsigned __int128 hi = static_cast<unsigned __int128>(r.next()) << 64 | r.next();
  uint64_t mask = lane_mask(esize);
  c.in.v[v] = (hi & ~static_cast<unsigned __int128>(mask)) | (r.fp_bits(esize) & mask);
}

// A 64-bit register value for integer -> FP: boundary integers, values
// around 2^k (where conversions round) and random ones.
uint64_t int_value(Rng& r) {
  switch (r.below(4)) {
    case 0: {
      uint64_t v = (1ull << r.below(64)) + r.below(16) - 8;
      return r.chance(50) ? v : 0 - v;
    }
    case 1:
      return r.next() >> r.below(64);
    default:
      return r.value();
  }
}

// --- 1 source and FCVT -----------------------------------------------------------------

void gen_1src(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kOpcodes[] = {0x00, 0x01, 0x02, 0x03, 0x08, 0x09,
                                          0x0a, 0x0b, 0x0c, 0x0e, 0x0f};
  unsigned ftype = r.below(2), op = kOpcodes[r.below(std::size(kOpcodes))];
  Regs g = regs(r);
  fp_operand(r, c, g.n, esize_of(ftype));
  fp_state(r, c);
  c.insn = 0x1e204000u | ftype << 22 | op << 15 | g.n << 5 | g.d;
}

void gen_fcvt(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kPairs[][2] = {{0, 1}, {0, 3}, {1, 0}, {1, 3}, {3, 0}, {3, 1}};
  const auto& p = kPairs[r.below(6)];
  Regs g = regs(r);
  fp_operand(r, c, g.n, esize_of(p[0]));
  fp_state(r, c);
  c.insn = 0x1e224000u | p[0] << 22 | p[1] << 15 | g.n << 5 | g.d;
}

// --- 2 and 3 source ------------------------------------------------------------------------

void gen_2src(Rng& r, const CaseContext&, Case& c) {
  unsigned ftype = r.below(2), op = r.below(9);  // FMUL..FNMUL
  Regs g = regs(r);
  fp_operand(r, c, g.n, esize_of(ftype));
  if (g.m != g.n) fp_operand(r, c, g.m, esize_of(ftype));
  fp_state(r, c);
  c.insn = 0x1e200800u | ftype << 22 | g.m << 16 | op << 12 | g.n << 5 | g.d;
}

void gen_3src(Rng& r, const CaseContext&, Case& c) {
  unsigned ftype = r.below(2), o1 = r.below(2), o0 = r.below(2);
  Regs g = regs(r);
  unsigned es = esize_of(ftype);
  fp_operand(r, c, g.n, es);
  if (g.m != g.n) fp_operand(r, c, g.m, es);
  if (g.a != g.n && g.a != g.m) fp_operand(r, c, g.a, es);
  // The inf * 0 + NaN corner: make some products exactly inf * 0.
  if (r.chance(5) && g.n != g.m) {
    uint64_t inf = es == 32 ? 0x7f800000u : 0x7ff0000000000000ull;
    c.in.v[g.n] = inf | (uint64_t{r.below(2)} << (es - 1));
    c.in.v[g.m] = uint64_t{r.below(2)} << (es - 1);
  }
  fp_state(r, c);
  c.insn = 0x1f000000u | ftype << 22 | o1 << 21 | g.m << 16 | o0 << 15 | g.a << 10 | g.n << 5 | g.d;
}

// --- compares and selects --------------------------------------------------------------------

void gen_compare(Rng& r, const CaseContext&, Case& c) {
  unsigned ftype = r.below(2), signal = r.below(2), zero = r.below(4) == 0;
  Regs g = regs(r);
  fp_operand(r, c, g.n, esize_of(ftype));
  if (g.m != g.n) fp_operand(r, c, g.m, esize_of(ftype));
  if (zero) g.m = 0;  // Rm is should-be-zero in the #0.0 forms
  fp_state(r, c);
  c.insn = 0x1e202000u | ftype << 22 | g.m << 16 | g.n << 5 | signal << 4 | zero << 3;
}

void gen_ccmp_csel(Rng& r, const CaseContext&, Case& c) {
  unsigned ftype = r.below(2), cond = r.below(16);
  Regs g = regs(r);
  fp_operand(r, c, g.n, esize_of(ftype));
  if (g.m != g.n) fp_operand(r, c, g.m, esize_of(ftype));
  fp_state(r, c);
  if (r.chance(65))  // FCCMP / FCCMPE
    c.insn = 0x1e200400u | ftype << 22 | g.m << 16 | cond << 12 | g.n << 5 | r.below(2) << 4 |
             r.below(16);
  else  // FCSEL
    c.insn = 0x1e200c00u | ftype << 22 | g.m << 16 | cond << 12 | g.n << 5 | g.d;
}

// --- conversions ----------------------------------------------------------------------------

void gen_int(Rng& r, const CaseContext&, Case& c) {
  // {rmode, opcode}: FCVTN/A/P/M/Z S/U and SCVTF/UCVTF.
  static constexpr unsigned kForms[][2] = {{0, 0}, {0, 1}, {0, 4}, {0, 5}, {1, 0}, {1, 1},
                                           {2, 0}, {2, 1}, {3, 0}, {3, 1}, {0, 2}, {0, 3}};
  const auto& f = kForms[r.below(std::size(kForms))];
  unsigned sf = r.below(2), ftype = r.below(2);
  Regs g = regs(r);
  if (f[1] == 2 || f[1] == 3) {  // from an integer register
    if (g.n != 31) c.in.x[g.n] = int_value(r);
  } else {
    fp_operand(r, c, g.n, esize_of(ftype));
  }
  fp_state(r, c);
  c.insn = sf << 31 | 0x1e200000u | ftype << 22 | f[0] << 19 | f[1] << 16 | g.n << 5 | g.d;
}

void gen_fixed(Rng& r, const CaseContext&, Case& c) {
  // {rmode, opcode}: SCVTF, UCVTF, FCVTZS, FCVTZU.
  static constexpr unsigned kForms[][2] = {{0, 2}, {0, 3}, {3, 0}, {3, 1}};
  const auto& f = kForms[r.below(4)];
  unsigned sf = r.below(2), ftype = r.below(2);
  unsigned scale = sf ? r.below(64) : 32 + r.below(32);
  if (r.chance(10)) scale = sf ? 0 : 32;  // fbits = 64 / 32: the largest scale
  Regs g = regs(r);
  if (f[1] >= 2) {
    if (g.n != 31) c.in.x[g.n] = int_value(r);
  } else {
    fp_operand(r, c, g.n, esize_of(ftype));
  }
  fp_state(r, c);
  c.insn =
      sf << 31 | 0x1e000000u | ftype << 22 | f[0] << 19 | f[1] << 16 | scale << 10 | g.n << 5 | g.d;
}

// FMOV (scalar, immediate) and FMOV (general) in every direction.
void gen_fmov(Rng& r, const CaseContext&, Case& c) {
  Regs g = regs(r);
  fp_state(r, c);
  if (r.chance(40)) {
    c.insn = 0x1e201000u | r.below(2) << 22 | r.below(256) << 13 | g.d;
    return;
  }
  static constexpr uint32_t kGen[] = {
      0x1e260000u,  // fmov w, s
      0x1e270000u,  // fmov s, w
      0x9e660000u,  // fmov x, d
      0x9e670000u,  // fmov d, x
      0x9eae0000u,  // fmov x, v.d[1]
      0x9eaf0000u,  // fmov v.d[1], x
  };
  c.insn = kGen[r.below(6)] | g.n << 5 | g.d;
}

const Group kGroups[] = {
    {"fp_1src", kFp, gen_1src},       {"fp_fcvt", kFp, gen_fcvt},
    {"fp_2src", kFp, gen_2src},       {"fp_3src", kFp, gen_3src},
    {"fp_compare", kFp, gen_compare}, {"fp_ccmp_csel", kFp, gen_ccmp_csel},
    {"fp_int", kFp, gen_int},         {"fp_fixed", kFp, gen_fixed},
    {"fp_fmov", kFp, gen_fmov},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffFpScalar, kGroups, kDefaultCases);

// --- reserved encodings ------------------------------------------------------------------

TEST(FpScalarReserved, HalfPrecisionArithmeticIsUndefined) {
  static constexpr Probe kUndefined[] = {
      {0x1ee22820, "fadd h0, h1, h2"},      {0x1ee04020, "fmov h0, h1"},
      {0x1ef80020, "fcvtzs w0, h1"},        {0x1ee20020, "scvtf h0, w1"},
      {0x1fc20c20, "fmadd h0, h1, h2, h3"}, {0x1ee12000, "fcmp h0, h1"},
      {0x1eee1000, "fmov h0, #1.0"},        {0x1ee20c20, "fcsel h0, h1, h2, eq"},
      {0x1ee20420, "fccmp h1, h2, #0, eq"}, {0x1e284020, "frint32z s0, s1 (v8.5)"},
      {0x1ee1c020, "fsqrt h0, h1"},         {0x1ed8f420, "fcvtzs w0, h1, #3"},
      {0x1ee26820, "fmaxnm h0, h1, h2"},    {0x1ee44020, "frintn h0, h1"},
      {0x1ea22820, "fadd with ftype = 10"},
  };
  expect_exception_of(kUndefined, 0x00);
  // Controls: the single/double neighbours and the v8.0 half conversions run.
  static constexpr Probe kValid[] = {
      {0x1e222820, "fadd s0, s1, s2"}, {0x1e23c020, "fcvt h0, s1"}, {0x1ee24020, "fcvt s0, h1"},
      {0x1e63c020, "fcvt h0, d1"},     {0x1ee2c020, "fcvt d0, h1"}, {0x1e624020, "fcvt s0, d1"},
  };
  expect_exception_of(kValid, -1);
}

TEST(FpScalarReserved, ScalarWritesClearTheRestOfTheRegister) {
  Core c;
  init_core(c);
  c.v[0] = ~static_cast<unsigned __int128>(0);
  c.v[1] = static_cast<unsigned __int128>(0x3f800000u);         // 1.0f
  c.v[2] = static_cast<unsigned __int128>(0x40000000u);         // 2.0f
  HandlerTable::instance()[decode(0x1e222820)](c, 0x1e222820);  // fadd s0, s1, s2
  EXPECT_EQ(c.v[0], static_cast<unsigned __int128>(0x40400000u));
  c.v[0] = ~static_cast<unsigned __int128>(0);
  HandlerTable::instance()[decode(0x1e23c020)](c, 0x1e23c020);  // fcvt h0, s1
  EXPECT_EQ(c.v[0], static_cast<unsigned __int128>(0x3c00u));
}

}  // namespace
}  // namespace vmapple::arm64::test::diff
