// Direct-boot protocol check (booting.rst): prints what the loader handed
// over, then resets once through PSCI and powers off on the second boot.
// A word in .data proves the image is written again at reset, a word far
// above the image (never written by the loader) counts the boots.
#include "../firmware/firmware.h"

struct BootRegs {
  uint64_t x[4];
  uint64_t current_el, daif, sctlr, spsel;
};
struct BootRegs boot_regs;
static volatile uint32_t image_dirty = 0;  // .bss: 0 in a freshly loaded image
#define BOOT_COUNT_ADDR 0x77000000ul       // inside 256 MiB of RAM, past the DTB

static uint32_t be32(uint64_t addr) {
  uint32_t v = *(volatile uint32_t*)addr;
  return __builtin_bswap32(v);
}

void image_main(struct BootRegs* r) {
  volatile uint64_t* count = (volatile uint64_t*)BOOT_COUNT_ADDR;
  uint64_t boot = *count + 1;
  *count = boot;
  uart_puts("boot ");
  uart_put_dec(boot);
  uart_puts(": x0 ");
  uart_put_hex(r->x[0]);
  uart_puts(r->x[1] == 0 && r->x[2] == 0 && r->x[3] == 0 ? " x1-x3 zero" : " x1-x3 NONZERO");
  uart_puts(be32(r->x[0]) == 0xd00dfeed ? " fdt-magic" : " NO-FDT");
  uart_puts((r->current_el >> 2) == 1 ? " EL1" : " NOT-EL1");
  uart_puts(r->spsel == 1 ? "h" : "t");
  uart_puts((r->daif & 0x3c0) == 0x3c0 ? " daif-masked" : " DAIF-OPEN");
  uart_puts((r->sctlr & 1) == 0 ? " mmu-off" : " MMU-ON");
  uart_puts(image_dirty == 0 ? " fresh-image\n" : " STALE-IMAGE\n");
  image_dirty = 1;
  if (boot == 1) psci_call(0x84000009, 0, 0, 0);  // SYSTEM_RESET
  psci_call(0x84000008, 0, 0, 0);                 // SYSTEM_OFF
}
