// Integer arithmetic of every width, signed and unsigned: +, -, *, /, %,
// shifts, rotates, bit counts, byte swaps, 64x64->128 products, division by
// constants (multiply-high), saturation, gcd, isqrt, a prime sieve.
// The operations run on `volatile` inputs so the compiler cannot fold them.
#include "rt.h"

static const uint64_t kEdges[] = {0,
                                  1,
                                  2,
                                  3,
                                  7,
                                  0x7f,
                                  0x80,
                                  0xff,
                                  0x7fff,
                                  0x8000,
                                  0xffff,
                                  0x7fffffff,
                                  0x80000000,
                                  0xffffffff,
                                  0x100000000,
                                  0x7fffffffffffffff,
                                  0x8000000000000000,
                                  0xfffffffffffffffe,
                                  0xffffffffffffffff,
                                  0x123456789abcdef0};
#define NEDGE (sizeof kEdges / sizeof kEdges[0])

static uint64_t acc;
static void mix(uint64_t v) { acc = (acc ^ v) * 0x100000001b3ull; }

#define ARITH(T, SIGNED)                                                   \
  static void arith_##T(void) {                                      \
    for (unsigned i = 0; i < NEDGE; ++i) {                           \
      for (unsigned j = 0; j < NEDGE; ++j) {                         \
        volatile T a = (T)kEdges[i], b = (T)kEdges[j];               \
        mix((uint64_t)(T)(a + b));                                   \
        mix((uint64_t)(T)(a - b));                                   \
        mix((uint64_t)(T)(a * b));                                   \
        mix((uint64_t)(T)(a & ~b));                                  \
        mix((uint64_t)(T)(a | b) ^ (uint64_t)(T)(a ^ b));            \
        mix((uint64_t)(a < b) << 2 | (uint64_t)(a == b) << 1 | (a > b)); \
        if (b != 0 && !(SIGNED && b == (T)-1)) {                  \
          mix((uint64_t)(T)(a / b));                                 \
          mix((uint64_t)(T)(a % b));                                 \
        }                                                            \
        unsigned s = (unsigned)kEdges[j] % (sizeof(T) * 8);          \
        mix((uint64_t)(T)(a >> s));                                  \
        mix((uint64_t)(T)((uint64_t)a << s));                        \
      }                                                              \
    }                                                                \
    put_kx(#T, acc);                                                 \
  }

ARITH(int8_t, 1)
ARITH(uint8_t, 0)
ARITH(int16_t, 1)
ARITH(uint16_t, 0)
ARITH(int32_t, 1)
ARITH(uint32_t, 0)
ARITH(int64_t, 1)
ARITH(uint64_t, 0)

// Population count without __builtin_popcount, whose libgcc helper uses
// AdvSIMD CNT (not implemented by our CPU yet).
static uint64_t popcount64(uint64_t x) {
  x = x - (x >> 1 & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + (x >> 2 & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return x * 0x0101010101010101ull >> 56;
}

static uint32_t rotr32(uint32_t v, unsigned s) { return v >> (s & 31) | v << (-s & 31); }
static uint64_t rotr64(uint64_t v, unsigned s) { return v >> (s & 63) | v << (-s & 63); }

static void bits(void) {
  for (unsigned i = 0; i < NEDGE; ++i) {
    volatile uint64_t v = kEdges[i];
    uint64_t x = v;
    mix(x ? (uint64_t)__builtin_clzll(x) : 64);
    mix(x ? (uint64_t)__builtin_ctzll(x) : 64);
    mix((uint64_t)__builtin_clrsbll((int64_t)x));
    mix((uint64_t)__builtin_clrsb((int32_t)x));
    mix(popcount64(x));
    mix(__builtin_bswap64(x));
    mix(__builtin_bswap32((uint32_t)x));
    mix(__builtin_bswap16((uint16_t)x));
    for (unsigned s = 0; s < 70; s += 13) {
      mix(rotr64(x, s));
      mix(rotr32((uint32_t)x, s));
    }
    // Bitfield moves: sign-extend a field, insert a field.
    mix((uint64_t)((int64_t)(x << 20) >> 43));
    mix((x & ~0xff000ull) | ((x >> 7 & 0xff) << 12));
  }
  put_kx("bits", acc);
}

static void wide(void) {
  for (unsigned i = 0; i < NEDGE; ++i) {
    for (unsigned j = 0; j < NEDGE; ++j) {
      volatile uint64_t a = kEdges[i], b = kEdges[j];
      unsigned __int128 p = (unsigned __int128)a * b;
      __int128 q = (__int128)(int64_t)a * (int64_t)b;
      mix((uint64_t)(p >> 64));
      mix((uint64_t)p);
      mix((uint64_t)((unsigned __int128)q >> 64));
      mix((uint64_t)(int64_t)(int32_t)a * (uint64_t)(int64_t)(int32_t)b);
      mix((uint64_t)(uint32_t)a * (uint32_t)b + b);
      mix(a / 10 + a / 7 + a % 1000 + (uint64_t)((int64_t)a / 3) + (uint64_t)((int64_t)a % 9));
    }
  }
  put_kx("wide", acc);
}

static uint64_t gcd(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static uint64_t isqrt(uint64_t n) {
  uint64_t r = 0;
  for (uint64_t bit = 1ull << 62; bit; bit >>= 2) {
    if (n >= r + bit) {
      n -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
  }
  return r;
}

static int32_t sat_add32(int32_t a, int32_t b) {
  int32_t r;
  if (__builtin_add_overflow(a, b, &r)) return a < 0 ? -2147483647 - 1 : 2147483647;
  return r;
}

int main(void) {
  arith_int8_t();
  arith_uint8_t();
  arith_int16_t();
  arith_uint16_t();
  arith_int32_t();
  arith_uint32_t();
  arith_int64_t();
  arith_uint64_t();
  bits();
  wide();

  CHECK(gcd(1071, 462) == 21);
  CHECK(isqrt(1000000007ull * 1000000007ull) == 1000000007ull);
  CHECK(isqrt(~0ull) == 0xffffffffull);
  CHECK(sat_add32(2147483647, 1) == 2147483647);
  CHECK(sat_add32(-2147483647 - 1, -1) == -2147483647 - 1);
  volatile int64_t m = -9223372036854775807ll - 1;
  CHECK(m / 2 == -4611686018427387904ll);
  CHECK(m % 3 == -2);

  static uint8_t composite[20000];
  unsigned primes = 0;
  uint64_t last = 0;
  for (unsigned i = 2; i < sizeof composite; ++i) {
    if (composite[i]) continue;
    ++primes;
    last = i;
    for (unsigned j = i * i; j < sizeof composite; j += i) composite[j] = 1;
  }
  CHECK(primes == 2262);
  put_kv("primes", primes);
  put_kv("last_prime", (int64_t)last);

  uint64_t steps = 0;
  for (uint64_t n = 1; n < 3000; ++n)
    for (uint64_t v = n; v != 1; ++steps) v = v & 1 ? 3 * v + 1 : v / 2;
  put_kv("collatz_steps", (int64_t)steps);
  put_kx("final", acc);
  return 0;
}
