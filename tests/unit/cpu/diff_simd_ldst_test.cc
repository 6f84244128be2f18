// Random-instruction differential test of the Advanced SIMD load/store
// structure groups against qemu-aarch64 (diff_harness.h): LD1-LD4/ST1-ST4
// multiple and single structure, LD1R-LD4R, with no offset and post-index
// by immediate and by register. Register lists start anywhere (so they wrap
// past V31), the base may be SP, addresses are unaligned; a few accesses
// run past the end of their 256-byte window into the next one, so some
// cross a page boundary (the window at the end of every page). V0..V31 and
// the windows are compared after each case.
#include <gtest/gtest.h>

#include "unit/cpu/diff_groups.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 4000;
constexpr unsigned kWindow = 256;

// Points Rn at an address for `bytes` in the case's window (sometimes
// straddling its end) and picks the post-index form: bit 23 and Rm (31 =
// by the transfer size, else by Xm, which keeps its random value).
uint32_t addressing(Rng& r, const CaseContext& ctx, Case& c, unsigned bytes, unsigned n,
                    size_t cases) {
  uint64_t addr = ctx.data_addr + r.below(kWindow - bytes + 1);
  if (bytes > 1 && ctx.index + 1 < cases && r.chance(10))
    addr = ctx.data_addr + kWindow - bytes + 1 + r.below(bytes - 1);
  set_reg_or_sp(c, n, addr);
  if (r.chance(30)) return 0;  // no offset
  unsigned m = r.chance(50) ? 31 : reg(r);
  return 1u << 23 | m << 16;
}

size_t cases() {
  return diff_cases(kDefaultCases);
}

// LD1-LD4/ST1-ST4 (multiple structures): opcode, registers and bytes.
void gen_multiple(Rng& r, const CaseContext& ctx, Case& c) {
  struct Form {
    unsigned opcode, regs;
  };
  static constexpr Form kForms[] = {{0b0000, 4}, {0b0010, 4}, {0b0100, 3}, {0b0110, 3},
                                    {0b0111, 1}, {0b1000, 2}, {0b1010, 2}};
  const Form f = kForms[r.below(std::size(kForms))];
  const bool ld1 = f.opcode & 2;  // 0010 0110 0111 1010: LD1/ST1
  unsigned q = r.below(2), size = r.below(4);
  while (!ld1 && size == 3 && !q)  // reserved for LD2-LD4
    size = r.below(4);
  const unsigned n = reg(r), t = reg(r), bytes = f.regs * (q ? 16 : 8);
  const uint32_t post = addressing(r, ctx, c, bytes, n, cases());
  const unsigned load = r.below(2);
  c.insn = 0x0c000000u | q << 30 | load << 22 | f.opcode << 12 | size << 10 | n << 5 | t | post;
}

// LD1-LD4/ST1-ST4 (single structure): a random lane of B/H/S/D.
void gen_single(Rng& r, const CaseContext& ctx, Case& c) {
  const unsigned selem = 1 + r.below(4), kind = r.below(4);  // B H S D
  unsigned opcode = ((kind == 3 ? 2 : kind) << 1) | ((selem - 1) >> 1);
  unsigned q = r.below(2), s = r.below(2), size = r.below(4);
  if (kind == 1) size &= 2;  // H: size<0> = 0
  if (kind == 2) size = 0;   // S
  if (kind == 3) size = 1, s = 0;
  const unsigned n = reg(r), t = reg(r), load = r.below(2), bytes = selem << kind;
  const uint32_t post = addressing(r, ctx, c, bytes, n, cases());
  c.insn = 0x0d000000u | q << 30 | load << 22 | ((selem - 1) & 1) << 21 | opcode << 13 | s << 12 |
           size << 10 | n << 5 | t | post;
}

// LD1R-LD4R.
void gen_replicate(Rng& r, const CaseContext& ctx, Case& c) {
  const unsigned selem = 1 + r.below(4), size = r.below(4), q = r.below(2);
  const unsigned opcode = 0b110 | ((selem - 1) >> 1);
  const unsigned n = reg(r), t = reg(r), bytes = selem << size;
  const uint32_t post = addressing(r, ctx, c, bytes, n, cases());
  c.insn = 0x0d400000u | q << 30 | ((selem - 1) & 1) << 21 | opcode << 13 | size << 10 | n << 5 |
           t | post;
}

constexpr Options kFpData{.fp = true, .data_bytes = kWindow};

const Group kGroups[] = {
    {"simd_ldst_multiple", kFpData, gen_multiple},
    {"simd_ldst_single", kFpData, gen_single},
    {"simd_ld_replicate", kFpData, gen_replicate},
};

VMAPPLE_DIFF_GROUP_SUITE(DiffSimdLdst, kGroups, kDefaultCases);

}  // namespace
}  // namespace vmapple::arm64::test::diff
