#pragma once
// A Core + Mmu on 64 MiB of RAM with 4K page tables built the way Linux
// builds them (TTBR0 for user space with ASIDs, TTBR1 for the kernel half,
// TCR.A1 = 1 so the ASID comes from TTBR1), a fake CodeWatch, and helpers
// that run an access and return the abort it took.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "cpu/arm64/code_watch.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/mmu.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64::test {

// Descriptor bits (Arm ARM D8.3).
namespace desc {
constexpr uint64_t kTable = 3;
constexpr uint64_t kPage = 3;
constexpr uint64_t kBlock = 1;
constexpr uint64_t attr_index(unsigned n) {
  return uint64_t{n} << 2;
}
constexpr uint64_t kUser = 1ull << 6;      // AP[1]: EL0 access
constexpr uint64_t kReadOnly = 1ull << 7;  // AP[2]
constexpr uint64_t kInnerShareable = 3ull << 8;
constexpr uint64_t kAf = 1ull << 10;
constexpr uint64_t kNg = 1ull << 11;
constexpr uint64_t kPxn = 1ull << 53;
constexpr uint64_t kUxn = 1ull << 54;
constexpr uint64_t kPxnTable = 1ull << 59;
constexpr uint64_t kUxnTable = 1ull << 60;
constexpr uint64_t kApTableNoEl0 = 1ull << 61;
constexpr uint64_t kApTableReadOnly = 1ull << 62;
}  // namespace desc

// MAIR_EL1 as the tests program it: 0 Device-nGnRnE, 1 Normal WB, 2 Normal NC.
constexpr uint64_t kMair = 0x00 | 0xffull << 8 | 0x44ull << 16;
constexpr unsigned kAttrDevice = 0;
constexpr unsigned kAttrNormal = 1;
constexpr unsigned kAttrNonCacheable = 2;

// Kernel RW data (PXN, UXN), user RW data, user RX text, kernel text.
constexpr uint64_t kKernelData =
    desc::attr_index(kAttrNormal) | desc::kAf | desc::kInnerShareable | desc::kPxn | desc::kUxn;
constexpr uint64_t kUserData = desc::attr_index(kAttrNormal) | desc::kAf | desc::kInnerShareable |
                               desc::kUser | desc::kNg | desc::kPxn | desc::kUxn;
constexpr uint64_t kUserText = desc::attr_index(kAttrNormal) | desc::kAf | desc::kInnerShareable |
                               desc::kUser | desc::kReadOnly | desc::kNg | desc::kPxn;
constexpr uint64_t kKernelText = desc::attr_index(kAttrNormal) | desc::kAf | desc::kInnerShareable |
                                 desc::kReadOnly | desc::kUxn;

// TCR_EL1 like Linux: T0SZ = T1SZ = 16, TG0 4K, TG1 4K, IPS 48 bit, AS,
// A1, TBI0.
constexpr uint64_t kTcr =
    16 | 16ull << 16 | 2ull << 30 | 5ull << 32 | 1ull << 36 | 1ull << 22 | 1ull << 37;

constexpr uint64_t esr(uint32_t ec, uint32_t iss) {
  return uint64_t{ec} << 26 | 1u << 25 | iss;
}

class FakeCodeWatch final : public CodeWatch {
 public:
  bool is_code(uint64_t gpa) const override { return pages_.count(gpa & ~0xfffull) != 0; }
  void on_write(uint64_t gpa, unsigned size) override {
    writes.push_back({gpa, size});
    if (on_write_hook) on_write_hook(gpa, size);
  }
  uint64_t generation() const override { return generation_; }
  void make_code(uint64_t gpa) {
    pages_.insert(gpa & ~0xfffull);
    ++generation_;
  }

  std::vector<std::pair<uint64_t, unsigned>> writes;
  std::function<void(uint64_t, unsigned)> on_write_hook;

 private:
  std::set<uint64_t> pages_;
  uint64_t generation_ = 0;
};

// Builds 4K-granule, 4-level tables in guest RAM from a pool of pages.
class PageTables {
 public:
  PageTables(const GuestMemory& ram, uint64_t pool) : ram_(ram), next_(pool) {}

  uint64_t new_table() {
    const uint64_t t = next_;
    next_ += 4096;
    EXPECT_TRUE(ram_.zero(t, 4096));
    return t;
  }

  // The address of the descriptor for `va` at `level`, creating missing
  // tables above it (with `table_bits` in the new table descriptors).
  uint64_t entry(uint64_t root, uint64_t va, unsigned level, uint64_t table_bits = 0) {
    uint64_t table = root;
    for (unsigned l = 0;; ++l) {
      const uint64_t at = table + ((va >> (39 - 9 * l)) & 511) * 8;
      if (l == level) return at;
      uint64_t d = read(at);
      if (!(d & 1)) {
        d = new_table() | desc::kTable | table_bits;
        write(at, d);
      }
      table = d & 0x0000fffffffff000ull;
    }
  }

  // A leaf at `level` (1: 1 GiB block, 2: 2 MiB block, 3: 4 KiB page).
  void map(uint64_t root, uint64_t va, uint64_t pa, uint64_t attrs, unsigned level = 3,
           uint64_t table_bits = 0) {
    write(entry(root, va, level, table_bits),
          pa | attrs | (level == 3 ? desc::kPage : desc::kBlock));
  }

  uint64_t read(uint64_t at) const { return ram_.read_le<uint64_t>(at).value(); }
  void write(uint64_t at, uint64_t d) const { EXPECT_TRUE(ram_.write_le<uint64_t>(at, d)); }

 private:
  const GuestMemory& ram_;
  uint64_t next_;
};

class MmuFixture : public ::testing::Test {
 protected:
  static constexpr uint64_t kRam = 0x4000'0000;
  static constexpr uint64_t kRamSize = 64 << 20;
  static constexpr uint64_t kPool = kRam + 0x300'0000;  // page tables
  static constexpr uint64_t kUserAsid = 5;
  // Kernel half addresses (TTBR1) and a user address (TTBR0).
  static constexpr uint64_t kKernelVa = 0xffff'8000'0000'0000ull;
  static constexpr uint64_t kUserVa = 0x0000'0000'0040'0000ull;

  MmuFixture() : pt_(ram_, kPool) {
    ram_.add_region("ram", kRam, kRamSize);
    root0_ = pt_.new_table();
    root1_ = pt_.new_table();
    core_.el = 1;
    core_.spsel = true;
    core_.sys.vbar = 0xffff'0000'0000'0000ull;
    core_.sys.mair = kMair;
    core_.sys.tcr = kTcr;
    core_.sys.ttbr0 = root0_;
    core_.sys.ttbr1 = root1_ | kUserAsid << 48;
    core_.sys.sctlr |= sctlr::kM;
    core_.sys.cpacr = 3ull << 20;
    mmu_ = std::make_unique<Mmu>(core_, ram_, code_);
    core_.mmu = mmu_.get();
  }

  Mmu& mmu() { return *mmu_; }
  void regs_changed() { mmu_->on_translation_regs_changed(); }
  void set_asid(uint64_t asid) {
    core_.sys.ttbr1 = root1_ | asid << 48;
    regs_changed();
  }
  // Enters EL0t (as after ERET to user space) or EL1h (as an exception would).
  void to_el0() { core_.set_pstate(0); }
  void to_el1() {
    core_.select_sp(1, true);
    core_.pstate_il = false;
  }

  struct Abort {
    uint64_t esr;
    uint64_t far;
    uint64_t elr;
  };
  // Runs f; returns the abort it took (and restores the PSTATE before it).
  std::optional<Abort> abort_of(const std::function<void()>& f) {
    const uint64_t pstate = core_.pstate();
    core_.sys.esr = 0;
    core_.sys.far = 0;
    try {
      f();
    } catch (const ExceptionTaken&) {
      Abort a{core_.sys.esr, core_.sys.far, core_.sys.elr};
      core_.set_pstate(pstate);
      return a;
    }
    return std::nullopt;
  }

  // Runs one instruction at core_.pc through the handler table.
  void exec(uint32_t insn) {
    core_.next_pc = core_.pc + 4;
    HandlerTable::instance()[decode(insn)](core_, insn);
    core_.pc = core_.next_pc;
  }

  // exec() that must take a synchronous exception: returns ESR_EL1 (PSTATE
  // and PC as before it, so a test goes on from the same place).
  uint64_t exec_fault(uint32_t insn) {
    const uint64_t pstate = core_.pstate();
    const uint64_t pc = core_.pc;
    core_.sys.esr = 0;
    try {
      exec(insn);
    } catch (const ExceptionTaken&) {
      core_.set_pstate(pstate);
      core_.pc = pc;
      return core_.sys.esr;
    }
    ADD_FAILURE() << "no exception for " << std::hex << insn;
    return 0;
  }

  GuestMemory ram_;
  FakeCodeWatch code_;
  Core core_;
  PageTables pt_;
  uint64_t root0_ = 0;
  uint64_t root1_ = 0;
  std::unique_ptr<Mmu> mmu_;
};

}  // namespace vmapple::arm64::test
