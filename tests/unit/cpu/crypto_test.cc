// The crypto and CRC arithmetic (src/cpu/arm64/exec/crypto.h): the host
// instruction path and the portable path agree on random inputs, and the
// instructions, run through the decoder and handler table the way guest
// code uses them, reproduce FIPS-197 (AES-128), FIPS-180-4 (SHA-1, SHA-256)
// and the CRC-32/CRC-32C check values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/exec/crypto.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64::test {
namespace {

using crypto::u128;

u128 make(uint64_t hi, uint64_t lo) {
  return static_cast<u128>(hi) << 64 | lo;
}

// --- both paths ---------------------------------------------------------------------

TEST(CryptoPaths, HostAndPortableAgreeOnRandomInputs) {
  const crypto::Ops& p = crypto::portable();
  const crypto::Ops* h = crypto::host();
#if defined(__x86_64__)
  if (__builtin_cpu_supports("aes")) {
    ASSERT_NE(h, nullptr) << "AES-NI present but not used";
  }
#endif
  if (!h) {
    EXPECT_EQ(&crypto::active(), &p);
    return;
  }
  EXPECT_EQ(&crypto::active(), std::getenv("VMAPPLE_CRYPTO_PORTABLE") ? &p : h);
  std::mt19937_64 rng(12345);
  auto r128 = [&] { return make(rng(), rng()); };
  for (int i = 0; i < 20000; ++i) {
    const u128 a = r128(), b = r128(), w = r128();
    const auto y = static_cast<uint32_t>(rng());
    const uint64_t x = rng();
    ASSERT_TRUE(p.aese(a, b) == h->aese(a, b)) << i;
    ASSERT_TRUE(p.aesd(a, b) == h->aesd(a, b)) << i;
    ASSERT_TRUE(p.aesmc(a) == h->aesmc(a)) << i;
    ASSERT_TRUE(p.aesimc(a) == h->aesimc(a)) << i;
    ASSERT_TRUE(p.sha1c(a, y, w) == h->sha1c(a, y, w)) << i;
    ASSERT_TRUE(p.sha1p(a, y, w) == h->sha1p(a, y, w)) << i;
    ASSERT_TRUE(p.sha1m(a, y, w) == h->sha1m(a, y, w)) << i;
    ASSERT_TRUE(p.sha256h(a, b, w) == h->sha256h(a, b, w)) << i;
    ASSERT_TRUE(p.sha256h2(a, b, w) == h->sha256h2(a, b, w)) << i;
    ASSERT_TRUE(p.sha256su0(a, b) == h->sha256su0(a, b)) << i;
    ASSERT_TRUE(p.sha256su1(a, b, w) == h->sha256su1(a, b, w)) << i;
    ASSERT_TRUE(p.pmull64(x, static_cast<uint64_t>(a)) == h->pmull64(x, static_cast<uint64_t>(a)))
        << i;
    for (unsigned bytes : {1u, 2u, 4u, 8u}) {
      ASSERT_EQ(p.crc32(y, x, bytes), h->crc32(y, x, bytes)) << i;
      ASSERT_EQ(p.crc32c(y, x, bytes), h->crc32c(y, x, bytes)) << i;
    }
  }
}

TEST(CryptoPaths, InversesAndCarrylessProducts) {
  for (const crypto::Ops* o : {&crypto::portable(), crypto::host()}) {
    if (!o) continue;
    const u128 s = make(0x0123456789abcdef, 0xfedcba9876543210), k = make(7, 9);
    // AESD undoes AESE (same key: both start by XORing it), AESIMC undoes AESMC.
    EXPECT_TRUE(o->aesd(o->aese(s, k) ^ 0, 0) == (s ^ k)) << o->name;
    EXPECT_TRUE(o->aesimc(o->aesmc(s)) == s) << o->name;
    EXPECT_TRUE(o->pmull64(~0ull, ~0ull) == make(0x5555555555555555, 0x5555555555555555))
        << o->name;
    EXPECT_TRUE(o->pmull64(1ull << 63, 1ull << 63) == make(1ull << 62, 0)) << o->name;
  }
  EXPECT_TRUE(crypto::pmull8(0x80ff0301, 0x80ff0303) == make(0, 0x4000555500050003));
}

// --- instructions, guest style ------------------------------------------------------

class CryptoInsnTest : public ::testing::Test {
 protected:
  CryptoInsnTest() { c_.sys.cpacr = 3u << 20; }

  void exec(uint32_t insn) {
    c_.pc = 0x1000;
    c_.next_pc = c_.pc + 4;
    HandlerTable::instance()[decode(insn)](c_, insn);
  }
  uint32_t lane(unsigned v, unsigned i) const { return static_cast<uint32_t>(c_.v[v] >> (32 * i)); }
  void set_lanes(unsigned v, const uint32_t (&w)[4]) {
    c_.v[v] = 0;
    for (unsigned i = 0; i < 4; ++i)
      c_.v[v] |= static_cast<u128>(w[i]) << (32 * i);
  }
  // 4S lane-wise addition (host side, so these tests do not depend on ADD).
  u128 add4s(u128 a, u128 b) {
    u128 r = 0;
    for (unsigned i = 0; i < 4; ++i)
      r |= static_cast<u128>(static_cast<uint32_t>(static_cast<uint32_t>(a >> (32 * i)) +
                                                   static_cast<uint32_t>(b >> (32 * i))))
           << (32 * i);
    return r;
  }

  static uint32_t rrr(uint32_t op, unsigned d, unsigned n, unsigned m = 0) {
    return op | m << 16 | n << 5 | d;
  }

  Core c_;
};

constexpr uint32_t kAese = 0x4e284800, kAesd = 0x4e285800, kAesmc = 0x4e286800,
                   kAesimc = 0x4e287800;
constexpr uint32_t kSha1c = 0x5e000000, kSha1p = 0x5e001000, kSha1m = 0x5e002000,
                   kSha1su0 = 0x5e003000, kSha1h = 0x5e280800, kSha1su1 = 0x5e281800;
constexpr uint32_t kSha256h = 0x5e004000, kSha256h2 = 0x5e005000, kSha256su1 = 0x5e006000,
                   kSha256su0 = 0x5e282800;

TEST_F(CryptoInsnTest, Aes128Fips197AppendixC1) {
  // Key expansion with AESE on a word copied into every column (ShiftRows
  // is then the identity), as AArch64 key-schedule code does.
  uint32_t w[44];
  for (unsigned i = 0; i < 4; ++i)
    w[i] = 0x03020100u + 0x04040404u * i;  // key 000102..0f, little-endian words
  uint32_t rcon = 1;
  for (unsigned i = 4; i < 44; ++i) {
    uint32_t t = w[i - 1];
    if (i % 4 == 0) {
      set_lanes(1, {t, t, t, t});
      c_.v[2] = 0;
      exec(rrr(kAese, 1, 2));  // SubBytes of every column
      t = (lane(1, 0) >> 8 | lane(1, 0) << 24) ^ rcon;
      rcon = rcon & 0x80 ? (rcon << 1 ^ 0x11b) : rcon << 1;
    }
    w[i] = w[i - 4] ^ t;
  }
  auto round_key = [&](unsigned r) {
    return make(uint64_t{w[4 * r + 3]} << 32 | w[4 * r + 2],
                uint64_t{w[4 * r + 1]} << 32 | w[4 * r]);
  };
  const u128 plain = make(0xffeeddccbbaa9988, 0x7766554433221100);
  const u128 cipher = make(0x5ac5b47080b7cdd8, 0x30047b6ad8e0c469);  // 69c4e0d8...c55a

  c_.v[0] = plain;
  for (unsigned r = 0; r < 9; ++r) {
    c_.v[3] = round_key(r);
    exec(rrr(kAese, 0, 3));
    exec(rrr(kAesmc, 0, 0));
  }
  c_.v[3] = round_key(9);
  exec(rrr(kAese, 0, 3));
  EXPECT_TRUE((c_.v[0] ^ round_key(10)) == cipher);

  // Equivalent inverse cipher: AESD/AESIMC with InvMixColumns'd round keys.
  c_.v[0] = cipher;
  for (unsigned r = 10; r > 1; --r) {
    c_.v[4] = r == 10 ? round_key(10) : round_key(r);
    if (r != 10) exec(rrr(kAesimc, 4, 4));
    exec(rrr(kAesd, 0, 4));
    exec(rrr(kAesimc, 0, 0));
  }
  c_.v[4] = round_key(1);
  exec(rrr(kAesimc, 4, 4));
  exec(rrr(kAesd, 0, 4));
  EXPECT_TRUE((c_.v[0] ^ round_key(0)) == plain);
}

// The padded single block of "abc" as big-endian words.
void abc_block(uint32_t (&m)[16]) {
  std::memset(m, 0, sizeof m);
  m[0] = 0x61626380;
  m[15] = 24;
}

TEST_F(CryptoInsnTest, Sha1OfAbc) {
  uint32_t m[16];
  abc_block(m);
  static constexpr uint32_t kK[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
  static constexpr uint32_t kH[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  // V0 abcd, V1 e, V4..V7 the schedule, V16 wk, V17 next e.
  set_lanes(0, {kH[0], kH[1], kH[2], kH[3]});
  c_.v[1] = kH[4];
  for (unsigned i = 0; i < 4; ++i)
    set_lanes(4 + i, {m[4 * i], m[4 * i + 1], m[4 * i + 2], m[4 * i + 3]});
  for (unsigned g = 0; g < 20; ++g) {
    const unsigned wv = 4 + g % 4;
    const uint32_t k = kK[g / 5];
    c_.v[16] = add4s(c_.v[wv], make(uint64_t{k} << 32 | k, uint64_t{k} << 32 | k));
    exec(rrr(kSha1h, 17, 0));
    exec(rrr(g < 5 ? kSha1c : g < 10 || g >= 15 ? kSha1p : kSha1m, 0, 1, 16));
    c_.v[1] = c_.v[17];
    if (g < 16) {  // W[g+4] from W[g..g+3]
      exec(rrr(kSha1su0, wv, 4 + (g + 1) % 4, 4 + (g + 2) % 4));
      exec(rrr(kSha1su1, wv, 4 + (g + 3) % 4));
    }
  }
  const uint32_t expect[5] = {0xa9993e36, 0x4706816a, 0xba3e2571, 0x7850c26c, 0x9cd0d89d};
  for (unsigned i = 0; i < 4; ++i)
    EXPECT_EQ(lane(0, i) + kH[i], expect[i]) << i;
  EXPECT_EQ(lane(1, 0) + kH[4], expect[4]);
}

// The first 32 bits of the fractional part of a root of a prime
// (FIPS-180-4 4.2.2 / 5.3.3).
uint32_t root_bits(unsigned prime, bool cube) {
  const long double r = cube ? std::cbrt(static_cast<long double>(prime))
                             : std::sqrt(static_cast<long double>(prime));
  return static_cast<uint32_t>(static_cast<uint64_t>((r - std::floor(r)) * 4294967296.0L));
}

TEST_F(CryptoInsnTest, Sha256OfAbc) {
  std::vector<unsigned> primes;
  for (unsigned p = 2; primes.size() < 64; ++p) {
    bool prime = true;
    for (unsigned q : primes)
      prime = prime && p % q != 0;
    if (prime) primes.push_back(p);
  }
  uint32_t k[64], h[8];
  for (unsigned i = 0; i < 64; ++i)
    k[i] = root_bits(primes[i], true);
  for (unsigned i = 0; i < 8; ++i)
    h[i] = root_bits(primes[i], false);
  ASSERT_EQ(k[0], 0x428a2f98u);
  ASSERT_EQ(k[63], 0xc67178f2u);
  ASSERT_EQ(h[0], 0x6a09e667u);
  ASSERT_EQ(h[7], 0x5be0cd19u);

  uint32_t m[16];
  abc_block(m);
  // V0 abcd, V1 efgh, V2 old abcd, V4..V7 schedule, V16 wk.
  set_lanes(0, {h[0], h[1], h[2], h[3]});
  set_lanes(1, {h[4], h[5], h[6], h[7]});
  for (unsigned i = 0; i < 4; ++i)
    set_lanes(4 + i, {m[4 * i], m[4 * i + 1], m[4 * i + 2], m[4 * i + 3]});
  for (unsigned g = 0; g < 16; ++g) {
    const unsigned wv = 4 + g % 4;
    set_lanes(16, {k[4 * g], k[4 * g + 1], k[4 * g + 2], k[4 * g + 3]});
    c_.v[16] = add4s(c_.v[16], c_.v[wv]);
    c_.v[2] = c_.v[0];
    exec(rrr(kSha256h, 0, 1, 16));
    exec(rrr(kSha256h2, 1, 2, 16));
    if (g < 12) {
      exec(rrr(kSha256su0, wv, 4 + (g + 1) % 4));
      exec(rrr(kSha256su1, wv, 4 + (g + 2) % 4, 4 + (g + 3) % 4));
    }
  }
  const uint32_t expect[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                              0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  for (unsigned i = 0; i < 8; ++i)
    EXPECT_EQ(lane(i / 4, i % 4) + h[i], expect[i]) << i;
}

TEST_F(CryptoInsnTest, Sha1HClearsTheUpperBits) {
  c_.v[3] = make(~0ull, 0xffffffff00000001);
  exec(rrr(kSha1h, 3, 3));
  EXPECT_TRUE(c_.v[3] == 0x40000000);
}

TEST_F(CryptoInsnTest, Crc32CheckValues) {
  // "123456789" with the usual pre/post inversion: 0xCBF43926 (CRC-32) and
  // 0xE3069283 (CRC-32C), through every operand size.
  const std::string s = "123456789";
  for (bool castagnoli : {false, true}) {
    for (unsigned sz = 0; sz < 4; ++sz) {
      const unsigned bytes = 1u << sz;
      c_.x[1] = 0xffffffff;
      size_t i = 0;
      for (; i + bytes <= s.size(); i += bytes) {
        uint64_t v = 0;
        std::memcpy(&v, s.data() + i, bytes);
        c_.x[2] = v | (bytes < 8 ? 0xdead000000000000ull : 0);  // bits above the size are ignored
        exec(0x1ac04000u | (sz == 3 ? 1u : 0u) << 31 | 2u << 16 | (castagnoli ? 1u : 0u) << 12 |
             sz << 10 | 1u << 5 | 1);
      }
      for (; i < s.size(); ++i) {  // the tail byte by byte
        c_.x[2] = static_cast<uint8_t>(s[i]);
        exec(0x1ac04000u | 2u << 16 | (castagnoli ? 1u : 0u) << 12 | 1u << 5 | 1);
      }
      EXPECT_EQ(static_cast<uint32_t>(c_.x[1]) ^ 0xffffffffu,
                castagnoli ? 0xe3069283u : 0xcbf43926u)
          << "sz " << sz;
      EXPECT_EQ(c_.x[1] >> 32, 0u);
    }
  }
}

TEST_F(CryptoInsnTest, PmullLanes) {
  c_.v[1] = make(0x8000000000000001, 0x00000000000000ff);
  c_.v[2] = make(0x0000000000000003, 0x00000000000000ff);
  exec(0x0ee0e000u | 2u << 16 | 1u << 5 | 0);  // PMULL V0.1Q, V1.1D, V2.1D
  EXPECT_TRUE(c_.v[0] == 0x5555);
  exec(0x4ee0e000u | 2u << 16 | 1u << 5 | 0);  // PMULL2: the upper D lanes
  EXPECT_TRUE(c_.v[0] == make(1, 0x8000000000000003));
  exec(0x0e20e000u | 2u << 16 | 1u << 5 | 0);  // PMULL V0.8H, V1.8B, V2.8B
  EXPECT_TRUE(c_.v[0] == 0x5555);
  exec(0x4e20e000u | 2u << 16 | 1u << 5 | 0);  // PMULL2 V0.8H, V1.16B, V2.16B
  EXPECT_TRUE(c_.v[0] == 0x0003);
}

TEST_F(CryptoInsnTest, TrapsWhenFpIsDisabled) {
  c_.sys.cpacr = 0;
  c_.sys.vbar = 0x8000;
  EXPECT_THROW(exec(rrr(kAese, 0, 1)), ExceptionTaken);
  EXPECT_EQ(c_.sys.esr >> 26, ec::kFpAccess);
}

}  // namespace
}  // namespace vmapple::arm64::test
