// Two vCPUs on host threads (a Core and an Mmu each, one GuestMemory, the
// same page tables) increment shared counters with LDAXR/STLXR,
// LDAXP/STLXP and byte-sized LDXRB/STXRB loops run through the handler
// table. No update may be lost: STXR is a host compare-and-swap against the
// value LDXR read.
#include <atomic>
#include <thread>

#include "unit/cpu/mmu_fixture.h"

namespace vmapple::arm64::test {
namespace {

constexpr unsigned kIterations = 1'000'000;

class ExclusiveContentionTest : public MmuFixture {
 protected:
  static constexpr uint64_t kData = kRam + 0x10'0000;
  static constexpr uint64_t kVa = kKernelVa + 0x10'0000;

  ExclusiveContentionTest() {
    pt_.map(root1_, kVa, kData, kKernelData);
    other_.sys = core_.sys;
    other_.el = 1;
    other_mmu_ = std::make_unique<Mmu>(other_, ram_, code_);
    other_.mmu = other_mmu_.get();
  }

  static void step(Core& c, uint32_t insn) {
    c.next_pc = c.pc + 4;
    HandlerTable::instance()[decode(insn)](c, insn);
    c.pc = c.next_pc;
  }

  // Runs body(core, index) on both vCPUs at once (they start together).
  template <typename Body>
  void on_both(Body body) {
    std::atomic<int> ready{0};
    auto run = [&](Core& c, unsigned index) {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      body(c, index);
    };
    std::thread t([&] { run(other_, 1); });
    run(core_, 0);
    t.join();
  }

  uint64_t get64(uint64_t offset) { return ram_.read_le<uint64_t>(kData + offset).value(); }

  Core other_;
  std::unique_ptr<Mmu> other_mmu_;
};

TEST_F(ExclusiveContentionTest, LdaxrStlxrCounterLosesNoUpdate) {
  on_both([&](Core& c, unsigned) {
    c.x[0] = kVa;
    for (unsigned i = 0; i < kIterations; ++i) {
      do {
        step(c, 0xc85ffc01);  // ldaxr x1, [x0]
        c.x[1] += 1;
        step(c, 0xc802fc01);  // stlxr w2, x1, [x0]
      } while (c.x[2] != 0);
    }
  });
  EXPECT_EQ(get64(0), 2u * kIterations);
}

TEST_F(ExclusiveContentionTest, LdaxpStlxpPairStaysConsistent) {
  on_both([&](Core& c, unsigned) {
    c.x[0] = kVa + 0x40;
    for (unsigned i = 0; i < kIterations; ++i) {
      uint64_t first, second;
      do {
        step(c, 0xc87f8801);  // ldaxp x1, x2, [x0]
        first = c.x[1];
        second = c.x[2];
        c.x[1] += 1;
        c.x[2] += 2;
        step(c, 0xc8238801);  // stlxp w3, x1, x2, [x0]
      } while (c.x[3] != 0);
      // A successful STLXP proves the pair it replaced was read whole.
      ASSERT_EQ(second, 2 * first);
    }
  });
  EXPECT_EQ(get64(0x40), 2u * kIterations);
  EXPECT_EQ(get64(0x48), 4u * kIterations);
}

TEST_F(ExclusiveContentionTest, ByteExclusivesDoNotClobberNeighbours) {
  // vCPU 0 counts in byte 0x80, vCPU 1 in byte 0x81 of the same word.
  on_both([&](Core& c, unsigned cpu) {
    c.x[0] = kVa + 0x80 + cpu;
    for (unsigned i = 0; i < kIterations; ++i) {
      do {
        step(c, 0x085ffc01);  // ldaxrb w1, [x0]
        c.x[1] = (c.x[1] + 1) & 0xff;
        step(c, 0x0802fc01);  // stlxrb w2, w1, [x0]
      } while (c.x[2] != 0);
    }
  });
  EXPECT_EQ(get64(0x80), (kIterations & 0xff) * 0x101u);
}

}  // namespace
}  // namespace vmapple::arm64::test
