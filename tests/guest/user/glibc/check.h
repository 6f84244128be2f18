// Shared helpers of the glibc-based user-mode programs: a hash over every
// result so the output stays short while covering thousands of values, and
// a deterministic random source. Output must be identical on our CPU and
// under qemu-aarch64.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_state = 1469598103934665603ull;

static inline void hash_bytes(const void* p, size_t n) {
  const uint8_t* b = (const uint8_t*)p;
  for (size_t i = 0; i < n; ++i)
    hash_state = (hash_state ^ b[i]) * 1099511628211ull;
}
#define HASH(v)                               \
  do {                                        \
    __typeof__(v) hash_tmp_ = (v);            \
    hash_bytes(&hash_tmp_, sizeof hash_tmp_); \
  } while (0)

// Prints and restarts the running hash of a section.
static inline void report(const char* section) {
  printf("%-24s %016llx\n", section, (unsigned long long)hash_state);
  hash_state = 1469598103934665603ull;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static inline uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

#define CHECK(cond)                                            \
  do {                                                         \
    if (!(cond)) {                                             \
      printf("CHECK failed: %s (line %d)\n", #cond, __LINE__); \
      exit(1);                                                 \
    }                                                          \
  } while (0)
