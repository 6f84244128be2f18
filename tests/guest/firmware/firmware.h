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

// GICv3 bring-up for CPU 0 with one private interrupt (a timer PPI) enabled:
// affinity routing and group 1 in the distributor, the redistributor's WAKER
// handshake (as Linux does), the PPI in group 1 at priority 0x80, and the
// CPU interface's system-register access, priority mask and group enable.
static inline void gic_init_ppi(unsigned intid) {
  mmio_write32(GICD_BASE + 0x0000, (1u << 4) | (1u << 1));  // ARE, EnableGrp1NS
  uint64_t rd = GICR_BASE, sgi = GICR_BASE + 0x10000;
  mmio_write32(rd + 0x14, mmio_read32(rd + 0x14) & ~(1u << 1));  // GICR_WAKER.ProcessorSleep
  while (mmio_read32(rd + 0x14) & (1u << 2)) {
  }
  mmio_write32(sgi + 0x80, mmio_read32(sgi + 0x80) | (1u << intid));  // IGROUPR0: group 1
  mmio_write8(sgi + 0x400 + intid, 0x80);                             // IPRIORITYR
  mmio_write32(sgi + 0x100, 1u << intid);                             // ISENABLER0
  write_sysreg(S3_0_C12_C12_5, 0x7);                                  // ICC_SRE_EL1
  __asm__ volatile("isb");
  write_sysreg(S3_0_C4_C6_0, 0xff);  // ICC_PMR_EL1
  write_sysreg(S3_0_C12_C12_7, 1);   // ICC_IGRPEN1_EL1
  __asm__ volatile("isb");
}
