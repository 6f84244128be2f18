// A tiny libc-free runtime for the user-mode test programs (static, no
// libc): output through a buffered write(2), exit(2), the memory functions
// the compiler may call, and a CHECK macro that fails the program.
#pragma once
#include <stddef.h>
#include <stdint.h>

long sys_write(int fd, const void* buf, size_t len);
_Noreturn void exit(int code);
void dump_regs(void);

void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);

void put_char(char c);
void put_str(const char* s);
void put_u64(uint64_t v);
void put_i64(int64_t v);
void put_hex(uint64_t v);
// "name=value\n" in decimal / hex.
void put_kv(const char* name, int64_t v);
void put_kx(const char* name, uint64_t v);
void rt_flush(void);
_Noreturn void rt_fail(const char* what, int line);

#define CHECK(cond)                        \
  do {                                     \
    if (!(cond)) rt_fail(#cond, __LINE__); \
  } while (0)

// A deterministic pseudo-random sequence (64-bit LCG, top bits).
static inline uint64_t rt_rand(uint64_t* state) {
  *state = *state * 6364136223846793005ull + 1442695040888963407ull;
  return *state >> 11 ^ *state << 53;
}
