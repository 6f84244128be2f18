// Bare-metal helpers for the test firmware: MMIO, the PL011, system
// registers and PSCI, at the vmapple platform's addresses (spec 2.1).
#pragma once
#include <stdint.h>

#define UART_BASE 0x20010000ul
#define CFG_BASE 0x00400000ul
#define GICD_BASE 0x10000000ul
#define GICR_BASE 0x10010000ul

static inline void mmio_write32(uint64_t addr, uint32_t v) {
  *(volatile uint32_t*)addr = v;
}
static inline uint32_t mmio_read32(uint64_t addr) {
  return *(volatile uint32_t*)addr;
}
static inline uint64_t mmio_read64(uint64_t addr) {
  return *(volatile uint64_t*)addr;
}
static inline void mmio_write8(uint64_t addr, uint8_t v) {
  *(volatile uint8_t*)addr = v;
}

void uart_putc(char c);
void uart_puts(const char* s);
void uart_put_hex(uint64_t v);
void uart_put_dec(uint64_t v);

#define read_sysreg(name)                          \
  ({                                               \
    uint64_t v_;                                   \
    __asm__ volatile("mrs %0, " #name : "=r"(v_)); \
    v_;                                            \
  })
#define write_sysreg(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)))

static inline int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t x0 __asm__("x0") = fn;
  register uint64_t x1 __asm__("x1") = a1;
  register uint64_t x2 __asm__("x2") = a2;
  register uint64_t x3 __asm__("x3") = a3;
  __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
  return (int64_t)x0;
}
