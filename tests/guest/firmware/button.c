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
  gic_init_ppi(TIMER_INTID);
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
