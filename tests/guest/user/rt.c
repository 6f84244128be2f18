#include "rt.h"

static char out_buf[4096];
static size_t out_len;

void rt_flush(void) {
  size_t done = 0;
  while (done < out_len) {
    long n = sys_write(1, out_buf + done, out_len - done);
    if (n <= 0) exit(120);
    done += (size_t)n;
  }
  out_len = 0;
}

void put_char(char c) {
  if (out_len == sizeof out_buf) rt_flush();
  out_buf[out_len++] = c;
}

void put_str(const char* s) {
  while (*s) put_char(*s++);
}

void put_u64(uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) put_char(tmp[--n]);
}

void put_i64(int64_t v) {
  if (v < 0) {
    put_char('-');
    put_u64(0 - (uint64_t)v);
  } else {
    put_u64((uint64_t)v);
  }
}

void put_hex(uint64_t v) {
  put_str("0x");
  for (int s = 60; s >= 0; s -= 4) put_char("0123456789abcdef"[v >> s & 15]);
}

void put_kv(const char* name, int64_t v) {
  put_str(name);
  put_char('=');
  put_i64(v);
  put_char('\n');
}

void put_kx(const char* name, uint64_t v) {
  put_str(name);
  put_char('=');
  put_hex(v);
  put_char('\n');
}

_Noreturn void rt_fail(const char* what, int line) {
  put_str("CHECK failed at line ");
  put_i64(line);
  put_str(": ");
  put_str(what);
  put_char('\n');
  rt_flush();
  exit(1);
}

// Called by dump_regs with X0..X30 then NZCV.
void rt_print_regs(const uint64_t* regs) {
  static const char digits[] = "0123456789";
  for (int i = 0; i < 31; ++i) {
    put_char('x');
    if (i >= 10) put_char(digits[i / 10]);
    put_char(digits[i % 10]);
    put_char('=');
    put_hex(regs[i]);
    put_char('\n');
  }
  put_kx("nzcv", regs[31]);
}

// The memory functions: simple loops, compiled with
// -fno-tree-loop-distribute-patterns so they do not call themselves.
void* memcpy(void* dst, const void* src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}
