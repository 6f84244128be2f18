// The test firmware: prints through the PL011, reads the cfg region, takes a
// physical-timer interrupt through the GICv3 and powers off with PSCI.
#include "firmware.h"

#define PSCI_VERSION 0x84000000ul
#define PSCI_SYSTEM_OFF 0x84000008ul

static volatile uint32_t timer_irqs;

static void putc_uart(char c) {
  while (mmio_read32(UART_BASE + 0x18) & (1u << 5)) {  // UARTFR.TXFF
  }
  mmio_write32(UART_BASE + 0x00, (uint8_t)c);
}

static void puts_uart(const char* s) {
  for (; *s; ++s) {
    if (*s == '\n') putc_uart('\r');
    putc_uart(*s);
  }
}

static void put_hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[19] = "0x";
  for (int i = 0; i < 16; ++i) buf[2 + i] = digits[(v >> (60 - 4 * i)) & 15];
  buf[18] = 0;
  puts_uart(buf);
}

static void put_dec(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  puts_uart(&buf[i]);
}

static void gic_init(void) {
  // Distributor: affinity routing, group 1 enabled (one security state).
  mmio_write32(GICD_BASE + 0x0000, (1u << 4) | (1u << 1));
  // Redistributor of CPU 0: wake it up (Linux's WAKER handshake).
  uint64_t rd = GICR_BASE, sgi = GICR_BASE + 0x10000;
  mmio_write32(rd + 0x14, mmio_read32(rd + 0x14) & ~(1u << 1));
  while (mmio_read32(rd + 0x14) & (1u << 2)) {
  }
  // PPI 30 (physical timer): group 1, priority 0x80, enabled.
  mmio_write32(sgi + 0x80, mmio_read32(sgi + 0x80) | (1u << 30));
  mmio_write8(sgi + 0x400 + 30, 0x80);
  mmio_write32(sgi + 0x100, 1u << 30);
  // CPU interface.
  write_sysreg(S3_0_C12_C12_5, 0x7);  // ICC_SRE_EL1
  __asm__ volatile("isb");
  write_sysreg(S3_0_C4_C6_0, 0xff);    // ICC_PMR_EL1
  write_sysreg(S3_0_C12_C12_7, 1);     // ICC_IGRPEN1_EL1
  __asm__ volatile("isb");
}

void exception_handler(uint64_t kind) {
  if ((kind & 3) == 1) {  // IRQ
    uint64_t intid = read_sysreg(S3_0_C12_C12_0);  // ICC_IAR1_EL1
    if (intid == 30) {
      write_sysreg(cntp_ctl_el0, 2);  // IMASK: the level drops
      ++timer_irqs;
    }
    write_sysreg(S3_0_C12_C12_1, intid);  // ICC_EOIR1_EL1
    return;
  }
  puts_uart("firmware: unexpected exception kind ");
  put_dec(kind);
  puts_uart(" ESR ");
  put_hex(read_sysreg(esr_el1));
  puts_uart(" ELR ");
  put_hex(read_sysreg(elr_el1));
  puts_uart(" FAR ");
  put_hex(read_sysreg(far_el1));
  puts_uart("\n");
  psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

int main(void) {
  mmio_write32(UART_BASE + 0x30, 0x301);  // UARTCR: UARTEN, TXE, RXE
  puts_uart("firmware: hello from the vmapple machine\n");

  puts_uart("firmware: cfg nr_cpus=");
  put_dec(mmio_read32(CFG_BASE + 0x04));
  puts_uart(" ecid=");
  put_hex(mmio_read64(CFG_BASE + 0x18));
  puts_uart(" ram_size=");
  put_hex(mmio_read64(CFG_BASE + 0x20));
  puts_uart("\n");

  puts_uart("firmware: psci version ");
  put_hex((uint64_t)psci_call(PSCI_VERSION, 0, 0, 0));
  puts_uart("\n");

  gic_init();
  uint64_t freq = read_sysreg(cntfrq_el0);
  write_sysreg(cntp_tval_el0, freq / 100);  // 10 ms
  write_sysreg(cntp_ctl_el0, 1);
  __asm__ volatile("msr daifclr, #2");  // unmask IRQ
  while (timer_irqs == 0) __asm__ volatile("wfi");
  __asm__ volatile("msr daifset, #2");
  puts_uart("firmware: timer interrupt taken through the GIC (INTID 30)\n");

  puts_uart("firmware: powering off\n");
  return 0;
}
