// Portable and host-instruction implementations of crypto.h. The portable
// code follows the Arm ARM pseudocode (AESSubBytes/AESShiftRows/
// AESMixColumns, SHA1/SHA256 hash functions, PolynomialMult, CRC32) and
// FIPS-197/FIPS-180-4; its tables are computed at compile time.
#include "cpu/arm64/exec/crypto.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace vmapple::arm64::crypto {
namespace {

// --- lanes ----------------------------------------------------------------------

using W4 = std::array<uint32_t, 4>;

W4 words(u128 v) {
  W4 w;
  std::memcpy(w.data(), &v, 16);
  return w;
}
u128 join(const W4& w) {
  u128 v;
  std::memcpy(&v, w.data(), 16);
  return v;
}
using B16 = std::array<uint8_t, 16>;
B16 bytes(u128 v) {
  B16 b;
  std::memcpy(b.data(), &v, 16);
  return b;
}
u128 join(const B16& b) {
  u128 v;
  std::memcpy(&v, b.data(), 16);
  return v;
}

// --- AES (FIPS-197) -------------------------------------------------------------

constexpr uint8_t xtime(uint8_t a) {
  return static_cast<uint8_t>(a << 1 ^ (a & 0x80 ? 0x1b : 0));
}
constexpr uint8_t gf_mul(uint8_t a, uint8_t b) {
  uint8_t p = 0;
  for (; b; b >>= 1, a = xtime(a))
    if (b & 1) p ^= a;
  return p;
}
constexpr std::array<uint8_t, 256> make_sbox() {
  std::array<uint8_t, 256> s{};
  for (unsigned x = 0; x < 256; ++x) {
    uint8_t inv = 0;  // x^254 = x^-1 in GF(2^8), 0 for 0
    if (x) {
      uint8_t p = 1, base = static_cast<uint8_t>(x);
      for (unsigned e = 254; e; e >>= 1, base = gf_mul(base, base))
        if (e & 1) p = gf_mul(p, base);
      inv = p;
    }
    auto rotl8 = [](uint8_t v, unsigned k) { return static_cast<uint8_t>(v << k | v >> (8 - k)); };
    s[x] = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
  }
  return s;
}
constexpr std::array<uint8_t, 256> kSbox = make_sbox();
constexpr std::array<uint8_t, 256> make_inverse(const std::array<uint8_t, 256>& s) {
  std::array<uint8_t, 256> inv{};
  for (unsigned x = 0; x < 256; ++x)
    inv[s[x]] = static_cast<uint8_t>(x);
  return inv;
}
constexpr std::array<uint8_t, 256> kInvSbox = make_inverse(kSbox);
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xed && kInvSbox[0x63] == 0x00);

// The state is column-major: byte 4 * column + row. ShiftRows moves row r
// left by r columns.
u128 aese_portable(u128 state, u128 key) {
  const B16 in = bytes(state ^ key);
  B16 out;
  for (unsigned c = 0; c < 4; ++c)
    for (unsigned r = 0; r < 4; ++r)
      out[4 * c + r] = kSbox[in[4 * ((c + r) % 4) + r]];
  return join(out);
}
u128 aesd_portable(u128 state, u128 key) {
  const B16 in = bytes(state ^ key);
  B16 out;
  for (unsigned c = 0; c < 4; ++c)
    for (unsigned r = 0; r < 4; ++r)
      out[4 * c + r] = kInvSbox[in[4 * ((c + 4 - r) % 4) + r]];
  return join(out);
}
// Multiplies every column by the circulant matrix with first row m.
u128 mix(u128 state, const uint8_t (&m)[4]) {
  const B16 in = bytes(state);
  B16 out;
  for (unsigned c = 0; c < 4; ++c)
    for (unsigned r = 0; r < 4; ++r) {
      uint8_t v = 0;
      for (unsigned k = 0; k < 4; ++k)
        v ^= gf_mul(m[(k + 4 - r) % 4], in[4 * c + k]);
      out[4 * c + r] = v;
    }
  return join(out);
}
u128 aesmc_portable(u128 state) {
  static constexpr uint8_t kMix[4] = {2, 3, 1, 1};
  return mix(state, kMix);
}
u128 aesimc_portable(u128 state) {
  static constexpr uint8_t kInvMix[4] = {14, 11, 13, 9};
  return mix(state, kInvMix);
}

// --- SHA1 / SHA256 (FIPS-180-4, Arm ARM SHA1hash/SHA256hash) -----------------------

uint32_t sha1_choose(uint32_t x, uint32_t y, uint32_t z) {
  return ((y ^ z) & x) ^ z;
}
uint32_t sha1_parity(uint32_t x, uint32_t y, uint32_t z) {
  return x ^ y ^ z;
}
uint32_t sha1_majority(uint32_t x, uint32_t y, uint32_t z) {
  return (x & y) | ((x | y) & z);
}

template <uint32_t (*F)(uint32_t, uint32_t, uint32_t)>
u128 sha1_portable(u128 xv, uint32_t y, u128 wv) {
  W4 x = words(xv);
  const W4 w = words(wv);
  for (unsigned e = 0; e < 4; ++e) {
    y += std::rotl(x[0], 5) + F(x[1], x[2], x[3]) + w[e];
    x[1] = std::rotl(x[1], 30);
    // <Y, X> = ROL(Y:X, 32)
    const uint32_t top = x[3];
    x = {y, x[0], x[1], x[2]};
    y = top;
  }
  return join(x);
}

uint32_t sigma0_big(uint32_t x) {
  return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
uint32_t sigma1_big(uint32_t x) {
  return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}

template <bool Part1>
u128 sha256_portable(u128 xv, u128 yv, u128 wv) {
  W4 x = words(xv), y = words(yv);
  const W4 w = words(wv);
  for (unsigned e = 0; e < 4; ++e) {
    const uint32_t ch = (y[0] & y[1]) ^ (~y[0] & y[2]);
    const uint32_t maj = (x[0] & x[1]) ^ (x[0] & x[2]) ^ (x[1] & x[2]);
    const uint32_t t = y[3] + sigma1_big(y[0]) + ch + w[e];
    x[3] += t;
    y[3] = t + sigma0_big(x[0]) + maj;
    const uint32_t x3 = x[3], y3 = y[3];
    x = {y3, x[0], x[1], x[2]};
    y = {x3, y[0], y[1], y[2]};
  }
  return join(Part1 ? x : y);
}

u128 sha256su0_portable(u128 dv, u128 nv) {
  const W4 d = words(dv), n = words(nv);
  const W4 t = {d[1], d[2], d[3], n[0]};
  W4 r;
  for (unsigned e = 0; e < 4; ++e)
    r[e] = d[e] + (std::rotr(t[e], 7) ^ std::rotr(t[e], 18) ^ (t[e] >> 3));
  return join(r);
}

uint32_t sigma1_small(uint32_t x) {
  return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}

u128 sha256su1_portable(u128 dv, u128 nv, u128 mv) {
  const W4 d = words(dv), n = words(nv), m = words(mv);
  const W4 t0 = {n[1], n[2], n[3], m[0]};
  W4 r;
  r[0] = sigma1_small(m[2]) + d[0] + t0[0];
  r[1] = sigma1_small(m[3]) + d[1] + t0[1];
  r[2] = sigma1_small(r[0]) + d[2] + t0[2];
  r[3] = sigma1_small(r[1]) + d[3] + t0[3];
  return join(r);
}

// --- PMULL -------------------------------------------------------------------------

u128 pmull64_portable(uint64_t a, uint64_t b) {
  u128 r = 0;
  for (unsigned i = 0; i < 64; ++i)
    if (b >> i & 1) r ^= static_cast<u128>(a) << i;
  return r;
}

// --- CRC32 / CRC32C ------------------------------------------------------------------

constexpr std::array<uint32_t, 256> make_crc_table(uint32_t reflected_poly) {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = c & 1 ? (c >> 1) ^ reflected_poly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kCrc32Table = make_crc_table(0xedb88320);   // 0x04C11DB7 reflected
constexpr auto kCrc32cTable = make_crc_table(0x82f63b78);  // 0x1EDC6F41 reflected

template <const std::array<uint32_t, 256>& Table>
uint32_t crc_portable(uint32_t acc, uint64_t value, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i, value >>= 8)
    acc = Table[(acc ^ value) & 0xff] ^ acc >> 8;
  return acc;
}

constexpr Ops kPortable = {
    .aese = aese_portable,
    .aesd = aesd_portable,
    .aesmc = aesmc_portable,
    .aesimc = aesimc_portable,
    .sha1c = sha1_portable<sha1_choose>,
    .sha1p = sha1_portable<sha1_parity>,
    .sha1m = sha1_portable<sha1_majority>,
    .sha256h = sha256_portable<true>,
    .sha256h2 = sha256_portable<false>,
    .sha256su0 = sha256su0_portable,
    .sha256su1 = sha256su1_portable,
    .pmull64 = pmull64_portable,
    .crc32 = crc_portable<kCrc32Table>,
    .crc32c = crc_portable<kCrc32cTable>,
    .name = "portable",
};

// --- x86-64: AES-NI, PCLMULQDQ, SHA-NI, SSE4.2 ----------------------------------------

#if defined(__x86_64__)

__m128i to_m(u128 v) {
  __m128i r;
  std::memcpy(&r, &v, 16);
  return r;
}
u128 from_m(__m128i v) {
  u128 r;
  std::memcpy(&r, &v, 16);
  return r;
}

// AESENCLAST/AESDECLAST with a zero key are the Arm rounds after the
// AddRoundKey; AESMC is AESENC (MixColumns . SubBytes . ShiftRows) after
// AESDECLAST has undone SubBytes . ShiftRows.
[[gnu::target("aes")]] u128 aese_x86(u128 state, u128 key) {
  return from_m(_mm_aesenclast_si128(to_m(state ^ key), _mm_setzero_si128()));
}
[[gnu::target("aes")]] u128 aesd_x86(u128 state, u128 key) {
  return from_m(_mm_aesdeclast_si128(to_m(state ^ key), _mm_setzero_si128()));
}
[[gnu::target("aes")]] u128 aesmc_x86(u128 state) {
  const __m128i z = _mm_setzero_si128();
  return from_m(_mm_aesenc_si128(_mm_aesdeclast_si128(to_m(state), z), z));
}
[[gnu::target("aes")]] u128 aesimc_x86(u128 state) {
  return from_m(_mm_aesimc_si128(to_m(state)));
}

[[gnu::target("pclmul")]] u128 pmull64_x86(uint64_t a, uint64_t b) {
  return from_m(_mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<int64_t>(a)),
                                     _mm_cvtsi64_si128(static_cast<int64_t>(b)), 0x00));
}

// SHA1RNDS4 keeps A in the top lane, takes W0 + E in the top lane and adds
// the round constant itself, while the Arm wk already holds it: subtract.
template <int Func, uint32_t K>
[[gnu::target("sha,sse4.1")]] u128 sha1_x86(u128 x, uint32_t y, u128 w) {
  __m128i msg = _mm_sub_epi32(to_m(w), _mm_set1_epi32(static_cast<int>(K)));
  msg = _mm_add_epi32(msg, _mm_cvtsi32_si128(static_cast<int>(y)));
  const __m128i abcd = _mm_shuffle_epi32(to_m(x), 0x1b);
  return from_m(
      _mm_shuffle_epi32(_mm_sha1rnds4_epu32(abcd, _mm_shuffle_epi32(msg, 0x1b), Func), 0x1b));
}

// SHA256RNDS2 works on {F,E,B,A} and {H,G,D,C} (low lane first) and two
// rounds of wk at a time.
template <bool Part1>
[[gnu::target("sha,sse4.1")]] u128 sha256_x86(u128 xv, u128 yv, u128 wv) {
  const __m128i x = to_m(xv), y = to_m(yv), w = to_m(wv);
  const __m128i abef = _mm_shuffle_epi32(_mm_unpacklo_epi64(y, x), 0xb1);
  const __m128i cdgh = _mm_shuffle_epi32(_mm_unpackhi_epi64(y, x), 0xb1);
  const __m128i abef1 = _mm_sha256rnds2_epu32(cdgh, abef, w);
  const __m128i abef2 = _mm_sha256rnds2_epu32(abef, abef1, _mm_shuffle_epi32(w, 0x0e));
  const __m128i efab = _mm_shuffle_epi32(abef2, 0xb1), ghcd = _mm_shuffle_epi32(abef1, 0xb1);
  return from_m(Part1 ? _mm_unpackhi_epi64(efab, ghcd) : _mm_unpacklo_epi64(efab, ghcd));
}
[[gnu::target("sha,sse4.1")]] u128 sha256su0_x86(u128 d, u128 n) {
  return from_m(_mm_sha256msg1_epu32(to_m(d), to_m(n)));
}
// SHA256MSG2 wants W[t-16] + s0(W[t-15]) + W[t-7]: add W9..W12 (n[1..3],
// m[0]) to the SHA256SU0 result first.
[[gnu::target("sha,sse4.1")]] u128 sha256su1_x86(u128 d, u128 n, u128 m) {
  const __m128i w9 = _mm_alignr_epi8(to_m(m), to_m(n), 4);
  return from_m(_mm_sha256msg2_epu32(_mm_add_epi32(to_m(d), w9), to_m(m)));
}

[[gnu::target("sse4.2")]] uint32_t crc32c_x86(uint32_t acc, uint64_t value, unsigned bytes) {
  switch (bytes) {
    case 1:
      return _mm_crc32_u8(acc, static_cast<uint8_t>(value));
    case 2:
      return _mm_crc32_u16(acc, static_cast<uint16_t>(value));
    case 4:
      return _mm_crc32_u32(acc, static_cast<uint32_t>(value));
    default:
      return static_cast<uint32_t>(_mm_crc32_u64(acc, value));
  }
}

bool host_has_sha() {
  // __builtin_cpu_supports("sha") is missing from older compilers: CPUID
  // leaf 7, EBX bit 29.
  unsigned a, b, c, d;
  __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
  if (a < 7) return false;
  __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
  return b >> 29 & 1;
}

Ops make_host() {
  __builtin_cpu_init();
  Ops o = kPortable;
  o.name = "x86-64";
  bool any = false;
  if (__builtin_cpu_supports("aes")) {
    o.aese = aese_x86;
    o.aesd = aesd_x86;
    o.aesmc = aesmc_x86;
    o.aesimc = aesimc_x86;
    any = true;
  }
  if (__builtin_cpu_supports("pclmul")) {
    o.pmull64 = pmull64_x86;
    any = true;
  }
  if (host_has_sha() && __builtin_cpu_supports("sse4.1")) {
    o.sha1c = sha1_x86<0, 0x5a827999>;
    o.sha1p = sha1_x86<1, 0x6ed9eba1>;
    o.sha1m = sha1_x86<2, 0x8f1bbcdc>;
    o.sha256h = sha256_x86<true>;
    o.sha256h2 = sha256_x86<false>;
    o.sha256su0 = sha256su0_x86;
    o.sha256su1 = sha256su1_x86;
    any = true;
  }
  if (__builtin_cpu_supports("sse4.2")) {
    o.crc32c = crc32c_x86;
    any = true;
  }
  if (!any) o.name = nullptr;
  return o;
}

// --- arm64 hosts: the crypto and CRC extensions -----------------------------------------

#elif defined(__aarch64__)

// Inline assembly rather than <arm_neon.h>: compilers that gate the crypto
// intrinsics on the build's -march (not on a function's target attribute)
// still assemble these with .arch_extension.
using V16 = uint8_t __attribute__((vector_size(16)));

V16 to_v(u128 v) {
  V16 r;
  std::memcpy(&r, &v, 16);
  return r;
}
u128 from_v(V16 v) {
  u128 r;
  std::memcpy(&r, &v, 16);
  return r;
}

#define VMAPPLE_A64_ROUND(name, insn)                                                     \
  u128 name(u128 state, u128 key) {                                                       \
    V16 a = to_v(state);                                                                  \
    __asm__(".arch_extension aes\n\t" insn " %0.16b, %1.16b" : "+w"(a) : "w"(to_v(key))); \
    return from_v(a);                                                                     \
  }
#define VMAPPLE_A64_MIX(name, insn)                                                         \
  u128 name(u128 state) {                                                                   \
    V16 a;                                                                                  \
    __asm__(".arch_extension aes\n\t" insn " %0.16b, %1.16b" : "=w"(a) : "w"(to_v(state))); \
    return from_v(a);                                                                       \
  }
VMAPPLE_A64_ROUND(aese_a64, "aese")
VMAPPLE_A64_ROUND(aesd_a64, "aesd")
VMAPPLE_A64_MIX(aesmc_a64, "aesmc")
VMAPPLE_A64_MIX(aesimc_a64, "aesimc")

u128 pmull64_a64(uint64_t a, uint64_t b) {
  V16 r;
  __asm__(".arch_extension aes\n\tpmull %0.1q, %1.1d, %2.1d"
          : "=w"(r)
          : "w"(to_v(a)), "w"(to_v(b)));
  return from_v(r);
}

#define VMAPPLE_A64_SHA1(name, insn)                           \
  u128 name(u128 x, uint32_t y, u128 w) {                      \
    V16 a = to_v(x);                                           \
    __asm__(".arch_extension sha2\n\t" insn " %q0, %s1, %2.4s" \
            : "+w"(a)                                          \
            : "w"(to_v(y)), "w"(to_v(w)));                     \
    return from_v(a);                                          \
  }
VMAPPLE_A64_SHA1(sha1c_a64, "sha1c")
VMAPPLE_A64_SHA1(sha1p_a64, "sha1p")
VMAPPLE_A64_SHA1(sha1m_a64, "sha1m")

// SHA256H Qd = abcd, Qn = efgh; SHA256H2 Qd = efgh, Qn = abcd.
u128 sha256h_a64(u128 x, u128 y, u128 w) {
  V16 a = to_v(x);
  __asm__(".arch_extension sha2\n\tsha256h %q0, %q1, %2.4s" : "+w"(a) : "w"(to_v(y)), "w"(to_v(w)));
  return from_v(a);
}
u128 sha256h2_a64(u128 x, u128 y, u128 w) {
  V16 a = to_v(y);
  __asm__(".arch_extension sha2\n\tsha256h2 %q0, %q1, %2.4s"
          : "+w"(a)
          : "w"(to_v(x)), "w"(to_v(w)));
  return from_v(a);
}
u128 sha256su0_a64(u128 d, u128 n) {
  V16 a = to_v(d);
  __asm__(".arch_extension sha2\n\tsha256su0 %0.4s, %1.4s" : "+w"(a) : "w"(to_v(n)));
  return from_v(a);
}
u128 sha256su1_a64(u128 d, u128 n, u128 m) {
  V16 a = to_v(d);
  __asm__(".arch_extension sha2\n\tsha256su1 %0.4s, %1.4s, %2.4s"
          : "+w"(a)
          : "w"(to_v(n)), "w"(to_v(m)));
  return from_v(a);
}

template <bool Castagnoli>
uint32_t crc_a64(uint32_t acc, uint64_t value, unsigned bytes) {
  uint32_t r;
  switch (bytes) {
    case 1:
      if (Castagnoli)
        __asm__(".arch_extension crc\n\tcrc32cb %w0, %w1, %w2"
                : "=r"(r)
                : "r"(acc), "r"(static_cast<uint32_t>(value)));
      else
        __asm__(".arch_extension crc\n\tcrc32b %w0, %w1, %w2"
                : "=r"(r)
                : "r"(acc), "r"(static_cast<uint32_t>(value)));
      return r;
    case 2:
      if (Castagnoli)
        __asm__(".arch_extension crc\n\tcrc32ch %w0, %w1, %w2"
                : "=r"(r)
                : "r"(acc), "r"(static_cast<uint32_t>(value)));
      else
        __asm__(".arch_extension crc\n\tcrc32h %w0, %w1, %w2"
                : "=r"(r)
                : "r"(acc), "r"(static_cast<uint32_t>(value)));
      return r;
    case 4:
      if (Castagnoli)
        __asm__(".arch_extension crc\n\tcrc32cw %w0, %w1, %w2"
                : "=r"(r)
                : "r"(acc), "r"(static_cast<uint32_t>(value)));
      else
        __asm__(".arch_extension crc\n\tcrc32w %w0, %w1, %w2"
                : "=r"(r)
                : "r"(acc), "r"(static_cast<uint32_t>(value)));
      return r;
    default:
      if (Castagnoli)
        __asm__(".arch_extension crc\n\tcrc32cx %w0, %w1, %x2" : "=r"(r) : "r"(acc), "r"(value));
      else
        __asm__(".arch_extension crc\n\tcrc32x %w0, %w1, %x2" : "=r"(r) : "r"(acc), "r"(value));
      return r;
  }
}

Ops make_host() {
  Ops o = kPortable;
  o.name = "arm64";
#if defined(__APPLE__)
  // Every Apple arm64 CPU has FEAT_AES, FEAT_PMULL, FEAT_SHA1/2 and CRC32.
  const bool aes = true, sha1 = true, sha2 = true, crc = true;
#elif defined(__linux__)
  const unsigned long hw = getauxval(AT_HWCAP);
  const bool aes = (hw & HWCAP_AES) && (hw & HWCAP_PMULL), sha1 = hw & HWCAP_SHA1,
             sha2 = hw & HWCAP_SHA2, crc = hw & HWCAP_CRC32;
#else
  const bool aes = false, sha1 = false, sha2 = false, crc = false;
#endif
  if (aes) {
    o.aese = aese_a64;
    o.aesd = aesd_a64;
    o.aesmc = aesmc_a64;
    o.aesimc = aesimc_a64;
    o.pmull64 = pmull64_a64;
  }
  if (sha1) {
    o.sha1c = sha1c_a64;
    o.sha1p = sha1p_a64;
    o.sha1m = sha1m_a64;
  }
  if (sha2) {
    o.sha256h = sha256h_a64;
    o.sha256h2 = sha256h2_a64;
    o.sha256su0 = sha256su0_a64;
    o.sha256su1 = sha256su1_a64;
  }
  if (crc) {
    o.crc32 = crc_a64<false>;
    o.crc32c = crc_a64<true>;
  }
  if (!(aes || sha1 || sha2 || crc)) o.name = nullptr;
  return o;
}

#else

Ops make_host() {
  Ops o = kPortable;
  o.name = nullptr;
  return o;
}

#endif

}  // namespace

const Ops& portable() {
  return kPortable;
}

const Ops* host() {
  static const Ops ops = make_host();
  return ops.name ? &ops : nullptr;
}

const Ops& active() {
  // VMAPPLE_CRYPTO_PORTABLE=1 forces the portable path (to run the
  // differential test against qemu on it too).
  static const Ops& ops = host() && !std::getenv("VMAPPLE_CRYPTO_PORTABLE") ? *host() : portable();
  return ops;
}

u128 sha1su0(u128 dv, u128 nv, u128 mv) {
  const W4 d = words(dv), n = words(nv);
  return join(W4{d[2], d[3], n[0], n[1]}) ^ dv ^ mv;
}

u128 sha1su1(u128 dv, u128 nv) {
  const W4 t = words(dv ^ (nv >> 32));
  return join(W4{std::rotl(t[0], 1), std::rotl(t[1], 1), std::rotl(t[2], 1),
                 std::rotl(t[3], 1) ^ std::rotl(t[0], 2)});
}

u128 pmull8(uint64_t a, uint64_t b) {
  u128 r = 0;
  for (unsigned lane = 0; lane < 8; ++lane) {
    const uint16_t x = a >> (8 * lane) & 0xff, y = b >> (8 * lane) & 0xff;
    uint16_t p = 0;
    for (unsigned i = 0; i < 8; ++i)
      if (y >> i & 1) p ^= static_cast<uint16_t>(x << i);
    r |= static_cast<u128>(p) << (16 * lane);
  }
  return r;
}

}  // namespace vmapple::arm64::crypto
