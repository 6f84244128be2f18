// Floating-point (scalar) data processing: conversions to/from integers and
// fixed point, FCVT between precisions, 1-, 2- and 3-source arithmetic,
// compares, FCCMP, FCSEL and FMOV (register/immediate). Every value goes
// through the fp:: library; single (ftype 00) and double (01) only, since
// half-precision arithmetic (ftype 11) is FEAT_FP16, which this CPU does not
// implement (only FCVT to/from half exists in v8.0).
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

template <class F>
constexpr unsigned kBits = sizeof(F) * 8;

template <class F>
F read_fp(const Core& c, unsigned n) {
  return static_cast<F>(vscalar(c, n, kBits<F>));
}
template <class F>
void write_fp(Core& c, unsigned d, F v) {
  set_vscalar(c, d, kBits<F>, v);
}

// Calls body(F{}) with F = uint32_t (single) or uint64_t (double) after
// the FP enable check; other ftypes are UNDEFINED.
template <class Body>
void by_ftype(Core& c, uint32_t insn, Body&& body) {
  unsigned ftype = bits(insn, 23, 22);
  if (ftype > 1) c.undefined();
  c.check_fp_enabled();
  if (ftype == 0)
    body(uint32_t{});
  else
    body(uint64_t{});
}

unsigned rd_(uint32_t insn) {
  return bits(insn, 4, 0);
}
unsigned rn_(uint32_t insn) {
  return bits(insn, 9, 5);
}
unsigned rm_(uint32_t insn) {
  return bits(insn, 20, 16);
}

// --- 1 source -------------------------------------------------------------------

template <class Fn>
void one_source(Core& c, uint32_t insn, Fn&& fn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    F a = read_fp<F>(c, rn_(insn));
    F r{};
    with_fp_env(c, [&](fp::Env& env) { r = fn(a, env); });
    write_fp<F>(c, rd_(insn), r);
  });
}

void exec_fmov_reg(Core& c, uint32_t insn) {
  one_source(c, insn, [](auto a, fp::Env&) { return a; });
}
void exec_fabs(Core& c, uint32_t insn) {
  one_source(c, insn, [](auto a, fp::Env&) { return fp::abs(a); });
}
void exec_fneg(Core& c, uint32_t insn) {
  one_source(c, insn, [](auto a, fp::Env&) { return fp::neg(a); });
}
void exec_fsqrt(Core& c, uint32_t insn) {
  one_source(c, insn, [](auto a, fp::Env& env) { return fp::sqrt(a, env); });
}

template <fp::Rounding R, bool kFromFpcr, bool kExact>
void exec_frint(Core& c, uint32_t insn) {
  one_source(c, insn, [](auto a, fp::Env& env) {
    return fp::round_int(a, kFromFpcr ? env.rounding : R, kExact, env);
  });
}

// FCVT: ftype is the source precision, opc (bits 16:15) the destination.
void exec_fcvt(Core& c, uint32_t insn) {
  unsigned src = bits(insn, 23, 22), dst = bits(insn, 16, 15);
  if (src == dst || src == 2 || dst == 2) c.undefined();
  c.check_fp_enabled();
  unsigned n = rn_(insn), d = rd_(insn);
  uint64_t in = vscalar(c, n, src == 0 ? 32 : src == 1 ? 64 : 16);
  uint64_t out = 0;
  with_fp_env(c, [&](fp::Env& env) {
    auto to = [&](auto from) {
      using From = decltype(from);
      switch (dst) {
        case 0:
          out = fp::convert<uint32_t, From>(from, env);
          break;
        case 1:
          out = fp::convert<uint64_t, From>(from, env);
          break;
        default:
          out = fp::convert<uint16_t, From>(from, env);
          break;
      }
    };
    if (src == 0)
      to(static_cast<uint32_t>(in));
    else if (src == 1)
      to(static_cast<uint64_t>(in));
    else
      to(static_cast<uint16_t>(in));
  });
  set_vscalar(c, d, dst == 0 ? 32 : dst == 1 ? 64 : 16, out);
}

// --- 2 source -------------------------------------------------------------------

template <class Fn>
void two_source(Core& c, uint32_t insn, Fn&& fn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    F a = read_fp<F>(c, rn_(insn)), b = read_fp<F>(c, rm_(insn));
    F r{};
    with_fp_env(c, [&](fp::Env& env) { r = fn(a, b, env); });
    write_fp<F>(c, rd_(insn), r);
  });
}

// One handler per 2-source operation: r = expr of a, b under env.
#define VMAPPLE_FP_TWO_SOURCE(name, expr)                                   \
  void name(Core& c, uint32_t insn) {                                       \
    two_source(c, insn, [](auto a, auto b, fp::Env& env) { return expr; }); \
  }

VMAPPLE_FP_TWO_SOURCE(exec_fmul, fp::mul(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fdiv, fp::div(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fadd, fp::add(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fsub, fp::sub(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fmax, fp::max(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fmin, fp::min(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fmaxnm, fp::maxnm(a, b, env))
VMAPPLE_FP_TWO_SOURCE(exec_fminnm, fp::minnm(a, b, env))
// FNMUL negates the rounded product (a NaN result too).
VMAPPLE_FP_TWO_SOURCE(exec_fnmul, fp::neg(fp::mul(a, b, env)))

#undef VMAPPLE_FP_TWO_SOURCE

// --- 3 source -------------------------------------------------------------------

// FMADD/FMSUB/FNMADD/FNMSUB: FPMulAdd(a', n', m) where a' = -a for the N
// forms and n' = -n when o0 != o1; the negations are sign flips that apply
// to NaN operands too.
template <bool kNegAddend, bool kNegProduct>
void exec_fmadd_family(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    F n = read_fp<F>(c, rn_(insn)), m = read_fp<F>(c, rm_(insn));
    F a = read_fp<F>(c, bits(insn, 14, 10));
    if (kNegAddend) a = fp::neg(a);
    if (kNegProduct) n = fp::neg(n);
    F r{};
    with_fp_env(c, [&](fp::Env& env) { r = fp::muladd(a, n, m, env); });
    write_fp<F>(c, rd_(insn), r);
  });
}

// --- compares and selects ----------------------------------------------------------

// FCMP/FCMPE: opc<0> (bit 3) compares with +0.0 (Rm is ignored).
template <bool kSignal>
void exec_fcmp(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    F a = read_fp<F>(c, rn_(insn));
    F b = bit(insn, 3) ? F{0} : read_fp<F>(c, rm_(insn));
    uint32_t flags = 0;
    with_fp_env(c, [&](fp::Env& env) { flags = fp::compare(a, b, kSignal, env); });
    c.nzcv = flags;
  });
}

template <bool kSignal>
void exec_fccmp(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    F a = read_fp<F>(c, rn_(insn)), b = read_fp<F>(c, rm_(insn));
    uint32_t flags = bits(insn, 3, 0) << 28;
    if (c.condition_holds(bits(insn, 15, 12)))
      with_fp_env(c, [&](fp::Env& env) { flags = fp::compare(a, b, kSignal, env); });
    c.nzcv = flags;
  });
}

void exec_fcsel(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    unsigned src = c.condition_holds(bits(insn, 15, 12)) ? rn_(insn) : rm_(insn);
    write_fp<F>(c, rd_(insn), read_fp<F>(c, src));
  });
}

// FMOV (scalar, immediate): VFPExpandImm of imm8.
void exec_fmov_imm(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    uint64_t imm8 = bits(insn, 20, 13);
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, top = imm8 & 0x3f;
    F r;
    if constexpr (sizeof(F) == 4) {
      // exp = NOT(b6):Replicate(b6, 5):imm8<5:4>, frac = imm8<3:0>:Zeros(19)
      uint64_t e = (b6 ^ 1) << 7 | (b6 ? 0x1fu : 0u) << 2 | (top >> 4);
      r = static_cast<F>(sign << 31 | e << 23 | (top & 0xf) << 19);
    } else {
      uint64_t e = (b6 ^ 1) << 10 | (b6 ? 0xffu : 0u) << 2 | (top >> 4);
      r = static_cast<F>(sign << 63 | e << 52 | (top & 0xf) << 48);
    }
    write_fp<F>(c, rd_(insn), r);
  });
}

// --- conversions to/from integers and fixed point ---------------------------------

// FCVT<mode>S/U (integer and, with kFixed, fixed point): V -> W/X.
template <fp::Rounding R, bool kUnsigned, bool kFixed>
void exec_fcvt_to_int(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    unsigned int_bits = bit(insn, 31) ? 64 : 32;
    unsigned fbits = kFixed ? 64 - bits(insn, 15, 10) : 0;
    F a = read_fp<F>(c, rn_(insn));
    uint64_t r = 0;
    with_fp_env(c, [&](fp::Env& env) { r = fp::to_fixed(a, fbits, kUnsigned, int_bits, R, env); });
    c.set_xreg(rd_(insn), r);
  });
}

// SCVTF/UCVTF (integer and fixed point): W/X -> V.
template <bool kUnsigned, bool kFixed>
void exec_cvtf(Core& c, uint32_t insn) {
  by_ftype(c, insn, [&](auto tag) {
    using F = decltype(tag);
    unsigned int_bits = bit(insn, 31) ? 64 : 32;
    unsigned fbits = kFixed ? 64 - bits(insn, 15, 10) : 0;
    uint64_t v = c.xreg(rn_(insn));
    F r{};
    with_fp_env(c,
                [&](fp::Env& env) { r = fp::from_fixed<F>(v, fbits, kUnsigned, int_bits, env); });
    write_fp<F>(c, rd_(insn), r);
  });
}

using R = fp::Rounding;

}  // namespace

void register_fp_data_processing(HandlerTable& t) {
  t[Op::FMOV_reg] = &exec_fmov_reg;
  t[Op::FABS_scalar] = &exec_fabs;
  t[Op::FNEG_scalar] = &exec_fneg;
  t[Op::FSQRT_scalar] = &exec_fsqrt;
  t[Op::FRINTN_scalar] = &exec_frint<R::kTieEven, false, false>;
  t[Op::FRINTP_scalar] = &exec_frint<R::kPosInf, false, false>;
  t[Op::FRINTM_scalar] = &exec_frint<R::kNegInf, false, false>;
  t[Op::FRINTZ_scalar] = &exec_frint<R::kZero, false, false>;
  t[Op::FRINTA_scalar] = &exec_frint<R::kTieAway, false, false>;
  t[Op::FRINTX_scalar] = &exec_frint<R::kTieEven, true, true>;
  t[Op::FRINTI_scalar] = &exec_frint<R::kTieEven, true, false>;
  t[Op::FCVT] = &exec_fcvt;

  t[Op::FMUL_scalar] = &exec_fmul;
  t[Op::FDIV_scalar] = &exec_fdiv;
  t[Op::FADD_scalar] = &exec_fadd;
  t[Op::FSUB_scalar] = &exec_fsub;
  t[Op::FMAX_scalar] = &exec_fmax;
  t[Op::FMIN_scalar] = &exec_fmin;
  t[Op::FMAXNM_scalar] = &exec_fmaxnm;
  t[Op::FMINNM_scalar] = &exec_fminnm;
  t[Op::FNMUL_scalar] = &exec_fnmul;

  t[Op::FMADD] = &exec_fmadd_family<false, false>;
  t[Op::FMSUB] = &exec_fmadd_family<false, true>;
  t[Op::FNMADD] = &exec_fmadd_family<true, true>;
  t[Op::FNMSUB] = &exec_fmadd_family<true, false>;

  t[Op::FCMP] = &exec_fcmp<false>;
  t[Op::FCMPE] = &exec_fcmp<true>;
  t[Op::FCCMP] = &exec_fccmp<false>;
  t[Op::FCCMPE] = &exec_fccmp<true>;
  t[Op::FCSEL] = &exec_fcsel;
  t[Op::FMOV_imm] = &exec_fmov_imm;

  t[Op::FCVTNS_gen] = &exec_fcvt_to_int<R::kTieEven, false, false>;
  t[Op::FCVTNU_gen] = &exec_fcvt_to_int<R::kTieEven, true, false>;
  t[Op::FCVTPS_gen] = &exec_fcvt_to_int<R::kPosInf, false, false>;
  t[Op::FCVTPU_gen] = &exec_fcvt_to_int<R::kPosInf, true, false>;
  t[Op::FCVTMS_gen] = &exec_fcvt_to_int<R::kNegInf, false, false>;
  t[Op::FCVTMU_gen] = &exec_fcvt_to_int<R::kNegInf, true, false>;
  t[Op::FCVTAS_gen] = &exec_fcvt_to_int<R::kTieAway, false, false>;
  t[Op::FCVTAU_gen] = &exec_fcvt_to_int<R::kTieAway, true, false>;
  t[Op::FCVTZS_gen] = &exec_fcvt_to_int<R::kZero, false, false>;
  t[Op::FCVTZU_gen] = &exec_fcvt_to_int<R::kZero, true, false>;
  t[Op::FCVTZS_gen_fix] = &exec_fcvt_to_int<R::kZero, false, true>;
  t[Op::FCVTZU_gen_fix] = &exec_fcvt_to_int<R::kZero, true, true>;
  t[Op::SCVTF_gen] = &exec_cvtf<false, false>;
  t[Op::UCVTF_gen] = &exec_cvtf<true, false>;
  t[Op::SCVTF_gen_fix] = &exec_cvtf<false, true>;
  t[Op::UCVTF_gen_fix] = &exec_cvtf<true, true>;
}

}  // namespace vmapple::arm64
