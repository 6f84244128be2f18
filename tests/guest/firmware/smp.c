// SMP test firmware: CPU 0 starts CPU 1 with PSCI CPU_ON; both increment a
// counter under a spinlock built from LDAXR/STXR and STLR, and a second
// counter with an LDXR/STXR atomic add; CPU 0 waits for CPU 1 to power off
// (AFFINITY_INFO) and checks both totals.
#include "firmware.h"

#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define ITERATIONS 20000

void secondary_entry(void);

static volatile uint32_t lock;
static volatile uint64_t locked_counter;
static volatile uint64_t atomic_counter;
static volatile uint32_t started;
static uint8_t secondary_stack[8192] __attribute__((aligned(16)));

static void spin_lock(volatile uint32_t* l) {
  uint32_t tmp, busy;
  __asm__ volatile(
      "   sevl\n"
      "1: wfe\n"
      "2: ldaxr %w0, [%2]\n"
      "   cbnz %w0, 1b\n"
      "   mov %w1, #1\n"
      "   stxr %w0, %w1, [%2]\n"
      "   cbnz %w0, 2b\n"
      : "=&r"(tmp), "=&r"(busy)
      : "r"(l)
      : "memory");
}

static void spin_unlock(volatile uint32_t* l) {
  __asm__ volatile("stlr wzr, [%0]\n sev" ::"r"(l) : "memory");
}

static void atomic_add(volatile uint64_t* p, uint64_t v) {
  uint64_t old, status;
  __asm__ volatile(
      "1: ldxr %0, [%2]\n"
      "   add %0, %0, %3\n"
      "   stxr %w1, %0, [%2]\n"
      "   cbnz %w1, 1b\n"
      : "=&r"(old), "=&r"(status)
      : "r"(p), "r"(v)
      : "memory");
}

static void work(void) {
  for (int i = 0; i < ITERATIONS; ++i) {
    spin_lock(&lock);
    locked_counter = locked_counter + 1;  // a plain read-modify-write
    spin_unlock(&lock);
    atomic_add(&atomic_counter, 1);
  }
}

void secondary_main(uint64_t cpu) {
  (void)cpu;
  started = 1;
  work();
}

void exception_handler(uint64_t kind) {
  uart_puts("smp: unexpected exception kind ");
  uart_put_dec(kind);
  uart_puts("\n");
  psci_call(0x84000008ul, 0, 0, 0);
}

int main(void) {
  mmio_write32(UART_BASE + 0x30, 0x301);
  int64_t r = psci_call(PSCI_CPU_ON, 1, (uint64_t)secondary_entry,
                        (uint64_t)(secondary_stack + sizeof secondary_stack));
  uart_puts(r == 0 ? "smp: cpu1 started\n" : "smp: CPU_ON failed\n");
  if (r != 0) return 0;
  while (!started) {
  }
  work();
  while (psci_call(PSCI_AFFINITY_INFO, 1, 0, 0) != 1) {  // until OFF
  }
  uart_puts("smp: locked counter ");
  uart_put_dec(locked_counter);
  uart_puts(" atomic counter ");
  uart_put_dec(atomic_counter);
  uart_puts(locked_counter == 2 * ITERATIONS && atomic_counter == 2 * ITERATIONS ? " OK\n"
                                                                                 : " WRONG\n");
  return 0;
}
