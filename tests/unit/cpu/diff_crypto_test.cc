// Random-instruction differential test of the cryptographic extension and
// CRC32 against qemu-aarch64 (diff_harness.h; qemu's cortex-a57 has AES,
// PMULL, SHA1, SHA256 and CRC32): AESE/AESD/AESMC/AESIMC, the SHA1 and
// SHA256 instructions, PMULL/PMULL2 (8-bit and 64-bit lanes) and
// CRC32{,C}{B,H,W,X}, on random registers (Vd may equal Vn/Vm) and random
// operand bits.
#include <gtest/gtest.h>

#include "unit/cpu/diff_groups.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 3000;

// Rd, Rn, Rm with Rn/Rm sometimes equal to Rd.
uint32_t regs3(Rng& r) {
  const unsigned d = reg(r);
  const unsigned n = r.chance(15) ? d : reg(r), m = r.chance(15) ? d : reg(r);
  return m << 16 | n << 5 | d;
}

void gen_aes(Rng& r, const CaseContext&, Case& c) {
  static constexpr uint32_t kOps[] = {0x4e284800, 0x4e285800, 0x4e286800, 0x4e287800};
  c.insn = kOps[r.below(4)] | (regs3(r) & 0x3ff);
}

void gen_sha1(Rng& r, const CaseContext&, Case& c) {
  // SHA1C SHA1P SHA1M SHA1SU0 (three registers), SHA1H SHA1SU1 (two).
  static constexpr uint32_t kOps[] = {0x5e000000, 0x5e001000, 0x5e002000,
                                      0x5e003000, 0x5e280800, 0x5e281800};
  const unsigned k = r.below(6);
  c.insn = kOps[k] | (k < 4 ? regs3(r) : regs3(r) & 0x3ff);
}

void gen_sha256(Rng& r, const CaseContext&, Case& c) {
  // SHA256H SHA256H2 SHA256SU1 (three registers), SHA256SU0 (two).
  static constexpr uint32_t kOps[] = {0x5e004000, 0x5e005000, 0x5e006000, 0x5e282800};
  const unsigned k = r.below(4);
  c.insn = kOps[k] | (k < 3 ? regs3(r) : regs3(r) & 0x3ff);
}

void gen_pmull(Rng& r, const CaseContext&, Case& c) {
  const unsigned size = r.below(2) ? 3 : 0;
  c.insn = 0x0e20e000u | r.below(2) << 30 | size << 22 | regs3(r);
}

void gen_crc32(Rng& r, const CaseContext&, Case& c) {
  const unsigned sz = r.below(4), castagnoli = r.below(2);
  c.insn = 0x1ac04000u | (sz == 3 ? 1u : 0u) << 31 | castagnoli << 12 | sz << 10 | regs3(r);
}

constexpr Options kFp{.fp = true};

const Group kGroups[] = {
    {"crypto_aes", kFp, gen_aes},       {"crypto_sha1", kFp, gen_sha1},
    {"crypto_sha256", kFp, gen_sha256}, {"crypto_pmull", kFp, gen_pmull},
    {"crc32", Options{}, gen_crc32},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffCrypto, kGroups, kDefaultCases);

}  // namespace
}  // namespace vmapple::arm64::test::diff
