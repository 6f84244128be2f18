// An integer workload for measuring guest instructions per second: a
// pseudo-random generator, array updates, a byte-wise CRC, insertion sort
// and a small hash table, repeated. No floating point, no I/O; the result
// is kept live so nothing is optimised away.
#include <stdint.h>

#ifndef ROUNDS
#define ROUNDS 2000
#endif

#define N 1024
static uint32_t data[N];
static uint8_t bytes[4096];
static uint64_t table[512];

static uint32_t xorshift(uint32_t* s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static uint32_t crc32_bytes(const uint8_t* p, unsigned n) {
  uint32_t crc = ~0u;
  for (unsigned i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return ~crc;
}

static void insertion_sort(uint32_t* a, unsigned n) {
  for (unsigned i = 1; i < n; ++i) {
    uint32_t v = a[i];
    unsigned j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      --j;
    }
    a[j] = v;
  }
}

volatile uint64_t workload_result;

void workload(void) {
  uint32_t seed = 2463534242u;
  uint64_t acc = 0;
  for (int round = 0; round < ROUNDS; ++round) {
    for (unsigned i = 0; i < N; ++i) data[i] = xorshift(&seed);
    for (unsigned i = 0; i < sizeof bytes; ++i) bytes[i] = (uint8_t)(data[i % N] >> (i & 24));
    acc += crc32_bytes(bytes, sizeof bytes);
    insertion_sort(data, 256);
    for (unsigned i = 0; i < N; ++i) {
      uint64_t key = data[i] * 0x9e3779b97f4a7c15ull;
      table[key >> 55] += key ^ acc;
    }
    for (unsigned i = 0; i < 512; ++i) acc = (acc << 7 | acc >> 57) ^ table[i] ^ (acc / (i | 1));
  }
  workload_result = acc;
}
