// String and byte-buffer operations: length, compare, search, reverse,
// number formatting and parsing, overlapping moves, case mapping, a tiny
// tokenizer. Known answers checked; every result also printed.
#include "rt.h"

static int str_cmp(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return (unsigned char)*a - (unsigned char)*b;
}

static const char* str_chr(const char* s, int c) {
  for (; *s; ++s)
    if (*s == (char)c) return s;
  return c ? 0 : s;
}

static const char* str_str(const char* h, const char* n) {
  size_t ln = strlen(n);
  for (; *h; ++h)
    if (memcmp(h, n, ln) == 0) return h;
  return ln ? 0 : h;
}

static void reverse(char* s, size_t n) {
  for (size_t i = 0, j = n ? n - 1 : 0; i < j; ++i, --j) {
    char t = s[i];
    s[i] = s[j];
    s[j] = t;
  }
}

static size_t fmt_int(char* out, int64_t v, unsigned base) {
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  size_t n = 0;
  do {
    out[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[u % base];
    u /= base;
  } while (u);
  if (v < 0) out[n++] = '-';
  reverse(out, n);
  out[n] = 0;
  return n;
}

static int64_t parse_int(const char* s, unsigned base) {
  int neg = *s == '-';
  if (neg) ++s;
  uint64_t v = 0;
  for (; *s; ++s) {
    unsigned d = *s >= 'a' ? (unsigned)(*s - 'a' + 10) : (unsigned)(*s - '0');
    v = v * base + d;
  }
  return neg ? (int64_t)(0 - v) : (int64_t)v;
}

static void to_upper(char* s) {
  for (; *s; ++s)
    if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 32);
}

int main(void) {
  CHECK(strlen("") == 0);
  CHECK(strlen("vmapple") == 7);
  CHECK(str_cmp("abc", "abd") < 0);
  CHECK(str_cmp("abc", "abc") == 0);
  CHECK(str_cmp("b", "abc") > 0);
  CHECK(str_cmp("\xff", "a") > 0);
  const char* text = "the quick brown fox jumps over the lazy dog";
  CHECK(str_chr(text, 'q') == text + 4);
  CHECK(str_chr(text, 'Z') == 0);
  CHECK(str_str(text, "lazy") == text + 35);
  CHECK(str_str(text, "cat") == 0);

  char buf[80];
  static const int64_t values[] = {0, 1, -1, 42, -12345, 2147483647, -2147483647 - 1,
                                   9223372036854775807ll, -9223372036854775807ll - 1};
  static const unsigned bases[] = {2, 8, 10, 16, 36};
  for (unsigned i = 0; i < sizeof values / sizeof values[0]; ++i) {
    for (unsigned b = 0; b < 5; ++b) {
      size_t n = fmt_int(buf, values[i], bases[b]);
      CHECK(n == strlen(buf));
      if (values[i] != -9223372036854775807ll - 1) CHECK(parse_int(buf, bases[b]) == values[i]);
      put_str(buf);
      put_char(' ');
    }
    put_char('\n');
  }
  fmt_int(buf, -255, 16);
  CHECK(str_cmp(buf, "-ff") == 0);

  // Overlapping moves both ways.
  char m[64];
  for (int i = 0; i < 64; ++i) m[i] = (char)('A' + i % 26);
  memmove(m + 5, m, 40);
  memmove(m + 1, m + 9, 30);
  m[63] = 0;
  put_str(m);
  put_char('\n');

  // Words, upper-cased, in reverse order.
  char words[64];
  memcpy(words, text, strlen(text) + 1);
  to_upper(words);
  size_t len = strlen(words);
  reverse(words, len);
  for (size_t start = 0, i = 0; i <= len; ++i) {
    if (words[i] == ' ' || words[i] == 0) {
      reverse(words + start, i - start);
      start = i + 1;
    }
  }
  put_str(words);
  put_char('\n');
  CHECK(str_cmp(words, "DOG LAZY THE OVER JUMPS FOX BROWN QUICK THE") == 0);

  uint64_t seed = 7, hist[8] = {0};
  for (int i = 0; i < 5000; ++i) ++hist[rt_rand(&seed) % 8];
  for (int i = 0; i < 8; ++i) put_kv("bucket", (int64_t)hist[i]);
  return 0;
}
