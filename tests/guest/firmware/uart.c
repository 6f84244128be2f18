// PL011 output for the test firmware (polled, no interrupts).
#include "firmware.h"

void uart_putc(char c) {
  while (mmio_read32(UART_BASE + 0x18) & (1u << 5)) {  // UARTFR.TXFF
  }
  mmio_write32(UART_BASE + 0x00, (uint8_t)c);
}

void uart_puts(const char* s) {
  for (; *s; ++s) {
    if (*s == '\n') uart_putc('\r');
    uart_putc(*s);
  }
}

void uart_put_hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[19] = "0x";
  for (int i = 0; i < 16; ++i)
    buf[2 + i] = digits[(v >> (60 - 4 * i)) & 15];
  buf[18] = 0;
  uart_puts(buf);
}

void uart_put_dec(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  uart_puts(&buf[i]);
}
