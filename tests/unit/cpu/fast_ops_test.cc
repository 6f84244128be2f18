// The specialised forms of fast_ops.h against the generic handlers: random
// encodings of every decode pattern (register fields biased towards 31, so
// SP/XZR cases come up often) on random register state, executed once by
// the generic handler and once by the form the decoded slot would carry;
// registers, flags, next PC, exception state and memory must agree.
#include "cpu/arm64/fast_ops.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "cpu/arm64/code_watch.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/decode_cache.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/mmu.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64 {
namespace {

constexpr uint64_t kRam = 0x4000'0000;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint64_t kBase = kRam + kRamSize / 2;  // base registers of memory forms
constexpr uint64_t kPc = 0x10'0000;
constexpr unsigned kCasesPerForm = 400;

class NoCode final : public CodeWatch {
 public:
  bool is_code(uint64_t) const override { return false; }
  void on_write(uint64_t, unsigned) override {}
  uint64_t generation() const override { return 0; }
};

bool is_memory_form(uint8_t id) {
  return id >= fast::kLdrX;
}

// Field [lo, lo + 5) of `w` set to 31 with probability 1/4.
uint32_t bias_register(uint32_t w, unsigned lo, std::mt19937_64& rng) {
  return rng() % 4 == 0 ? w | 31u << lo : w;
}

uint64_t random_value(std::mt19937_64& rng) {
  static constexpr uint64_t kSpecial[] = {0,
                                          1,
                                          ~0ull,
                                          0x8000'0000'0000'0000ull,
                                          0x7fff'ffff'ffff'ffffull,
                                          0x8000'0000ull,
                                          0x7fff'ffffull,
                                          0xffff'ffffull};
  if (rng() % 4 == 0) return kSpecial[rng() % std::size(kSpecial)];
  return rng();
}

class FastOpsTest : public ::testing::Test {
 protected:
  FastOpsTest() {
    ram_.add_region("ram", kRam, kRamSize);
    mmu_a_ = std::make_unique<Mmu>(a_, ram_, code_);
    mmu_b_ = std::make_unique<Mmu>(b_, ram_, code_);
  }

  std::span<uint8_t> memory() { return *ram_.span_at(kRam, kRamSize); }

  // Random state; memory forms get their base (and register offset) inside
  // RAM, so no access leaves as MMIO.
  Core random_core(uint8_t id, uint32_t insn, std::mt19937_64& rng) {
    Core c;
    for (unsigned i = 0; i < 31; ++i)
      c.x[i] = random_value(rng);
    c.sp = random_value(rng);
    c.nzcv = static_cast<uint32_t>(rng() % 16) << 28;
    c.el = 1;
    c.spsel = true;
    c.sys.vbar = 0x8000;
    // SCTLR.A/SA stay as reset; the MMU is off, so data is Device memory and
    // misaligned accesses fault, which both paths must do alike.
    if (is_memory_form(id)) {
      const unsigned n = insn >> 5 & 31, m = insn >> 16 & 31;
      const uint64_t base = kBase - rng() % 64;
      if (n == 31)
        c.sp = rng() % 2 ? base & ~15ull : base;
      else
        c.x[n] = base;
      // Rm == Rn would make the base the offset too: both stay the base,
      // which leaves RAM, so such words are skipped by the caller.
      if (id >= fast::kLdrXReg && id <= fast::kStrBReg && m != 31 && m != n) c.x[m] = rng() % 4096;
    }
    c.pc = kPc;
    c.next_pc = kPc + 4;
    return c;
  }

  GuestMemory ram_;
  NoCode code_;
  Core a_, b_;
  std::unique_ptr<Mmu> mmu_a_, mmu_b_;
};

// Runs `fn` on `c`, with a taken exception as a result, not an escape.
template <typename Fn>
bool run(Fn fn) {
  try {
    fn();
  } catch (const ExceptionTaken&) {
    return true;
  }
  return false;
}

std::string describe(const Core& c) {
  std::string s;
  for (unsigned i = 0; i < 31; ++i)
    s += fmt::format("x{}={:#x} ", i, c.x[i]);
  return s + fmt::format("sp={:#x} nzcv={:#x} next_pc={:#x}", c.sp, c.nzcv, c.next_pc);
}

TEST_F(FastOpsTest, EveryFormMatchesTheGenericHandler) {
  std::mt19937_64 rng(0x5eed'f457);
  const HandlerTable& handlers = HandlerTable::instance();
  std::vector<unsigned> cases(fast::kCount, 0);
  std::vector<uint8_t> before(kRamSize), after_generic(kRamSize);
  for (auto& byte : before)
    byte = static_cast<uint8_t>(rng());
  for (unsigned round = 0; round < 256; ++round) {
    for (const DecodePattern& p : decode_patterns()) {
      for (unsigned k = 0; k < 8; ++k) {
        uint32_t w = (static_cast<uint32_t>(rng()) & ~p.mask) | p.value;
        for (unsigned lo : {0u, 5u, 10u, 16u})
          w = (bias_register(w, lo, rng) & ~p.mask) | p.value;
        // Half the shifted-register forms without a shift (imm6 = 0).
        if (rng() % 2) w = (w & ~(0x3fu << 10) & ~p.mask) | p.value;
        if (decode(w) != p.op) continue;
        const uint8_t id = fast::specialise(p.op, w);
        if (id == fast::kNone || cases[id] >= kCasesPerForm) continue;
        if (id >= fast::kLdrXReg && id <= fast::kStrBReg && (w >> 5 & 31) == (w >> 16 & 31))
          continue;
        ++cases[id];

        const bool mem = is_memory_form(id);
        if (mem) std::memcpy(memory().data(), before.data(), kRamSize);
        a_ = random_core(id, w, rng);
        a_.mmu = mmu_a_.get();
        b_ = a_;
        b_.mmu = mmu_b_.get();

        const bool exc_a = run([&] { handlers[p.op](a_, w); });
        if (mem) {
          std::memcpy(after_generic.data(), memory().data(), kRamSize);
          std::memcpy(memory().data(), before.data(), kRamSize);
        }
        const bool exc_b = run([&] { fast::step(id, b_, w); });

        const std::string what = fmt::format("{} ({}) {:#010x}", fast::name(id), op_name(p.op), w);
        ASSERT_EQ(exc_a, exc_b) << what;
        ASSERT_EQ(std::memcmp(a_.x, b_.x, sizeof a_.x), 0)
            << what << "\ngeneric: " << describe(a_) << "\nfast:    " << describe(b_);
        ASSERT_EQ(a_.sp, b_.sp) << what;
        ASSERT_EQ(a_.nzcv, b_.nzcv) << what;
        ASSERT_EQ(a_.next_pc, b_.next_pc) << what;
        ASSERT_EQ(a_.el, b_.el) << what;
        ASSERT_EQ(a_.sys.esr, b_.sys.esr) << what;
        ASSERT_EQ(a_.sys.elr, b_.sys.elr) << what;
        ASSERT_EQ(a_.sys.far, b_.sys.far) << what;
        if (mem) {
          ASSERT_EQ(std::memcmp(after_generic.data(), memory().data(), kRamSize), 0) << what;
        }
      }
    }
  }
  for (unsigned id = 1; id < fast::kCount; ++id)
    EXPECT_GT(cases[id], 20u) << "form " << fast::name(static_cast<uint8_t>(id)) << " rarely hit";
}

// Register 31 decides the form: SP for ADD/SUB (immediate) and load/store
// bases, a discarded result for CMP/TST, generic when a form has no variant.
TEST(FastOpsSpecialise, Register31Variants) {
  EXPECT_EQ(fast::specialise(Op::ADD_imm, 0x910003fd), fast::kAddImmSpN);    // mov x29, sp
  EXPECT_EQ(fast::specialise(Op::SUB_imm, 0xd10083ff), fast::kSubImmSpDN);   // sub sp, sp, #32
  EXPECT_EQ(fast::specialise(Op::ADD_imm, 0x11000400), fast::kAddImmW);      // add w0, w0, #1
  EXPECT_EQ(fast::specialise(Op::ADD_imm, 0x110003e0), fast::kNone);         // add w0, wsp, #0
  EXPECT_EQ(fast::specialise(Op::SUBS_imm, 0xf103ffdf), fast::kCmpImm);      // cmp x30, #0xff
  EXPECT_EQ(fast::specialise(Op::SUBS_imm, 0xf10003ff), fast::kNone);        // cmp sp, #0
  EXPECT_EQ(fast::specialise(Op::SUBS_shift, 0xeb0100df), fast::kCmpReg);    // cmp x6, x1
  EXPECT_EQ(fast::specialise(Op::ORR_shift, 0xaa0703e4), fast::kMovReg);     // mov x4, x7
  EXPECT_EQ(fast::specialise(Op::ORR_shift, 0xaa0703ff), fast::kNone);       // orr xzr, xzr, x7
  EXPECT_EQ(fast::specialise(Op::AND_imm, 0x927c7fff), fast::kNone);         // and sp, sp, #~15
  EXPECT_EQ(fast::specialise(Op::LDR_imm_uoff, 0xf94003e0), fast::kLdrXSp);  // ldr x0, [sp]
  EXPECT_EQ(fast::specialise(Op::LDR_imm_uoff, 0xf940001f), fast::kNone);    // ldr xzr, [x0]
  EXPECT_EQ(fast::specialise(Op::STP_pre, 0xa9be7bfd),
            fast::kStpPreSp);  // stp x29, x30, [sp, #-32]!
  EXPECT_EQ(fast::specialise(Op::LDR_imm_post, 0xf8408400), fast::kNone);  // ldr x0, [x0], #8
}

// The decoded slot carries the form next to the Op and the word.
TEST(FastOpsSpecialise, SlotCarriesTheForm) {
  const uint32_t w = 0x91000421;  // add x1, x1, #1
  const uint64_t s = DecodedPage::make(w);
  EXPECT_EQ(DecodedPage::insn(s), w);
  EXPECT_EQ(static_cast<Op>(DecodedPage::op(s)), Op::ADD_imm);
  EXPECT_EQ(DecodedPage::form(s), fast::kAddImm);
  // An instruction with no form keeps form 0 and runs the generic handler.
  EXPECT_EQ(DecodedPage::form(DecodedPage::make(0x9ac30843)), fast::kNone);  // udiv x3, x2, x3
}

}  // namespace
}  // namespace vmapple::arm64
