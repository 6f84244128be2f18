// TEMPORARY skeleton of the fp:: library so that handlers link; the real
// bodies replace these.
#include "cpu/arm64/fp/fp.h"

namespace vmapple::arm64::fp {

template <class F>
F add(F a, F, Env&) {
  return a;
}
template <class F>
F sub(F a, F, Env&) {
  return a;
}
template <class F>
F mul(F a, F, Env&) {
  return a;
}
template <class F>
F mulx(F a, F, Env&) {
  return a;
}
template <class F>
F div(F a, F, Env&) {
  return a;
}
template <class F>
F sqrt(F a, Env&) {
  return a;
}
template <class F>
F muladd(F a, F, F, Env&) {
  return a;
}
template <class F>
F max(F a, F, Env&) {
  return a;
}
template <class F>
F min(F a, F, Env&) {
  return a;
}
template <class F>
F maxnm(F a, F, Env&) {
  return a;
}
template <class F>
F minnm(F a, F, Env&) {
  return a;
}
template <class F>
F abs(F a) {
  return a;
}
template <class F>
F neg(F a) {
  return a;
}
template <class F>
uint32_t compare(F, F, bool, Env&) {
  return 0;
}
template <class F>
bool compare_eq(F, F, Env&) {
  return false;
}
template <class F>
bool compare_ge(F, F, Env&) {
  return false;
}
template <class F>
bool compare_gt(F, F, Env&) {
  return false;
}
template <class F>
F round_int(F a, Rounding, bool, Env&) {
  return a;
}
template <class To, class From>
To convert(From a, Env&) {
  return static_cast<To>(a);
}
template <class F>
uint64_t to_fixed(F a, unsigned, bool, unsigned, Rounding, Env&) {
  return a;
}
template <class F>
F from_fixed(uint64_t v, unsigned, bool, unsigned, Env&) {
  return static_cast<F>(v);
}
template <class F>
F recip_estimate(F a, Env&) {
  return a;
}
template <class F>
F rsqrt_estimate(F a, Env&) {
  return a;
}
template <class F>
F recip_step(F a, F, Env&) {
  return a;
}
template <class F>
F rsqrt_step(F a, F, Env&) {
  return a;
}
template <class F>
F recpx(F a, Env&) {
  return a;
}
uint32_t unsigned_recip_estimate(uint32_t a) {
  return a;
}
uint32_t unsigned_rsqrt_estimate(uint32_t a) {
  return a;
}

#define VMAPPLE_FP_INST(F)                          \
  template F add<F>(F, F, Env&);                    \
  template F sub<F>(F, F, Env&);                    \
  template F mul<F>(F, F, Env&);                    \
  template F mulx<F>(F, F, Env&);                   \
  template F div<F>(F, F, Env&);                    \
  template F sqrt<F>(F, Env&);                      \
  template F muladd<F>(F, F, F, Env&);              \
  template F max<F>(F, F, Env&);                    \
  template F min<F>(F, F, Env&);                    \
  template F maxnm<F>(F, F, Env&);                  \
  template F minnm<F>(F, F, Env&);                  \
  template F abs<F>(F);                             \
  template F neg<F>(F);                             \
  template uint32_t compare<F>(F, F, bool, Env&);   \
  template bool compare_eq<F>(F, F, Env&);          \
  template bool compare_ge<F>(F, F, Env&);          \
  template bool compare_gt<F>(F, F, Env&);          \
  template F round_int<F>(F, Rounding, bool, Env&); \
  template F recip_estimate<F>(F, Env&);            \
  template F rsqrt_estimate<F>(F, Env&);            \
  template F recip_step<F>(F, F, Env&);             \
  template F rsqrt_step<F>(F, F, Env&);             \
  template F recpx<F>(F, Env&);

VMAPPLE_FP_INST(uint32_t)
VMAPPLE_FP_INST(uint64_t)

#define VMAPPLE_FP_FIXED(F)                                                   \
  template uint64_t to_fixed<F>(F, unsigned, bool, unsigned, Rounding, Env&); \
  template F from_fixed<F>(uint64_t, unsigned, bool, unsigned, Env&);

VMAPPLE_FP_FIXED(uint16_t)
VMAPPLE_FP_FIXED(uint32_t)
VMAPPLE_FP_FIXED(uint64_t)

#define VMAPPLE_FP_CONV(To, From) template To convert<To, From>(From, Env&);
VMAPPLE_FP_CONV(uint16_t, uint16_t)
VMAPPLE_FP_CONV(uint16_t, uint32_t)
VMAPPLE_FP_CONV(uint16_t, uint64_t)
VMAPPLE_FP_CONV(uint32_t, uint16_t)
VMAPPLE_FP_CONV(uint32_t, uint32_t)
VMAPPLE_FP_CONV(uint32_t, uint64_t)
VMAPPLE_FP_CONV(uint64_t, uint16_t)
VMAPPLE_FP_CONV(uint64_t, uint32_t)
VMAPPLE_FP_CONV(uint64_t, uint64_t)

}  // namespace vmapple::arm64::fp
