// An Advanced SIMD workload for measuring the interpreter's vector speed
// next to the integer one (workload.c): a memcpy-style copy with 64-byte
// LD1/ST1, a strlen-style scan with CMEQ/UMAXV, AES-128-CBC encryption with
// AESE/AESMC, and a single-precision FMLA dot product, repeated. No I/O;
// the result is kept live so nothing is optimised away.
#include <arm_neon.h>
#include <stdint.h>

#ifndef ROUNDS
#define ROUNDS 10000
#endif

#define BYTES 4096
static uint8_t src[BYTES], dst[BYTES];
static float xs[1024], ys[1024];
static uint8_t round_keys[11][16];

static void copy_blocks(uint8_t* d, const uint8_t* s) {
  for (unsigned i = 0; i < BYTES; i += 64)
    vst1q_u8_x4(d + i, vld1q_u8_x4(s + i));
}

static unsigned scan_length(const uint8_t* s) {
  for (unsigned i = 0;; i += 16) {
    uint8x16_t zero = vceqq_u8(vld1q_u8(s + i), vdupq_n_u8(0));
    if (vmaxvq_u8(zero)) {
      unsigned k = 0;
      while (s[i + k])
        ++k;
      return i + k;
    }
  }
}

static uint8x16_t aes_cbc(uint8_t* buf, uint8x16_t iv) {
  uint8x16_t k[11];
  for (int r = 0; r < 11; ++r)
    k[r] = vld1q_u8(round_keys[r]);
  for (unsigned i = 0; i < BYTES; i += 16) {
    uint8x16_t s = veorq_u8(vld1q_u8(buf + i), iv);
    for (int r = 0; r < 9; ++r)
      s = vaesmcq_u8(vaeseq_u8(s, k[r]));
    iv = veorq_u8(vaeseq_u8(s, k[9]), k[10]);
    vst1q_u8(buf + i, iv);
  }
  return iv;
}

static float dot(void) {
  float32x4_t acc = vdupq_n_f32(0);
  for (unsigned i = 0; i < 1024; i += 4)
    acc = vfmaq_f32(acc, vld1q_f32(xs + i), vld1q_f32(ys + i));
  return vaddvq_f32(acc);
}

volatile uint64_t workload_result;

void workload(void) {
  uint32_t seed = 2463534242u;
  for (unsigned i = 0; i < BYTES; ++i) {
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
    src[i] = (uint8_t)(seed | 1);
  }
  for (unsigned i = 0; i < 1024; ++i)
    xs[i] = (float)(i % 37) * 0.25f, ys[i] = (float)(i % 11);
  for (unsigned r = 0; r < 11; ++r)
    for (unsigned b = 0; b < 16; ++b)
      round_keys[r][b] = (uint8_t)(r * 16 + b);
  uint64_t acc = 0;
  uint8x16_t iv = vdupq_n_u8(0);
  for (int round = 0; round < ROUNDS; ++round) {
    copy_blocks(dst, src);
    dst[BYTES - 1 - (round & 255)] = 0;
    acc += scan_length(dst);
    iv = aes_cbc(dst, iv);
    acc += vgetq_lane_u64(vreinterpretq_u64_u8(iv), 0) + (uint64_t)dot();
  }
  workload_result = acc;
}
