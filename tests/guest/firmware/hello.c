// The test firmware: prints through the PL011, reads the cfg region, takes a
// physical-timer interrupt through the GICv3 and powers off with PSCI.
#include "firmware.h"

#define PSCI_VERSION 0x84000000ul
#define PSCI_SYSTEM_OFF 0x84000008ul

static volatile uint32_t timer_irqs;

void exception_handler(uint64_t kind) {
  if ((kind & 3) == 1) {                           // IRQ
    uint64_t intid = read_sysreg(S3_0_C12_C12_0);  // ICC_IAR1_EL1
    if (intid == 30) {
      write_sysreg(cntp_ctl_el0, 2);  // IMASK: the level drops
      ++timer_irqs;
    }
    write_sysreg(S3_0_C12_C12_1, intid);  // ICC_EOIR1_EL1
    return;
  }
  uart_puts("firmware: unexpected exception kind ");
  uart_put_dec(kind);
  uart_puts(" ESR ");
  uart_put_hex(read_sysreg(esr_el1));
  uart_puts(" ELR ");
  uart_put_hex(read_sysreg(elr_el1));
  uart_puts(" FAR ");
  uart_put_hex(read_sysreg(far_el1));
  uart_puts("\n");
  psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

int main(void) {
  mmio_write32(UART_BASE + 0x30, 0x301);  // UARTCR: UARTEN, TXE, RXE
  uart_puts("firmware: hello from the vmapple machine\n");

  uart_puts("firmware: cfg nr_cpus=");
  uart_put_dec(mmio_read32(CFG_BASE + 0x04));
  uart_puts(" ecid=");
  uart_put_hex(mmio_read64(CFG_BASE + 0x18));
  uart_puts(" ram_size=");
  uart_put_hex(mmio_read64(CFG_BASE + 0x20));
  uart_puts("\n");

  uart_puts("firmware: psci version ");
  uart_put_hex((uint64_t)psci_call(PSCI_VERSION, 0, 0, 0));
  uart_puts("\n");

  gic_init_ppi(30);
  uint64_t freq = read_sysreg(cntfrq_el0);
  write_sysreg(cntp_tval_el0, freq / 100);  // 10 ms
  write_sysreg(cntp_ctl_el0, 1);
  __asm__ volatile("msr daifclr, #2");  // unmask IRQ
  while (timer_irqs == 0)
    __asm__ volatile("wfi");
  __asm__ volatile("msr daifset, #2");
  uart_puts("firmware: timer interrupt taken through the GIC (INTID 30)\n");

  uart_puts("firmware: powering off\n");
  return 0;
}

// hello starts no other CPU.
void secondary_main(uint64_t cpu) {
  (void)cpu;
}
