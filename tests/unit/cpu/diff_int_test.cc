// Random-instruction differential test of the integer data-processing and
// branch groups against qemu-aarch64 (see diff_harness.h and
// docs/cpu/testing.md). Every group runs twice against the same qemu output:
//   Handlers: each instruction executed by its handler on a bare Core;
//   Program:  the whole generated ELF run by the user-mode runner (decoder,
//             interpreter loop, loads/stores and MSR/MRS of the stub).
#include <gtest/gtest.h>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "unit/cpu/diff_groups.h"

namespace vmapple::arm64::test::diff {
namespace {

constexpr size_t kDefaultCases = 4000;

unsigned sf(Rng& r) {
  return r.below(2);
}
unsigned width(unsigned sf) {
  return sf ? 64 : 32;
}

// --- data processing (immediate) ----------------------------------------------

void gen_addsub_imm(Rng& r, const CaseContext&, Case& c) {
  c.insn = sf(r) << 31 | r.below(4) << 29 | 0x11000000u | r.below(2) << 22 |
           static_cast<uint32_t>(r.next() & 0xfff) << 10 | reg(r) << 5 | reg(r);
}

// A valid (N, immr, imms) bitmask immediate, checked with the element-size
// rule (leading ones of imms select the element size) rather than our
// DecodeBitMasks.
uint32_t bitmask_fields(Rng& r, unsigned sf) {
  for (;;) {
    unsigned n = sf ? r.below(2) : 0, immr = r.below(64), imms = r.below(64);
    unsigned esize = 64;
    if (!n) {
      unsigned ones = 0;
      while (ones < 6 && (imms >> (5 - ones) & 1))
        ++ones;
      if (ones >= 5) continue;
      esize = 32 >> ones;
    }
    if ((imms & (esize - 1)) == esize - 1) continue;
    return n << 22 | immr << 16 | imms << 10;
  }
}

void gen_logical_imm(Rng& r, const CaseContext&, Case& c) {
  unsigned s = sf(r);
  c.insn = s << 31 | r.below(4) << 29 | 0x12000000u | bitmask_fields(r, s) | reg(r) << 5 | reg(r);
}

void gen_move_wide(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kOpc[] = {0, 2, 3};  // MOVN, MOVZ, MOVK
  unsigned s = sf(r);
  c.insn = s << 31 | kOpc[r.below(3)] << 29 | 0x12800000u | r.below(s ? 4 : 2) << 21 |
           static_cast<uint32_t>(r.next() & 0xffff) << 5 | reg(r);
}

void gen_bitfield(Rng& r, const CaseContext&, Case& c) {
  unsigned s = sf(r);
  c.insn = s << 31 | r.below(3) << 29 | 0x13000000u | s << 22 | r.below(width(s)) << 16 |
           r.below(width(s)) << 10 | reg(r) << 5 | reg(r);
}

void gen_extract_pcrel(Rng& r, const CaseContext&, Case& c) {
  if (r.chance(50)) {
    unsigned s = sf(r);
    c.insn = s << 31 | 0x13800000u | s << 22 | reg(r) << 16 | r.below(width(s)) << 10 |
             reg(r) << 5 | reg(r);
  } else {  // ADR / ADRP
    c.insn = r.below(2) << 31 | r.below(4) << 29 | 0x10000000u |
             static_cast<uint32_t>(r.next() & 0x7ffff) << 5 | reg(r);
  }
}

// --- data processing (register) ------------------------------------------------

void gen_logical_shift(Rng& r, const CaseContext&, Case& c) {
  unsigned s = sf(r);
  c.insn = s << 31 | r.below(4) << 29 | 0x0a000000u | r.below(4) << 22 | r.below(2) << 21 |
           reg(r) << 16 | r.below(width(s)) << 10 | reg(r) << 5 | reg(r);
}

void gen_addsub_shift(Rng& r, const CaseContext&, Case& c) {
  unsigned s = sf(r);
  c.insn = s << 31 | r.below(4) << 29 | 0x0b000000u | r.below(3) << 22 | reg(r) << 16 |
           r.below(width(s)) << 10 | reg(r) << 5 | reg(r);
}

void gen_addsub_ext(Rng& r, const CaseContext&, Case& c) {
  c.insn = sf(r) << 31 | r.below(4) << 29 | 0x0b200000u | reg(r) << 16 | r.below(8) << 13 |
           r.below(5) << 10 | reg(r) << 5 | reg(r);
}

void gen_carry(Rng& r, const CaseContext&, Case& c) {
  c.insn = sf(r) << 31 | r.below(4) << 29 | 0x1a000000u | reg(r) << 16 | reg(r) << 5 | reg(r);
}

void gen_cond_compare(Rng& r, const CaseContext&, Case& c) {
  c.insn = sf(r) << 31 | r.below(2) << 30 | 0x3a400000u | reg(r) << 16 | r.below(16) << 12 |
           r.below(2) << 11 | reg(r) << 5 | r.below(16);
}

void gen_cond_select(Rng& r, const CaseContext&, Case& c) {
  c.insn = sf(r) << 31 | r.below(2) << 30 | 0x1a800000u | reg(r) << 16 | r.below(16) << 12 |
           r.below(2) << 10 | reg(r) << 5 | reg(r);
}

void gen_dp1(Rng& r, const CaseContext&, Case& c) {
  unsigned s = sf(r);
  unsigned opcode = r.below(6);
  if (opcode == 3 && !s) opcode = 2;  // REV Xd only exists for sf=1
  c.insn = s << 31 | 0x5ac00000u | opcode << 10 | reg(r) << 5 | reg(r);
}

void gen_dp2(Rng& r, const CaseContext&, Case& c) {
  static constexpr unsigned kOpcode[] = {2, 3, 8, 9, 10, 11};  // UDIV SDIV LSLV LSRV ASRV RORV
  unsigned s = sf(r), n = reg(r), m = reg(r);
  c.insn = s << 31 | 0x1ac00000u | m << 16 | kOpcode[r.below(6)] << 10 | n << 5 | reg(r);
  if (r.chance(10) && n != 31 && m != 31 && n != m) {  // the overflowing SDIV
    c.in.x[n] = s ? 0x8000000000000000 : 0xffffffff80000000;
    c.in.x[m] = ~0ull;
  }
}

void gen_dp3(Rng& r, const CaseContext&, Case& c) {
  // {sf, op31, o0 allowed, Ra fixed to 31}
  struct Form {
    unsigned sf_any, op31, o0_any, ra31;
  };
  static constexpr Form kForms[] = {
      {1, 0, 1, 0}, {0, 1, 1, 0}, {0, 2, 0, 1}, {0, 5, 1, 0}, {0, 6, 0, 1}};
  const Form& f = kForms[r.below(5)];
  unsigned s = f.sf_any ? sf(r) : 1;
  unsigned o0 = f.o0_any ? r.below(2) : 0;
  unsigned ra = f.ra31 ? 31 : reg(r);
  c.insn = s << 31 | 0x1b000000u | f.op31 << 21 | reg(r) << 16 | o0 << 15 | ra << 10 | reg(r) << 5 |
           reg(r);
}

// --- branches -------------------------------------------------------------------

uint32_t offset_field(const CaseContext& ctx, uint64_t target, unsigned bits) {
  return static_cast<uint32_t>((target - ctx.insn_addr) >> 2) & ((1u << bits) - 1);
}

void gen_branch_imm(Rng& r, const CaseContext& ctx, Case& c) {
  uint64_t t = ctx.targets[r.below(static_cast<unsigned>(ctx.targets.size()))];
  switch (r.below(5)) {
    case 0:  // B, BL
      c.insn = r.below(2) << 31 | 0x14000000u | offset_field(ctx, t, 26);
      break;
    case 1:  // B.cond
      c.insn = 0x54000000u | offset_field(ctx, t, 19) << 5 | r.below(16);
      break;
    case 2:
    case 3: {  // CBZ, CBNZ
      unsigned rt = reg(r);
      if (r.chance(30) && rt != 31) c.in.x[rt] = r.chance(50) ? 0 : 0xffffffff00000000;
      c.insn = sf(r) << 31 | 0x34000000u | r.below(2) << 24 | offset_field(ctx, t, 19) << 5 | rt;
      break;
    }
    default: {  // TBZ, TBNZ
      unsigned b = r.below(64);
      c.insn = (b >> 5) << 31 | 0x36000000u | r.below(2) << 24 | (b & 31) << 19 |
               offset_field(ctx, t, 14) << 5 | reg(r);
      break;
    }
  }
}

void gen_branch_reg(Rng& r, const CaseContext& ctx, Case& c) {
  static constexpr uint32_t kOps[] = {0xd61f0000u, 0xd63f0000u, 0xd65f0000u};  // BR BLR RET
  unsigned n = r.below(31);  // XZR would leave the program
  c.in.x[n] = ctx.targets[r.below(static_cast<unsigned>(ctx.targets.size()))];
  c.insn = kOps[r.below(3)] | n << 5;
}

const Group kGroups[] = {
    {"addsub_imm", {}, gen_addsub_imm},
    {"logical_imm", {}, gen_logical_imm},
    {"move_wide", {}, gen_move_wide},
    {"bitfield", {}, gen_bitfield},
    {"extract_pcrel", {}, gen_extract_pcrel},
    {"logical_shift", {}, gen_logical_shift},
    {"addsub_shift", {}, gen_addsub_shift},
    {"addsub_ext", {}, gen_addsub_ext},
    {"carry", {}, gen_carry},
    {"cond_compare", {}, gen_cond_compare},
    {"cond_select", {}, gen_cond_select},
    {"dp1", {}, gen_dp1},
    {"dp2", {}, gen_dp2},
    {"dp3", {}, gen_dp3},
    {"branch_imm", {.branch_sled = true}, gen_branch_imm},
    {"branch_reg", {.branch_sled = true}, gen_branch_reg},
};

// --- one group: cases, program, qemu -------------------------------------------

// Our handlers on a bare Core, one case at a time; the sled of branch groups
// is modelled by Program::sled_increment.
std::vector<uint8_t> run_handlers(const GroupRun& run) {
  const Program& p = run.program;
  std::vector<uint8_t> out(p.output_bytes());
  const HandlerTable& handlers = HandlerTable::instance();
  for (size_t i = 0; i < p.size(); ++i) {
    const Case& k = run.cases[i];
    Core c;
    c.el = 0;
    c.spsel = false;
    for (unsigned r = 0; r < 31; ++r)
      c.x[r] = k.in.x[r];
    c.sp = k.in.sp;
    c.nzcv = static_cast<uint32_t>(k.in.nzcv);
    c.pc = p.context(i).insn_addr;
    c.next_pc = c.pc + 4;
    bool faulted = false;
    c.exception_hook = [&](Core&, uint32_t, uint32_t) { return faulted = true; };
    try {
      handlers[decode(k.insn)](c, k.insn);
    } catch (const ExceptionTaken&) {
      faulted = true;
    }
    int64_t inc = p.options().branch_sled ? p.sled_increment(i, c.next_pc) : 0;
    if (faulted || inc < 0 || (!p.options().branch_sled && c.next_pc != c.pc + 4)) {
      std::memset(&out[i * p.record_bytes()], 0xee, p.record_bytes());  // never matches
      continue;
    }
    State s;
    for (unsigned r = 0; r < 31; ++r)
      s.x[r] = c.x[r];
    s.sp = c.sp + static_cast<uint64_t>(inc);
    s.nzcv = c.nzcv;
    encode_state(s, &out[i * p.record_bytes()], false);
  }
  return out;
}

class DiffInt : public ::testing::TestWithParam<Group> {};

TEST_P(DiffInt, Handlers) {
  GroupRun& run = group_run(GetParam(), kDefaultCases);
  expect_same_as_qemu(run, run_handlers(run));
}

TEST_P(DiffInt, Program) {
  GroupRun& run = group_run(GetParam(), kDefaultCases);
  expect_same_as_qemu(run, run_on_our_cpu(run));
}

INSTANTIATE_TEST_SUITE_P(Groups, DiffInt, ::testing::ValuesIn(kGroups),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vmapple::arm64::test::diff
