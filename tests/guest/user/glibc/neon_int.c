// Advanced SIMD integer intrinsics over random and boundary lanes: the
// arithmetic, saturating, widening/narrowing, shift, compare, permute, table
// and structure load/store families. Each section prints a hash of all its
// results plus FPSR.QC, so any wrong lane shows up as a different line.
#include <arm_neon.h>

#include "check.h"

static uint8_t edge8(void) {
  static const uint8_t e[] = {0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff};
  return rnd() % 3 ? (uint8_t)rnd() : e[rnd() % sizeof e];
}

static uint8x16_t rvec(void) {
  uint8_t b[16];
  for (int i = 0; i < 16; ++i)
    b[i] = edge8();
  // Sometimes whole 16/32/64-bit lanes at their limits.
  if (rnd() % 4 == 0) memset(b + 2 * (rnd() % 8), rnd() % 2 ? 0xff : 0x00, 2);
  if (rnd() % 4 == 0) b[4 * (rnd() % 4) + 3] ^= 0x80;
  return vld1q_u8(b);
}

static uint32_t qc(void) {
  uint64_t fpsr;
  __asm__ volatile("mrs %0, fpsr" : "=r"(fpsr));
  __asm__ volatile("msr fpsr, xzr");
  return (uint32_t)(fpsr >> 27 & 1);
}

#define ROUNDS 400

static void arithmetic(void) {
  for (int r = 0; r < ROUNDS; ++r) {
    uint8x16_t a = rvec(), b = rvec(), c = rvec();
    HASH(vaddq_u8(a, b));
    HASH(vsubq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vmulq_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
    HASH(vmlaq_u16(vreinterpretq_u16_u8(c), vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vabdq_s8(vreinterpretq_s8_u8(a), vreinterpretq_s8_u8(b)));
    HASH(vabaq_u32(vreinterpretq_u32_u8(c), vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
    HASH(vhaddq_s16(vreinterpretq_s16_u8(a), vreinterpretq_s16_u8(b)));
    HASH(vrhaddq_u8(a, b));
    HASH(vmaxq_s32(vreinterpretq_s32_u8(a), vreinterpretq_s32_u8(b)));
    HASH(vpaddq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vpminq_s8(vreinterpretq_s8_u8(a), vreinterpretq_s8_u8(b)));
    HASH(vnegq_s64(vreinterpretq_s64_u8(a)));
    HASH(vabsq_s16(vreinterpretq_s16_u8(a)));
    HASH(vclzq_u32(vreinterpretq_u32_u8(a)));
    HASH(vclsq_s8(vreinterpretq_s8_u8(a)));
    HASH(vcntq_u8(a));
    HASH(vrbitq_u8(a));
    HASH(vmull_u8(vget_low_u8(a), vget_low_u8(b)));
    HASH(vmull_high_s16(vreinterpretq_s16_u8(a), vreinterpretq_s16_u8(b)));
    HASH(vmlal_u32(vreinterpretq_u64_u8(c), vget_low_u32(vreinterpretq_u32_u8(a)),
                   vget_low_u32(vreinterpretq_u32_u8(b))));
    HASH(vaddl_high_u8(a, b));
    HASH(vsubw_s16(vreinterpretq_s32_u8(c), vget_low_s16(vreinterpretq_s16_u8(a))));
    HASH(vaddhn_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
    HASH(vraddhn_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vpadalq_u8(vreinterpretq_u16_u8(c), a));
    HASH(vmul_lane_u16(vget_low_u16(vreinterpretq_u16_u8(a)),
                       vget_high_u16(vreinterpretq_u16_u8(b)), 3));
    HASH(vmlsq_laneq_s32(vreinterpretq_s32_u8(c), vreinterpretq_s32_u8(a), vreinterpretq_s32_u8(b),
                         2));
    HASH(vmulq_p8(vreinterpretq_p8_u8(a), vreinterpretq_p8_u8(b)));
  }
  report("arithmetic");
}

static void saturating(void) {
  uint32_t flags = 0;
  for (int r = 0; r < ROUNDS; ++r) {
    uint8x16_t a = rvec(), b = rvec();
    int16x8_t sa = vreinterpretq_s16_u8(a), sb = vreinterpretq_s16_u8(b);
    int32x4_t wa = vreinterpretq_s32_u8(a), wb = vreinterpretq_s32_u8(b);
    HASH(vqaddq_u8(a, b));
    flags = flags << 1 ^ qc();
    HASH(vqsubq_s64(vreinterpretq_s64_u8(a), vreinterpretq_s64_u8(b)));
    flags = flags << 1 ^ qc();
    HASH(vqdmulhq_s16(sa, sb));
    flags = flags << 1 ^ qc();
    HASH(vqrdmulhq_s32(wa, wb));
    flags = flags << 1 ^ qc();
    HASH(vqdmull_s16(vget_low_s16(sa), vget_low_s16(sb)));
    flags = flags << 1 ^ qc();
    HASH(vqdmlal_high_s32(vreinterpretq_s64_u8(b), wa, wb));
    flags = flags << 1 ^ qc();
    HASH(vqabsq_s8(vreinterpretq_s8_u8(a)));
    flags = flags << 1 ^ qc();
    HASH(vqnegq_s32(wa));
    flags = flags << 1 ^ qc();
    HASH(vqmovn_s32(wa));
    flags = flags << 1 ^ qc();
    HASH(vqmovun_s16(sa));
    flags = flags << 1 ^ qc();
    HASH(vqmovn_u64(vreinterpretq_u64_u8(a)));
    flags = flags << 1 ^ qc();
    HASH(vqshlq_s16(sa, vreinterpretq_s16_u8(vandq_u8(b, vdupq_n_u8(0x8f)))));
    flags = flags << 1 ^ qc();
    HASH(vqrshlq_u32(vreinterpretq_u32_u8(a), vreinterpretq_s32_u8(vandq_u8(b, vdupq_n_u8(0xa7)))));
    flags = flags << 1 ^ qc();
    HASH(vqshlq_n_u8(a, 3));
    flags = flags << 1 ^ qc();
    HASH(vqshluq_n_s16(sa, 5));
    flags = flags << 1 ^ qc();
    HASH(vqshrn_n_s32(wa, 7));
    flags = flags << 1 ^ qc();
    HASH(vqrshrun_n_s16(sa, 2));
    flags = flags << 1 ^ qc();
    HASH(vuqaddq_s8(vreinterpretq_s8_u8(a), b));
    flags = flags << 1 ^ qc();
    HASH(vsqaddq_u16(vreinterpretq_u16_u8(a), sb));
    flags = flags << 1 ^ qc();
    HASH(vqdmulhq_laneq_s16(sa, sb, 5));
    flags = flags << 1 ^ qc();
    HASH(flags);
  }
  report("saturating");
}

static void shifts(void) {
  for (int r = 0; r < ROUNDS; ++r) {
    uint8x16_t a = rvec(), b = rvec();
    int32x4_t wa = vreinterpretq_s32_u8(a);
    HASH(vshlq_n_u16(vreinterpretq_u16_u8(a), 9));
    HASH(vshrq_n_s32(wa, 31));
    HASH(vrshrq_n_u64(vreinterpretq_u64_u8(a), 63));
    HASH(vsraq_n_s8(vreinterpretq_s8_u8(b), vreinterpretq_s8_u8(a), 3));
    HASH(vrsraq_n_u32(vreinterpretq_u32_u8(b), vreinterpretq_u32_u8(a), 17));
    HASH(vsliq_n_u16(vreinterpretq_u16_u8(b), vreinterpretq_u16_u8(a), 4));
    HASH(vsriq_n_u64(vreinterpretq_u64_u8(b), vreinterpretq_u64_u8(a), 40));
    HASH(vshlq_s8(vreinterpretq_s8_u8(a), vreinterpretq_s8_u8(vandq_u8(b, vdupq_n_u8(0x8f)))));
    HASH(vrshlq_s64(vreinterpretq_s64_u8(a), vreinterpretq_s64_u8(vandq_u8(b, vdupq_n_u8(0xc7)))));
    HASH(vshrn_n_u32(vreinterpretq_u32_u8(a), 11));
    HASH(vrshrn_high_n_u16(vget_low_u8(b), vreinterpretq_u16_u8(a), 3));
    HASH(vshll_n_s8(vget_low_s8(vreinterpretq_s8_u8(a)), 8));
    HASH(vmovl_high_u16(vreinterpretq_u16_u8(a)));
    HASH(vmovn_u64(vreinterpretq_u64_u8(a)));
  }
  report("shifts");
}

static void compares_and_logic(void) {
  for (int r = 0; r < ROUNDS; ++r) {
    uint8x16_t a = rvec(), b = rvec(), c = rvec();
    HASH(vceqq_u8(a, b));
    HASH(vcgtq_s16(vreinterpretq_s16_u8(a), vreinterpretq_s16_u8(b)));
    HASH(vcgeq_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
    HASH(vcltzq_s64(vreinterpretq_s64_u8(a)));
    HASH(vceqzq_u8(vandq_u8(a, b)));
    HASH(vtstq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vbslq_u8(c, a, b));
    HASH(vornq_u8(a, b));
    HASH(vbicq_u8(a, b));
    HASH(veorq_u8(a, c));
    HASH(vmvnq_u8(a));
    HASH(vmaxvq_u8(a));
    HASH(vminvq_s16(vreinterpretq_s16_u8(a)));
    HASH(vaddvq_u32(vreinterpretq_u32_u8(a)));
    HASH(vaddlvq_s8(vreinterpretq_s8_u8(a)));
    HASH(vaddvq_u64(vreinterpretq_u64_u8(b)));
  }
  report("compare, logic, across");
}

static void permutes(void) {
  for (int r = 0; r < ROUNDS; ++r) {
    uint8x16_t a = rvec(), b = rvec(), idx = vandq_u8(rvec(), vdupq_n_u8(0x3f));
    uint8x16x2_t t2 = {{a, b}};
    uint8x16x4_t t4 = {{a, b, vrev64q_u8(a), vrev32q_u8(b)}};
    HASH(vzip1q_u8(a, b));
    HASH(vzip2q_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vuzp1q_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
    HASH(vuzp2q_u8(a, b));
    HASH(vtrn1q_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    HASH(vtrn2q_u64(vreinterpretq_u64_u8(a), vreinterpretq_u64_u8(b)));
    HASH(vextq_u8(a, b, 7));
    HASH(vext_u8(vget_low_u8(a), vget_high_u8(b), 3));
    HASH(vqtbl1q_u8(a, idx));
    HASH(vqtbl2q_u8(t2, idx));
    HASH(vqtbx4q_u8(b, t4, vaddq_u8(idx, idx)));
    HASH(vrev16q_u8(a));
    HASH(vdupq_laneq_u16(vreinterpretq_u16_u8(a), 6));
    HASH(vsetq_lane_u32(vgetq_lane_u32(vreinterpretq_u32_u8(a), 1), vreinterpretq_u32_u8(b), 3));
    HASH(vgetq_lane_s8(vreinterpretq_s8_u8(a), 9));
    HASH(vcopyq_laneq_u64(vreinterpretq_u64_u8(a), 0, vreinterpretq_u64_u8(b), 1));
  }
  report("permute, table, copy");
}

static void structures(void) {
  static uint8_t buf[512], out[512];
  for (int r = 0; r < ROUNDS / 4; ++r) {
    for (int i = 0; i < 512; ++i)
      buf[i] = (uint8_t)rnd();
    int off = (int)(rnd() % 64);
    uint8x16x3_t l3 = vld3q_u8(buf + off);
    uint16x8x4_t l4 = vld4q_u16((const uint16_t*)(buf + 2 * (off / 2)));
    uint32x4x2_t l2 = vld2q_u32((const uint32_t*)(buf + 4 * (off / 4)));
    uint64x2x4_t m4 = vld1q_u64_x4((const uint64_t*)(buf + 8 * (off / 8)));
    uint8x16x4_t r4 = vld4q_dup_u8(buf + off);
    uint16x8x2_t s2 =
        vld2q_lane_u16((const uint16_t*)(buf + 2 * (off / 2)), vld2q_u16((const uint16_t*)buf), 5);
    HASH(l3);
    HASH(l4);
    HASH(l2);
    HASH(m4);
    HASH(r4);
    HASH(s2);
    memset(out, 0, sizeof out);
    vst3q_u8(out + off, l3);
    vst4q_u16((uint16_t*)(out + 128), l4);
    vst2q_lane_u32((uint32_t*)(out + 256), l2, 3);
    vst1q_u64_x4((uint64_t*)(out + 320), m4);
    hash_bytes(out, sizeof out);
  }
  report("structures");
}

int main(void) {
  arithmetic();
  saturating();
  shifts();
  compares_and_logic();
  permutes();
  structures();
  return 0;
}
