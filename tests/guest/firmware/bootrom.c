// Boot-ROM test firmware: does at the register level what Apple's first-stage
// boot ROM does on the vmapple machine, and checks every answer against what
// its system test (tests/system/bootrom_test.cc) set up: the cfg region
// (spec 3), sectors of the aux and root disks through the bdif backdoor
// (spec 5), AES decryption with completion signalled by a FLAG interrupt on
// SPI 18 through the GICv3 (spec 4), the secondary CPUs' MPIDR (spec 2.3) and
// a PSCI SYSTEM_RESET after which the cfg region and the firmware are fresh
// again (spec 2.6, 3.1). Each step is reported on the PL011; a failed check
// prints "bootrom: FAIL: ..." and reports a panic through pvpanic.
#include "bootrom_params.h"
#include "firmware.h"

#define PVPANIC_BASE 0x20070000ul
#define BDIF_ROOT 0x30000000ul
#define BDIF_AUX 0x30010000ul
#define AES_BASE 0x30220000ul

#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_SYSTEM_RESET 0x84000009ul

// Work areas in RAM (0x7000_0000); the test gives the machine 64 MiB.
#define RAM_BASE 0x70000000ul
#define BDIF_DESC (RAM_BASE + 0x0000)
#define BDIF_HEADER (RAM_BASE + 0x0100)
#define BDIF_STATUS (RAM_BASE + 0x0200)
#define RESET_MARKER (RAM_BASE + 0x0f00)  // survives system reset, as RAM does
#define DATA_BUF (RAM_BASE + 0x100000)
#define AES_SRC (RAM_BASE + 0x200000)
#define AES_DST (RAM_BASE + 0x300000)
#define RESET_MAGIC 0x7265736574746573ull  // an unlikely RAM value

#define AES_INTID 50  // SPI 18
#define WAIT_SPINS 10000000u

// The test patches this block in the image (bootrom_params.h). Its magic must
// be the only copy of BOOTROM_MAGIC in the image.
struct bootrom_params params __attribute__((aligned(16))) = {.magic = BOOTROM_MAGIC};
// A .data word the first boot changes: after a system reset it must be back.
uint32_t reset_witness = 0x600d;

static volatile uint32_t aes_irqs;
static volatile uint32_t aes_flag_info;
static volatile uint32_t other_irqs;
static volatile uint64_t secondary_mpidr;

static inline void mmio_write64(uint64_t addr, uint64_t v) {
  *(volatile uint64_t*)addr = v;
}
static inline uint8_t mmio_read8(uint64_t addr) {
  return *(volatile uint8_t*)addr;
}
static const volatile struct bootrom_params* p(void) {
  return (const volatile struct bootrom_params*)&params;
}

// --- reporting -------------------------------------------------------------

static void say(const char* s) {
  uart_puts("bootrom: ");
  uart_puts(s);
}

static void __attribute__((noreturn)) fail(const char* what, uint64_t got, uint64_t expected) {
  say("FAIL: ");
  uart_puts(what);
  uart_puts(" (got ");
  uart_put_hex(got);
  uart_puts(", expected ");
  uart_put_hex(expected);
  uart_puts(")\n");
  mmio_write8(PVPANIC_BASE, 1);  // PANICKED: the VMM exits with status 3
  for (;;)
    __asm__ volatile("wfi");
}

static void expect(const char* what, uint64_t got, uint64_t expected) {
  if (got != expected) fail(what, got, expected);
}

void exception_handler(uint64_t kind) {
  if ((kind & 3) != 1) {
    uart_puts("bootrom: exception ESR ");
    uart_put_hex(read_sysreg(esr_el1));
    uart_puts(" FAR ");
    uart_put_hex(read_sysreg(far_el1));
    uart_puts("\n");
    fail("unexpected exception at ELR", read_sysreg(elr_el1), kind);
  }
  uint64_t intid = read_sysreg(S3_0_C12_C12_0);  // ICC_IAR1_EL1
  if (intid == AES_INTID) {
    // A level interrupt: clearing IRQ_STATUS.flag drops it before the EOI.
    aes_flag_info = mmio_read32(AES_BASE + 0x30);
    mmio_write32(AES_BASE + 0x18, 1u << 5);
    ++aes_irqs;
  } else {
    ++other_irqs;
  }
  write_sysreg(S3_0_C12_C12_1, intid);  // ICC_EOIR1_EL1
}

// --- cfg region (spec 3.2) ------------------------------------------------

static void expect_string(const char* what, uint64_t addr, const char* s) {
  for (uint64_t i = 0; i < 32; ++i) {
    uint8_t c = mmio_read8(addr + i);
    expect(what, c, (uint8_t)*s);
    if (!*s) return;
    ++s;
  }
  fail(what, 32, 31);
}

static void check_cfg(void) {
  expect("cfg version", mmio_read32(CFG_BASE + 0x000), 2);
  expect("cfg nr_cpus", mmio_read32(CFG_BASE + 0x004), p()->nr_cpus);
  expect("cfg ecid", mmio_read64(CFG_BASE + 0x018), p()->ecid);
  expect("cfg ram_size", mmio_read64(CFG_BASE + 0x020), p()->ram_size);
  for (uint32_t i = 0; i < 128; ++i)
    expect("cfg cpu_ids[i]", mmio_read32(CFG_BASE + 0x100 + 4 * i), i < p()->nr_cpus ? i : 0);
  expect_string("cfg serial", CFG_BASE + 0x500, "1234");
  expect_string("cfg model", CFG_BASE + 0x540, "VM0001");
  expect_string("cfg soc_name", CFG_BASE + 0x584, "Apple M1 (Virtual)");
  say("cfg version 2 nr_cpus ");
  uart_put_dec(p()->nr_cpus);
  uart_puts(" ecid ");
  uart_put_hex(p()->ecid);
  uart_puts(" ram_size ");
  uart_put_hex(p()->ram_size);
  uart_puts(" ok\n");
}

// --- bdif backdoor (spec 5) -----------------------------------------------

#define BDIF_OP_READ 0x00030001u
#define BDIF_OP_WRITE 0x00010001u

// One request through the window's CMD register; returns the status byte
// (0xee if the device did not write one).
static uint8_t bdif_request(uint64_t window, uint32_t lba, uint64_t buf, uint32_t len, uint32_t op,
                            uint32_t header_len) {
  mmio_write64(BDIF_DESC + 0x00, BDIF_HEADER);
  mmio_write32(BDIF_DESC + 0x08, header_len);
  mmio_write32(BDIF_DESC + 0x0c, 0);
  mmio_write64(BDIF_DESC + 0x10, buf);
  mmio_write32(BDIF_DESC + 0x18, len);
  mmio_write32(BDIF_DESC + 0x1c, op);
  mmio_write64(BDIF_DESC + 0x20, BDIF_STATUS);
  mmio_write32(BDIF_DESC + 0x28, 1);
  mmio_write32(BDIF_DESC + 0x2c, 0);
  mmio_write64(BDIF_HEADER + 0, 0);
  mmio_write32(BDIF_HEADER + 8, lba);
  mmio_write32(BDIF_HEADER + 12, 0);
  mmio_write8(BDIF_STATUS, 0xee);
  mmio_write64(window + 0x408, BDIF_DESC);  // CMD: runs the request synchronously
  return mmio_read8(BDIF_STATUS);
}

static void fill(uint64_t buf, uint32_t len, uint32_t word) {
  for (uint32_t i = 0; i < len; i += 4)
    mmio_write32(buf + i, word);
}

// Checks `count` sectors at `buf` against the pattern of `tag` from `lba`.
static void check_pattern(const char* what, uint64_t buf, uint32_t tag, uint32_t lba,
                          uint32_t count) {
  for (uint32_t s = 0; s < count; ++s)
    for (uint32_t i = 0; i < 128; ++i) {
      uint32_t got = mmio_read32(buf + 512 * s + 4 * i);
      if (got != bootrom_pattern_word(tag, lba + s, i)) {
        say("mismatch in sector ");
        uart_put_dec(lba + s);
        uart_puts(" word ");
        uart_put_dec(i);
        uart_puts("\n");
        fail(what, got, bootrom_pattern_word(tag, lba + s, i));
      }
    }
}

static void check_untouched(const char* what, uint64_t buf, uint32_t len, uint32_t word) {
  for (uint32_t i = 0; i < len; i += 4)
    expect(what, mmio_read32(buf + i), word);
}

static void check_window_registers(void) {
  expect("bdif root STATUS", mmio_read32(BDIF_ROOT + 0x000), 1);
  expect("bdif root CFG", mmio_read32(BDIF_ROOT + 0x004), 2);
  expect("bdif root BUSY", mmio_read32(BDIF_ROOT + 0x010), 1);
  expect("bdif root NEXT_DEVICE", mmio_read32(BDIF_ROOT + 0x420), 0x08000000);
  expect("bdif aux STATUS", mmio_read32(BDIF_AUX + 0x000), 1);
  expect("bdif aux NEXT_DEVICE", mmio_read32(BDIF_AUX + 0x420), 0x00010000);
  say("bdif root and aux windows present\n");
}

// Every sector alone, then all of them in one request.
static void check_disk(const char* name, uint64_t window, uint32_t tag, uint32_t sectors) {
  for (uint32_t lba = 0; lba < sectors; ++lba) {
    fill(DATA_BUF, 512, 0);
    expect("bdif single-sector read status",
           bdif_request(window, lba, DATA_BUF, 512, BDIF_OP_READ, 16), 0);
    check_pattern(name, DATA_BUF, tag, lba, 1);
  }
  fill(DATA_BUF, 512 * sectors, 0);
  expect("bdif multi-sector read status",
         bdif_request(window, 0, DATA_BUF, 512 * sectors, BDIF_OP_READ, 16), 0);
  check_pattern(name, DATA_BUF, tag, 0, sectors);
  say(name);
  uart_puts(": ");
  uart_put_dec(sectors);
  uart_puts(" sectors read one by one and in one ");
  uart_put_dec(512 * sectors);
  uart_puts("-byte read: pattern ok\n");
}

// A request the device must answer with status 1, leaving the buffer alone.
static void expect_failure(const char* what, uint64_t window, uint32_t lba, uint32_t len,
                           uint32_t op, uint32_t header_len) {
  const uint32_t poison = 0x5a5a5a5a;
  fill(DATA_BUF, 1024, poison);
  expect(what, bdif_request(window, lba, DATA_BUF, len, op, header_len), 1);
  check_untouched(what, DATA_BUF, 1024, poison);
}

static void check_bdif_failures(void) {
  uint32_t root_end = p()->root_sectors + p()->cipher_sectors;
  expect_failure("bdif root read past the end", BDIF_ROOT, root_end, 512, BDIF_OP_READ, 16);
  expect_failure("bdif root read across the end", BDIF_ROOT, root_end - 1, 1024, BDIF_OP_READ, 16);
  expect_failure("bdif aux read past the end", BDIF_AUX, p()->aux_sectors, 512, BDIF_OP_READ, 16);
  expect_failure("bdif write", BDIF_ROOT, 0, 512, BDIF_OP_WRITE, 16);
  expect_failure("bdif sector header length 8", BDIF_ROOT, 0, 512, BDIF_OP_READ, 8);
  say("bdif: reads past and across the end, a write and a bad header fail with status 1\n");
}

// --- GICv3 ------------------------------------------------------------------

static void gic_init(void) {
  mmio_write32(GICD_BASE + 0x0000, (1u << 4) | (1u << 1));  // GICD_CTLR: ARE, EnableGrp1
  uint64_t rd = GICR_BASE;
  mmio_write32(rd + 0x14, mmio_read32(rd + 0x14) & ~(1u << 1));  // GICR_WAKER.ProcessorSleep
  for (uint32_t i = 0; mmio_read32(rd + 0x14) & (1u << 2); ++i)  // ChildrenAsleep
    if (i == WAIT_SPINS) fail("GICR_WAKER.ChildrenAsleep", 1, 0);
  // SPI 18 = INTID 50: group 1, priority 0x80, level, routed to CPU 0, enabled.
  uint32_t bit = 1u << (AES_INTID % 32);
  uint64_t n = 4 * (AES_INTID / 32);
  mmio_write32(GICD_BASE + 0x0080 + n, mmio_read32(GICD_BASE + 0x0080 + n) | bit);
  mmio_write8(GICD_BASE + 0x0400 + AES_INTID, 0x80);
  mmio_write64(GICD_BASE + 0x6000 + 8 * AES_INTID, 0);
  mmio_write32(GICD_BASE + 0x0100 + n, bit);
  write_sysreg(S3_0_C12_C12_5, 0x7);  // ICC_SRE_EL1
  __asm__ volatile("isb");
  write_sysreg(S3_0_C4_C6_0, 0xff);  // ICC_PMR_EL1
  write_sysreg(S3_0_C12_C12_7, 1);   // ICC_IGRPEN1_EL1
  __asm__ volatile("isb");
  say("gic: distributor, redistributor 0 and CPU interface on, INTID 50 enabled\n");
}

// --- AES engine (spec 4) --------------------------------------------------

#define AES_KEY(ctx, select, len_code, encrypt, cbc)                                             \
  (0x10000000u | (uint32_t)(ctx) << 27 | (uint32_t)(select) << 24 | (uint32_t)(len_code) << 22 | \
   (uint32_t)(encrypt) << 20 | (uint32_t)(cbc) << 16)
#define AES_LEN_128 0
#define AES_LEN_256 2

static void aes_push(uint32_t word) {
  mmio_write32(AES_BASE + 0x200, word);
}

static void aes_push_bytes(const volatile uint8_t* b, unsigned n) {
  for (unsigned i = 0; i < n; i += 4)
    aes_push((uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 |
             (uint32_t)b[i + 3] << 24);
}

static void aes_data(unsigned ctx, uint32_t len, uint64_t src, uint64_t dst) {
  aes_push(0x50000000u | (uint32_t)ctx << 27 | len);
  aes_push((uint32_t)(src >> 32 & 0xffff) << 16 | (uint32_t)(dst >> 32 & 0xffff));
  aes_push((uint32_t)src);
  aes_push((uint32_t)dst);
}

// FLAG with "raise interrupt", then wait with IRQs unmasked until the
// handler has taken INTID 50 and seen our info byte.
static void aes_wait(uint8_t info) {
  uint32_t before = aes_irqs;
  aes_push(0x88000000u | info);
  // The level is up through the GIC before the IRQ is unmasked.
  expect("GICD_ISPENDR1 bit 18 after FLAG",
         mmio_read32(GICD_BASE + 0x0200 + 4 * (AES_INTID / 32)) >> (AES_INTID % 32) & 1, 1);
  __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
  for (uint32_t i = 0; aes_irqs == before; ++i)
    if (i == WAIT_SPINS) fail("AES FLAG interrupt never came", aes_irqs, before + 1);
  __asm__ volatile("msr daifset, #2\n isb" ::: "memory");
  expect("AES FLAG_INFO seen by the handler", aes_flag_info, info);
  expect("AES IRQ_STATUS after the handler", mmio_read32(AES_BASE + 0x18), 0);
  expect("other interrupts", other_irqs, 0);
}

static void write_bytes(uint64_t addr, const uint8_t* b, unsigned n) {
  for (unsigned i = 0; i < n; ++i)
    mmio_write8(addr + i, b[i]);
}

// FIPS-197 appendix C.1: AES-128 encryption of one block.
static void aes_fips197(void) {
  static const uint8_t key[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  static const uint8_t plain[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  static const uint8_t cipher[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                     0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
  write_bytes(AES_SRC, plain, 16);
  fill(AES_DST, 16, 0);
  aes_push(AES_KEY(0, 0, AES_LEN_128, 1, 0));
  aes_push_bytes(key, 16);
  aes_data(0, 16, AES_SRC, AES_DST);
  aes_wait(0x11);
  for (unsigned i = 0; i < 16; ++i)
    expect("AES-128 ECB FIPS-197 ciphertext byte", mmio_read8(AES_DST + i), cipher[i]);
  say("aes: FIPS-197 AES-128 ECB known answer ok\n");
}

// The test encrypted `cipher_sectors` of the plaintext pattern with
// AES-256-CBC and stored them on the root disk after its pattern sectors.
static void aes_decrypt_root(void) {
  uint32_t n = p()->cipher_sectors, len = 512 * n;
  expect("bdif ciphertext read status",
         bdif_request(BDIF_ROOT, p()->root_sectors, AES_SRC, len, BDIF_OP_READ, 16), 0);
  fill(AES_DST, len, 0);
  aes_push(AES_KEY(0, 0, AES_LEN_256, 0, 1));
  aes_push_bytes(p()->cipher_key, 32);
  aes_push(0x20000000u);  // IV, slot 0
  aes_push_bytes(p()->cipher_iv, 16);
  aes_data(0, len, AES_SRC, AES_DST);
  aes_wait(0x22);
  check_pattern("AES-256-CBC plaintext", AES_DST, BOOTROM_TAG_PLAIN, 0, n);
  say("aes: AES-256-CBC decryption of ");
  uart_put_dec(n);
  uart_puts(" root sectors (key and IV through the FIFO) ok\n");
}

// Built-in key 1 is documented as 32 bytes {1, 0, ...}: what it encrypts, that
// key loaded by hand into the other context decrypts.
static void aes_builtin_key(void) {
  const uint32_t len = 64;
  for (uint32_t i = 0; i < len; i += 4)
    mmio_write32(AES_SRC + i, bootrom_pattern_word(BOOTROM_TAG_PLAIN, 99, i / 4));
  aes_push(AES_KEY(1, 1, 0, 1, 0));  // context 1 <- built-in key 1, encrypt, ECB
  aes_data(1, len, AES_SRC, AES_DST);
  aes_wait(0x33);
  uint32_t same = 0;
  for (uint32_t i = 0; i < len; i += 4)
    same += mmio_read32(AES_DST + i) == mmio_read32(AES_SRC + i);
  expect("AES built-in key: words left unencrypted", same, 0);
  static const uint8_t key1[32] = {1};
  aes_push(AES_KEY(0, 0, AES_LEN_256, 0, 0));  // context 0 <- {1, 0...}, decrypt, ECB
  aes_push_bytes(key1, 32);
  aes_data(0, len, AES_DST, AES_DST);  // in place
  aes_wait(0x44);
  for (uint32_t i = 0; i < len; i += 4)
    expect("AES built-in key 1 round trip", mmio_read32(AES_DST + i),
           bootrom_pattern_word(BOOTROM_TAG_PLAIN, 99, i / 4));
  say("aes: built-in key 1 encrypts like the key {1, 0, ...} decrypts\n");
}

static void check_aes(void) {
  expect("AES STATUS", mmio_read32(AES_BASE + 0x0c), 0x3f80);
  mmio_write32(AES_BASE + 0x1c, 1u << 5);  // IRQ_ENABLE: flag
  aes_fips197();
  aes_decrypt_root();
  aes_builtin_key();
  say("aes: ");
  uart_put_dec(aes_irqs);
  uart_puts(" FLAG interrupts taken through the GIC (INTID 50)\n");
}

// --- CPUs (spec 2.3) ---------------------------------------------------------

void secondary_entry(void);
static uint8_t secondary_stack[4096] __attribute__((aligned(16)));

void secondary_main(uint64_t aff0) {
  (void)aff0;
  secondary_mpidr = read_sysreg(mpidr_el1);
}

// The last CPU, n = nr_cpus - 1, has Aff1 = n / 16 and Aff0 = n % 16: PSCI
// CPU_ON finds it by that affinity and it reads it back from MPIDR_EL1.
static void check_last_cpu(void) {
  uint32_t n = p()->nr_cpus - 1;
  if (n == 0) return;
  uint64_t aff = (uint64_t)(n / 16) << 8 | n % 16;
  uint64_t typer = mmio_read64(GICR_BASE + 0x20000ul * n + 0x08);
  expect("GICR_TYPER affinity of the last CPU", typer >> 32, aff);
  int64_t r = psci_call(PSCI_CPU_ON, aff, (uint64_t)secondary_entry,
                        (uint64_t)(secondary_stack + sizeof secondary_stack));
  expect("PSCI CPU_ON of the last CPU", (uint64_t)r, 0);
  for (uint32_t i = 0; secondary_mpidr == 0; ++i)
    if (i == WAIT_SPINS) fail("last CPU never ran", 0, aff);
  expect("MPIDR_EL1 of the last CPU", secondary_mpidr, 0x80000000ull | aff);
  for (uint32_t i = 0; psci_call(PSCI_AFFINITY_INFO, aff, 0, 0) != 1; ++i)  // OFF
    if (i == WAIT_SPINS) fail("last CPU never powered off", 0, 1);
  say("cpu ");
  uart_put_dec(n);
  uart_puts(" (MPIDR ");
  uart_put_hex(secondary_mpidr);
  uart_puts(") started with PSCI CPU_ON and powered off\n");
}

// --- system reset (spec 2.6, 3.1) ----------------------------------------

// First boot: remember rnd, scribble on cfg and on the firmware's data, reset.
static void __attribute__((noreturn)) system_reset(void) {
  mmio_write64(RESET_MARKER, RESET_MAGIC);
  mmio_write32(RESET_MARKER + 8, mmio_read32(CFG_BASE + 0x38));
  mmio_write32(CFG_BASE + 0x000, 0xdeadbeef);
  mmio_write32(CFG_BASE + 0x38, ~mmio_read32(CFG_BASE + 0x38));
  mmio_write32(CFG_BASE + 0xf000, 0xdeadbeef);
  *(volatile uint32_t*)&reset_witness = 0xbad;
  say("system reset\n");
  psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
  fail("PSCI SYSTEM_RESET returned", 1, 0);
}

static void after_reset(void) {
  uint32_t rnd = mmio_read32(RESET_MARKER + 8);
  mmio_write64(RESET_MARKER, 0);
  expect("cfg version after reset", mmio_read32(CFG_BASE + 0x000), 2);
  expect("cfg rnd after reset", mmio_read32(CFG_BASE + 0x38), rnd);
  expect("cfg scratch after reset", mmio_read32(CFG_BASE + 0xf000), 0);
  expect("firmware data after reset", *(volatile uint32_t*)&reset_witness, 0x600d);
  check_cfg();
  say("after reset: cfg rewritten with the same rnd ");
  uart_put_hex(rnd);
  uart_puts(", firmware data re-copied\n");
}

int main(void) {
  mmio_write32(UART_BASE + 0x30, 0x301);  // UARTCR: UARTEN, TXE, RXE
  if (mmio_read64(RESET_MARKER) == RESET_MAGIC) {
    after_reset();
    say("all checks passed, powering off\n");
    return 0;  // start.S: PSCI SYSTEM_OFF
  }
  say("start\n");
  check_cfg();
  check_window_registers();
  check_disk("aux", BDIF_AUX, BOOTROM_TAG_AUX, p()->aux_sectors);
  check_disk("root", BDIF_ROOT, BOOTROM_TAG_ROOT, p()->root_sectors);
  check_bdif_failures();
  gic_init();
  check_aes();
  check_last_cpu();
  write_sysreg(cntp_ctl_el0, 0);  // as macOS does at boot (spec 2.3)
  __asm__ volatile("isb");
  say("CNTP_CTL_EL0 write accepted\n");
  system_reset();
}
