// What the boot-ROM test firmware (bootrom.c) expects, shared with its system
// test (tests/system/bootrom_test.cc). The firmware image carries one
// bootrom_params block in .data, found by its magic; the test patches it with
// the values it passes on the command line and the disk layout it writes.
// Both sides also share the disk pattern: word i of 512-byte sector `lba` of
// the disk tagged `tag` (the test writes it, the firmware checks it).
#pragma once
#include <stdint.h>

#define BOOTROM_MAGIC "VMAPPLE-BOOTROM"  // 15 characters and the NUL

#define BOOTROM_TAG_AUX 0x41555830u     // "AUX0": aux sectors, after the header
#define BOOTROM_TAG_HEADER 0x48445230u  // "HDR0": the aux file's 16 KiB header
#define BOOTROM_TAG_ROOT 0x524f4f54u    // "ROOT": root sectors
#define BOOTROM_TAG_PLAIN 0x504c4149u   // "PLAI": plaintext of the ciphertext

struct bootrom_params {
  char magic[16];
  uint64_t ecid;            // cfg ecid (--ecid)
  uint64_t ram_size;        // cfg ram_size (--memory)
  uint32_t nr_cpus;         // cfg nr_cpus (--cpus)
  uint32_t aux_sectors;     // pattern sectors of the aux disk (after its header)
  uint32_t root_sectors;    // pattern sectors at the start of the root disk
  uint32_t cipher_sectors;  // AES-256-CBC ciphertext right after them
  uint8_t cipher_key[32];   // its key and IV
  uint8_t cipher_iv[16];
};

static inline uint32_t bootrom_mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

static inline uint32_t bootrom_pattern_word(uint32_t tag, uint32_t lba, uint32_t i) {
  return bootrom_mix(bootrom_mix(tag ^ bootrom_mix(lba)) + i);
}
