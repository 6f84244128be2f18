// Power-button test firmware: waits for the host to press the power button
// (a PL061 input, line 3: spec 2.9), polling its data register every 10 ms
// on the physical timer's interrupt, then powers off with PSCI SYSTEM_OFF.
// The control socket's system test (tests/system/control_test.cc) presses
// the button through `vmapple ctl PATH power-button`.
#include "firmware.h"

#define GPIO_BASE 0x20060000ul
#define POWER_LINE 3
#define TIMER_INTID 30

static volatile uint32_t ticks;

static void timer_arm(void) {
  write_sysreg(cntp_tval_el0, read_sysreg(cntfrq_el0) / 100);  // 10 ms
  write_sysreg(cntp_ctl_el0, 1);                               // ENABLE, not masked
}

static void gic_init(void) {
  mmio_write32(GICD_BASE + 0x0000, (1u << 4) | (1u << 1));  // ARE, EnableGrp1NS
  uint64_t rd = GICR_BASE, sgi = GICR_BASE + 0x10000;
  mmio_write32(rd + 0x14, mmio_read32(rd + 0x14) & ~(1u << 1));  // GICR_WAKER.ProcessorSleep
  while (mmio_read32(rd + 0x14) & (1u << 2)) {
  }
  mmio_write32(sgi + 0x80, mmio_read32(sgi + 0x80) | (1u << TIMER_INTID));  // group 1
  mmio_write8(sgi + 0x400 + TIMER_INTID, 0x80);                             // priority
  mmio_write32(sgi + 0x100, 1u << TIMER_INTID);                             // enable
  write_sysreg(S3_0_C12_C12_5, 0x7);                                        // ICC_SRE_EL1
  __asm__ volatile("isb");
  write_sysreg(S3_0_C4_C6_0, 0xff);  // ICC_PMR_EL1
  write_sysreg(S3_0_C12_C12_7, 1);   // ICC_IGRPEN1_EL1
  __asm__ volatile("isb");
}

void exception_handler(uint64_t kind) {
  if ((kind & 3) == 1) {
    uint64_t intid = read_sysreg(S3_0_C12_C12_0);  // ICC_IAR1_EL1
    if (intid == TIMER_INTID) {
      ++ticks;
      timer_arm();
    }
    write_sysreg(S3_0_C12_C12_1, intid);  // ICC_EOIR1_EL1
    return;
  }
  uart_puts("button: unexpected exception\n");
  psci_call(0x84000008ul, 0, 0, 0);
}

static int button_down(void) {
  // GPIODATA with address bit 2 + line selected: only that line reads back.
  return (mmio_read32(GPIO_BASE + ((1u << POWER_LINE) << 2)) >> POWER_LINE) & 1;
}

int main(void) {
  mmio_write32(UART_BASE + 0x30, 0x301);  // UARTCR: UARTEN, TXE, RXE
  mmio_write32(GPIO_BASE + 0x400, 0);     // GPIODIR: all inputs
  gic_init();
  timer_arm();
  __asm__ volatile("msr daifclr, #2");
  uart_puts("button: waiting for the power button\n");
  while (!button_down())
    __asm__ volatile("wfi");
  __asm__ volatile("msr daifset, #2");
  uart_puts("button: pressed after ");
  uart_put_dec(ticks);
  uart_puts(" ticks; powering off\n");
  return 0;
}

void secondary_main(uint64_t cpu) {
  (void)cpu;
}
