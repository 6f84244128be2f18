// glibc's optimised string and memory functions (Advanced SIMD code on
// AArch64) over every alignment and length edge, qsort of doubles, and
// loops the compiler auto-vectorises at -O3.
#include <math.h>

#include "check.h"

static char a[4096 + 64], b[4096 + 64];

static void memory_functions(void) {
  for (int i = 0; i < (int)sizeof a; ++i)
    a[i] = (char)(rnd() % 255 + 1);
  for (int r = 0; r < 3000; ++r) {
    size_t off = rnd() % 64, off2 = rnd() % 64, n = rnd() % 4 ? rnd() % 80 : rnd() % 4000;
    memcpy(b + off2, a + off, n);
    HASH(memcmp(b + off2, a + off, n));
    memmove(a + off2, a + off, n / 2);
    b[off2 + n / 3] = 0;
    HASH(strlen(b + off2));
    HASH(strnlen(a + off, n));
    char* p = memchr(a + off, a[off + n / 2], n + 1);
    HASH(p ? p - a : -1);
    p = strchr(b + off2, 'A');
    HASH(p ? p - b : -1);
    HASH(strcmp(a + off, b + off2) > 0);
    HASH(strncmp(a + off, a + off2, n) < 0);
    memset(b + off, (int)(rnd() & 0xff), n / 3);
    a[rnd() % sizeof a] = (char)(rnd() % 255 + 1);
  }
  hash_bytes(a, sizeof a);
  hash_bytes(b, sizeof b);
  report("memory/string functions");
}

static int cmp_double(const void* x, const void* y) {
  double p = *(const double*)x, q = *(const double*)y;
  return (p > q) - (p < q);
}

static void sorting(void) {
  static double v[5000];
  for (int i = 0; i < 5000; ++i)
    v[i] = (double)(int64_t)rnd() * 0x1p-40;
  qsort(v, 5000, sizeof v[0], cmp_double);
  for (int i = 1; i < 5000; ++i)
    CHECK(v[i - 1] <= v[i]);
  hash_bytes(v, sizeof v);
  report("qsort doubles");
}

__attribute__((optimize("O3"))) static void vectorised_loops(void) {
  static float x[1024], y[1024];
  static int32_t s[1024];
  static uint8_t img[1024];
  for (int i = 0; i < 1024; ++i) {
    x[i] = (float)(rnd() % 2000) / 7.0f - 100.0f;
    y[i] = (float)(rnd() % 3000) / 13.0f;
    s[i] = (int32_t)rnd();
    img[i] = (uint8_t)rnd();
  }
  for (int rep = 0; rep < 20; ++rep) {
    float dot = 0;
    for (int i = 0; i < 1024; ++i)
      dot += x[i] * y[i];
    HASH(dot);
    for (int i = 0; i < 1024; ++i)
      y[i] = y[i] * 0.5f + x[i];
    int64_t sum = 0;
    for (int i = 0; i < 1024; ++i)
      sum += s[i] >> 3;
    HASH(sum);
    for (int i = 0; i < 1024; ++i)
      img[i] = (uint8_t)((img[i] * 3 + 7) >> 1);
    unsigned mx = 0;
    for (int i = 0; i < 1024; ++i)
      mx = img[i] > mx ? img[i] : mx;
    HASH(mx);
    for (int i = 0; i < 1024; ++i)
      s[i] = s[i] < 0 ? -s[i] : s[i] / 3;
  }
  hash_bytes(y, sizeof y);
  hash_bytes(s, sizeof s);
  hash_bytes(img, sizeof img);
  report("auto-vectorised loops");
}

int main(void) {
  memory_functions();
  sorting();
  vectorised_loops();
  return 0;
}
