// The cryptographic extension and CRC32 through the compiler's intrinsics:
// known answers from FIPS-197 (AES-128), FIPS-180 (SHA-1, SHA-256 of
// "abc"), CRC-32/CRC-32C of "123456789", a carry-less multiply identity,
// then hashes over random inputs.
#include <arm_acle.h>
#include <arm_neon.h>

#include "check.h"

static uint8x16_t aes128_encrypt(const uint8_t key[16], uint8x16_t block) {
  static const uint8_t rcon[10] = {1, 2, 4, 8, 16, 32, 64, 128, 0x1b, 0x36};
  uint32_t w[44];
  memcpy(w, key, 16);
  for (int i = 4; i < 44; ++i) {
    uint32_t t = w[i - 1];
    if (i % 4 == 0) {
      // SubWord through AESE with a zero key: AESE = ShiftRows(SubBytes(x)); a
      // word replicated in all four columns is unaffected by ShiftRows.
      uint8x16_t v = vreinterpretq_u8_u32(vdupq_n_u32(t));
      uint32_t sub = vgetq_lane_u32(vreinterpretq_u32_u8(vaeseq_u8(v, vdupq_n_u8(0))), 0);
      t = (sub >> 8 | sub << 24) ^ rcon[i / 4 - 1];
    }
    w[i] = w[i - 4] ^ t;
  }
  uint8x16_t s = block;
  for (int r = 0; r < 9; ++r)
    s = vaesmcq_u8(vaeseq_u8(s, vld1q_u8((const uint8_t*)&w[4 * r])));
  s = vaeseq_u8(s, vld1q_u8((const uint8_t*)&w[36]));
  return veorq_u8(s, vld1q_u8((const uint8_t*)&w[40]));
}

static void aes(void) {
  static const uint8_t key[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  static const uint8_t pt[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  static const uint8_t ct[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
  uint8_t out[16];
  vst1q_u8(out, aes128_encrypt(key, vld1q_u8(pt)));
  CHECK(memcmp(out, ct, 16) == 0);
  for (int i = 0; i < 2000; ++i) {
    uint8_t r[32];
    for (int k = 0; k < 32; ++k)
      r[k] = (uint8_t)rnd();
    uint8x16_t x = vld1q_u8(r), k = vld1q_u8(r + 16);
    HASH(vaeseq_u8(x, k));
    HASH(vaesdq_u8(x, k));
    HASH(vaesmcq_u8(x));
    HASH(vaesimcq_u8(x));
  }
  report("aes");
}

static void sha256_block(uint32_t state[8], const uint8_t block[64]) {
  static const uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  uint32x4_t abcd = vld1q_u32(state), efgh = vld1q_u32(state + 4);
  uint32x4_t m[4];
  for (int i = 0; i < 4; ++i)
    m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(block + 16 * i)));
  uint32x4_t a0 = abcd, e0 = efgh;
  for (int i = 0; i < 16; ++i) {
    uint32x4_t wk = vaddq_u32(m[i % 4], vld1q_u32(k + 4 * i));
    uint32x4_t prev = abcd;
    abcd = vsha256hq_u32(abcd, efgh, wk);
    efgh = vsha256h2q_u32(efgh, prev, wk);
    if (i < 12)
      m[i % 4] = vsha256su1q_u32(vsha256su0q_u32(m[i % 4], m[(i + 1) % 4]), m[(i + 2) % 4],
                                 m[(i + 3) % 4]);
  }
  vst1q_u32(state, vaddq_u32(abcd, a0));
  vst1q_u32(state + 4, vaddq_u32(efgh, e0));
}

static void sha(void) {
  uint32_t s[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;
  sha256_block(s, block);
  CHECK(s[0] == 0xba7816bf && s[7] == 0xf20015ad);
  for (int i = 0; i < 2000; ++i) {
    uint32_t r[12];
    for (int k = 0; k < 12; ++k)
      r[k] = (uint32_t)rnd();
    uint32x4_t a = vld1q_u32(r), b = vld1q_u32(r + 4), c = vld1q_u32(r + 8);
    HASH(vsha1cq_u32(a, r[0], b));
    HASH(vsha1pq_u32(a, r[1], b));
    HASH(vsha1mq_u32(a, r[2], b));
    HASH(vsha1h_u32(r[3]));
    HASH(vsha1su0q_u32(a, b, c));
    HASH(vsha1su1q_u32(a, b));
    HASH(vsha256hq_u32(a, b, c));
    HASH(vsha256h2q_u32(a, b, c));
    HASH(vsha256su0q_u32(a, b));
    HASH(vsha256su1q_u32(a, b, c));
  }
  report("sha1, sha256");
}

static void pmull_and_crc(void) {
  CHECK(vmull_p64(3, 3) == (poly128_t)5);  // (x + 1)^2 = x^2 + 1
  const char* digits = "123456789";
  uint32_t crc = ~0u, crcc = ~0u;
  for (int i = 0; i < 9; ++i) {
    crc = __crc32b(crc, (uint8_t)digits[i]);
    crcc = __crc32cb(crcc, (uint8_t)digits[i]);
  }
  CHECK(~crc == 0xcbf43926u && ~crcc == 0xe3069283u);
  for (int i = 0; i < 3000; ++i) {
    uint64_t x = rnd(), y = rnd();
    HASH(vmull_p64(x, y));
    HASH(vmull_high_p64(vreinterpretq_p64_u64(vdupq_n_u64(x)),
                        vreinterpretq_p64_u64(vdupq_n_u64(y))));
    HASH(vmull_p8(vcreate_p8(x), vcreate_p8(y)));
    HASH(__crc32d((uint32_t)x, y));
    HASH(__crc32cw((uint32_t)y, (uint32_t)x));
    HASH(__crc32h((uint32_t)x, (uint16_t)y));
    HASH(__crc32cd((uint32_t)y, x));
  }
  report("pmull, crc32");
}

int main(void) {
  aes();
  sha();
  pmull_and_crc();
  return 0;
}
