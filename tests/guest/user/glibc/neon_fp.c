// Floating-point and Advanced SIMD FP intrinsics over special operands
// (NaNs with payloads, infinities, signed zeros, denormals, edges) under
// every rounding mode and with flush-to-zero and default-NaN on and off.
// Each section hashes the results and the FPSR flags they raised.
#include <arm_neon.h>

#include "check.h"

static uint64_t read_fpsr(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, fpsr" : "=r"(v));
  __asm__ volatile("msr fpsr, xzr");
  return v;
}
static void set_fpcr(uint64_t v) {
  __asm__ volatile("msr fpcr, %0" : : "r"(v));
}

static uint32_t f32_bits(void) {
  static const uint32_t special[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                     0x7fc12345, 0xffa00001, 0x7f800001, 0x00000001, 0x807fffff,
                                     0x00800000, 0x7f7fffff, 0x3f800000, 0xbf000000, 0x4f000000,
                                     0xcf000000, 0x5f000000, 0x3effffff, 0x4b000001};
  switch (rnd() % 4) {
    case 0:
      return special[rnd() % (sizeof special / sizeof special[0])];
    case 1:
      return (uint32_t)rnd() & 0x807fffff;  // denormals
    case 2:
      return (uint32_t)(0x3e000000 + rnd() % 0x02000000) | (uint32_t)(rnd() % 2) << 31;
    default:
      return (uint32_t)rnd();
  }
}
static uint64_t f64_bits(void) {
  static const uint64_t special[] = {0,
                                     1ull << 63,
                                     0x7ff0000000000000ull,
                                     0xfff0000000000000ull,
                                     0x7ff8000000000000ull,
                                     0x7ff4000000000001ull,
                                     0xfff8000000abcdefull,
                                     1,
                                     0x000fffffffffffffull,
                                     0x0010000000000000ull,
                                     0x7fefffffffffffffull,
                                     0x3ff0000000000000ull,
                                     0x43e0000000000000ull,
                                     0xc3e0000000000000ull,
                                     0x41dfffffffc00000ull};
  switch (rnd() % 4) {
    case 0:
      return special[rnd() % (sizeof special / sizeof special[0])];
    case 1:
      return rnd() & 0x800fffffffffffffull;
    case 2:
      return (0x3fc0000000000000ull + rnd() % 0x0080000000000000ull) | (rnd() % 2) << 63;
    default:
      return rnd();
  }
}
static float32x4_t rf32(void) {
  uint32_t b[4] = {f32_bits(), f32_bits(), f32_bits(), f32_bits()};
  return vreinterpretq_f32_u32(vld1q_u32(b));
}
static float64x2_t rf64(void) {
  uint64_t b[2] = {f64_bits(), f64_bits()};
  return vreinterpretq_f64_u64(vld1q_u64(b));
}

#define ROUNDS 120

static void vector_ops(void) {
  for (int r = 0; r < ROUNDS; ++r) {
    float32x4_t a = rf32(), b = rf32(), c = rf32();
    float64x2_t x = rf64(), y = rf64(), z = rf64();
    HASH(vaddq_f32(a, b));
    HASH(vsubq_f64(x, y));
    HASH(vmulq_f32(a, b));
    HASH(vdivq_f64(x, y));
    HASH(vfmaq_f32(c, a, b));
    HASH(vfmsq_f64(z, x, y));
    HASH(vmulxq_f32(a, b));
    HASH(vmaxq_f32(a, b));
    HASH(vminnmq_f64(x, y));
    HASH(vpmaxq_f32(a, b));
    HASH(vpaddq_f64(x, y));
    HASH(vabdq_f32(a, b));
    HASH(vsqrtq_f64(x));
    HASH(vabsq_f32(a));
    HASH(vnegq_f64(x));
    HASH(vceqq_f32(a, b));
    HASH(vcgeq_f64(x, y));
    HASH(vcagtq_f32(a, b));
    HASH(vcltzq_f64(x));
    HASH(vrecpeq_f32(a));
    HASH(vrsqrteq_f64(x));
    HASH(vrecpsq_f32(a, b));
    HASH(vrsqrtsq_f64(x, y));
    HASH(vrndnq_f32(a));
    HASH(vrndaq_f64(x));
    HASH(vrndxq_f32(a));
    HASH(vrndiq_f64(x));
    HASH(vrndmq_f32(a));
    HASH(vcvtq_s32_f32(a));
    HASH(vcvtnq_u64_f64(x));
    HASH(vcvtaq_s64_f64(y));
    HASH(vcvtpq_u32_f32(b));
    HASH(vcvtq_f32_s32(vreinterpretq_s32_f32(a)));
    HASH(vcvtq_f64_u64(vreinterpretq_u64_f64(x)));
    HASH(vcvtq_n_s32_f32(a, 7));
    HASH(vcvtq_n_f64_s64(vreinterpretq_s64_f64(x), 33));
    HASH(vcvt_f32_f64(x));
    HASH(vcvt_high_f64_f32(a));
    HASH(vcvtx_f32_f64(y));
    HASH(vmaxvq_f32(a));
    HASH(vminnmvq_f32(b));
    HASH(vpminnmqd_f64(x));
    HASH(vfmaq_laneq_f32(c, a, b, 3));
    HASH(vmulq_laneq_f64(x, y, 1));
    HASH(vmulxq_lane_f64(x, vget_low_f64(y), 0));
    HASH(vrecpxd_f64(vgetq_lane_f64(x, 0)));
    HASH(vrecpeq_u32(vreinterpretq_u32_f32(a)));
    HASH(vrsqrteq_u32(vreinterpretq_u32_f32(b)));
    HASH(read_fpsr());
  }
}

static void half_conversions(void) {
  for (int r = 0; r < ROUNDS; ++r) {
    float32x4_t a = rf32();
    float16x4_t h = vcvt_f16_f32(a);
    HASH(h);
    HASH(vcvt_f32_f16(h));
    uint16_t raw[4] = {(uint16_t)rnd(), 0x7c01, 0xfe00, (uint16_t)(rnd() & 0x83ff)};
    HASH(vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(raw))));
    HASH(read_fpsr());
  }
}

static void scalar_ops(void) {
  for (int r = 0; r < ROUNDS * 4; ++r) {
    uint64_t xb = f64_bits(), yb = f64_bits(), zb = f64_bits();
    double x, y, z;
    memcpy(&x, &xb, 8);
    memcpy(&y, &yb, 8);
    memcpy(&z, &zb, 8);
    float fx = (float)x, fy = (float)y;
    HASH(x + y);
    HASH(x * y);
    HASH(x / y);
    HASH(__builtin_fma(x, y, z));
    HASH(__builtin_sqrt(x));
    HASH(fx + fy);
    HASH(fx / fy);
    HASH(__builtin_fmaf(fx, fy, (float)z));
    HASH(__builtin_fmax(x, y));
    HASH(__builtin_fminf(fx, fy));
    HASH((long long)x);
    HASH((unsigned)fx);
    HASH((double)(long long)xb);
    HASH((float)(unsigned long long)yb);
    HASH(__builtin_rint(x));
    HASH(__builtin_nearbyintf(fx));
    HASH(__builtin_floor(x));
    HASH(__builtin_roundf(fx));
    HASH(__builtin_lround(x));
    HASH(x < y);
    HASH(x >= y);
    HASH(__builtin_isless(fx, fy));
    HASH(x == y ? x : z);
    HASH(read_fpsr());
  }
}

int main(void) {
  static const char* rmode[] = {"RN", "RP", "RM", "RZ"};
  for (unsigned mode = 0; mode < 16; ++mode) {
    uint64_t fpcr = (uint64_t)(mode & 3) << 22 | (uint64_t)(mode >> 2 & 1) << 24 |
                    (uint64_t)(mode >> 3 & 1) << 25;
    set_fpcr(fpcr);
    read_fpsr();
    vector_ops();
    half_conversions();
    scalar_ops();
    set_fpcr(0);
    char name[32];
    snprintf(name, sizeof name, "fpcr %s%s%s", rmode[mode & 3], mode & 4 ? "+FZ" : "",
             mode & 8 ? "+DN" : "");
    report(name);
  }
  set_fpcr(1u << 26);  // AHP
  half_conversions();
  set_fpcr(0);
  report("fpcr AHP, half");
  return 0;
}
