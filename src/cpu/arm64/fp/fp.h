#pragma once
// Floating-point arithmetic exactly as the Arm ARM's FP pseudocode defines it
// (FPAdd, FPMulAdd, FPRound, FPProcessNaNs, FPToFixed, ...): rounding modes,
// flush-to-zero, default NaN, AArch64 NaN propagation and the cumulative
// FPSR flags. Values are raw IEEE bit patterns: uint16_t half, uint32_t
// single, uint64_t double. The same functions serve scalar FP and every
// Advanced SIMD lane; handlers OR Env::flags into FPSR when they finish.
#include <cstdint>

namespace vmapple::arm64::fp {

// FPSR cumulative exception bits (and QC, which integer saturation sets).
namespace fpsr {
inline constexpr uint32_t kIoc = 1u << 0;
inline constexpr uint32_t kDzc = 1u << 1;
inline constexpr uint32_t kOfc = 1u << 2;
inline constexpr uint32_t kUfc = 1u << 3;
inline constexpr uint32_t kIxc = 1u << 4;
inline constexpr uint32_t kIdc = 1u << 7;
inline constexpr uint32_t kQc = 1u << 27;
}  // namespace fpsr

// FPCR control bits this CPU implements (no FEAT_FP16, no trapping).
namespace fpcr {
inline constexpr uint32_t kAhp = 1u << 26;  // alternative half precision
inline constexpr uint32_t kDn = 1u << 25;   // default NaN
inline constexpr uint32_t kFz = 1u << 24;   // flush to zero
inline constexpr unsigned kRModeShift = 22;
}  // namespace fpcr

// FPRounding of the Arm ARM. The first four are FPCR.RMode's encodings.
enum class Rounding : uint8_t { kTieEven, kPosInf, kNegInf, kZero, kTieAway, kOdd };

inline Rounding rounding_from_fpcr(uint32_t fpcr) {
  return static_cast<Rounding>(fpcr >> fpcr::kRModeShift & 3);
}

// The FPCR an operation runs under and the FPSR flags it raised.
struct Env {
  explicit Env(uint32_t fpcr_value) : fpcr(fpcr_value), rounding(rounding_from_fpcr(fpcr_value)) {}
  uint32_t fpcr;
  Rounding rounding;   // FPCR.RMode unless the instruction names its own
  uint32_t flags = 0;  // fpsr:: bits raised so far
};

// Arithmetic on single (uint32_t) and double (uint64_t).
template <class F>
F add(F a, F b, Env& env);
template <class F>
F sub(F a, F b, Env& env);
template <class F>
F mul(F a, F b, Env& env);
template <class F>
F mulx(F a, F b, Env& env);  // FMULX: 0 x inf = +-2.0
template <class F>
F div(F a, F b, Env& env);
template <class F>
F sqrt(F a, Env& env);
// FPMulAdd: addend + a * b with a single rounding (FMADD, FMLA, ...).
template <class F>
F muladd(F addend, F a, F b, Env& env);
template <class F>
F max(F a, F b, Env& env);
template <class F>
F min(F a, F b, Env& env);
template <class F>
F maxnm(F a, F b, Env& env);
template <class F>
F minnm(F a, F b, Env& env);
template <class F>
F abs(F a);  // sign manipulation only: no flags, NaNs kept
template <class F>
F neg(F a);

// FPCompare: NZCV in bits 31..28 (unordered = 0011). `signal_nans`: FCMPE
// raises Invalid for quiet NaNs too.
template <class F>
uint32_t compare(F a, F b, bool signal_nans, Env& env);
// FPCompareEQ/GE/GT of the vector compares (GE/GT signal on any NaN).
template <class F>
bool compare_eq(F a, F b, Env& env);
template <class F>
bool compare_ge(F a, F b, Env& env);
template <class F>
bool compare_gt(F a, F b, Env& env);

// FPRoundInt (FRINT*): `exact` raises Inexact (FRINTX).
template <class F>
F round_int(F a, Rounding rounding, bool exact, Env& env);

// FPConvert between half (uint16_t, honouring FPCR.AHP), single and double,
// rounding with env.rounding (Rounding::kOdd for FCVTXN).
template <class To, class From>
To convert(From a, Env& env);

// FPToFixed: `a` * 2^fbits rounded with `rounding` to a signed or unsigned
// integer of `int_bits` (32 or 64), saturating with Invalid. The result is
// zero-extended into the uint64_t.
template <class F>
uint64_t to_fixed(F a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding rounding,
                  Env& env);
// FixedToFP: the `int_bits`-wide integer in `value` / 2^fbits, rounded with
// env.rounding.
template <class F>
F from_fixed(uint64_t value, unsigned fbits, bool is_unsigned, unsigned int_bits, Env& env);

// Estimates and Newton-Raphson steps (FRECPE, FRSQRTE, FRECPS, FRSQRTS,
// FRECPX) and the unsigned integer estimates (URECPE, URSQRTE).
template <class F>
F recip_estimate(F a, Env& env);
template <class F>
F rsqrt_estimate(F a, Env& env);
template <class F>
F recip_step(F a, F b, Env& env);  // 2 - a * b, fused
template <class F>
F rsqrt_step(F a, F b, Env& env);  // (3 - a * b) / 2, fused
template <class F>
F recpx(F a, Env& env);
uint32_t unsigned_recip_estimate(uint32_t a);
uint32_t unsigned_rsqrt_estimate(uint32_t a);

// add/sub/mul/div/sqrt (and single-precision muladd) take a host-FP fast
// path where it is provably exact: round-to-nearest-even, normal operands
// and a result well inside the normal range, with Inexact derived exactly.
// Tests turn it off to compare it with the software path. Default: on.
void set_host_fast_path(bool enabled);

}  // namespace vmapple::arm64::fp
