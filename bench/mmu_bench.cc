// The software MMU's costs: a load/store that hits the TLB (the interpreter's
// hottest path after dispatch), the same through an LDR/STR handler, an
// exclusive pair, a 4-level table walk, and a TLB miss that walks and
// refills. Page tables are built the way Linux does (4K, 48-bit, TTBR1).
#include <benchmark/benchmark.h>

#include <memory>

#include "cpu/arm64/code_watch.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/mmu.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64 {
namespace {

class NoCode final : public CodeWatch {
 public:
  bool is_code(uint64_t) const override { return false; }
  void on_write(uint64_t, unsigned) override {}
  uint64_t generation() const override { return 0; }
};

constexpr uint64_t kRam = 0x4000'0000;
constexpr uint64_t kVa = 0xffff'8000'0010'0000ull;
constexpr unsigned kPages = 64;
// Normal WB, AF, inner shareable, PXN, UXN.
constexpr uint64_t kAttrs = 1 << 2 | 1 << 10 | 3 << 8 | 1ull << 53 | 1ull << 54;

struct Machine {
  Machine() {
    ram.add_region("ram", kRam, 64 << 20);
    const uint64_t root = alloc();
    for (unsigned i = 0; i < kPages; ++i)
      map(root, kVa + i * 4096ull, kRam + 0x10'0000 + i * 4096ull);
    core.el = 1;
    core.sys.mair = 0xffull << 8;
    core.sys.tcr = 16 | 16ull << 16 | 2ull << 30 | 5ull << 32 | 1ull << 36 | 1ull << 22;
    core.sys.ttbr1 = root;
    core.sys.sctlr |= sctlr::kM;
    mmu = std::make_unique<Mmu>(core, ram, code);
    core.mmu = mmu.get();
  }
  uint64_t alloc() {
    next += 4096;
    return next;
  }
  void map(uint64_t root, uint64_t va, uint64_t pa) {
    uint64_t table = root;
    for (unsigned level = 0; level < 3; ++level) {
      const uint64_t at = table + ((va >> (39 - 9 * level)) & 511) * 8;
      uint64_t d = ram.read_le<uint64_t>(at).value();
      if (!(d & 1)) {
        d = alloc() | 3;
        (void)ram.write_le<uint64_t>(at, d);
      }
      table = d & 0x0000fffffffff000ull;
    }
    (void)ram.write_le<uint64_t>(table + ((va >> 12) & 511) * 8, pa | kAttrs | 3);
  }
  void exec(uint32_t insn, Handler h) {
    core.next_pc = core.pc + 4;
    h(core, insn);
    core.pc = core.next_pc;
  }

  GuestMemory ram;
  NoCode code;
  Core core;
  std::unique_ptr<Mmu> mmu;
  uint64_t next = kRam + 0x300'0000;
};

// 8-byte loads walking over 16 KiB (four pages, all TLB hits).
void BM_LoadHit(benchmark::State& state) {
  Machine m;
  Mmu& mmu = *m.mmu;
  uint64_t offset = 0;
  uint64_t sum = 0;
  for (auto _ : state) {
    sum += mmu.load<uint64_t>(kVa + offset);
    offset = (offset + 72) & 0x3fff;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadHit);

void BM_StoreHit(benchmark::State& state) {
  Machine m;
  Mmu& mmu = *m.mmu;
  uint64_t offset = 0;
  for (auto _ : state) {
    mmu.store<uint64_t>(kVa + offset, offset);
    offset = (offset + 72) & 0x3fff;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreHit);

void BM_LoadPairHit(benchmark::State& state) {
  Machine m;
  Mmu& mmu = *m.mmu;
  uint64_t offset = 0;
  uint64_t sum = 0;
  for (auto _ : state) {
    auto [a, b] = mmu.load_pair<uint64_t>(kVa + offset);
    sum += a ^ b;
    offset = (offset + 80) & 0x3ff0;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadPairHit);

// LDR x1, [x0, #8] / STR x1, [x0, #8] through the handler table: handler
// call, operand decode, TLB hit.
void BM_LdrHandler(benchmark::State& state) {
  Machine m;
  const uint32_t insn = 0xf9400401;
  const Handler h = HandlerTable::instance()[decode(insn)];
  m.core.x[0] = kVa;
  for (auto _ : state) {
    m.exec(insn, h);
    m.core.x[0] = kVa + ((m.core.x[0] + 72) & 0x3fff);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LdrHandler);

void BM_StrHandler(benchmark::State& state) {
  Machine m;
  const uint32_t insn = 0xf9000401;
  const Handler h = HandlerTable::instance()[decode(insn)];
  m.core.x[0] = kVa;
  for (auto _ : state) {
    m.exec(insn, h);
    m.core.x[0] = kVa + ((m.core.x[0] + 72) & 0x3fff);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StrHandler);

// One LDAXR + STLXR round (an uncontended atomic increment).
void BM_ExclusiveIncrement(benchmark::State& state) {
  Machine m;
  Mmu& mmu = *m.mmu;
  for (auto _ : state) {
    const uint64_t v = mmu.load<uint64_t>(kVa, {.exclusive = true, .acquire_release = true});
    benchmark::DoNotOptimize(mmu.store_exclusive<uint64_t>(kVa, v + 1, {.acquire_release = true}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExclusiveIncrement);

// A full 4-level walk (no TLB, no fill).
void BM_Walk(benchmark::State& state) {
  Machine m;
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.mmu->translate(kVa + (i++ % kPages) * 4096, false, false));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Walk);

// A TLB miss: TLBI by VA, then the load walks and refills.
void BM_MissWalkFill(benchmark::State& state) {
  Machine m;
  Mmu& mmu = *m.mmu;
  uint64_t sum = 0;
  for (auto _ : state) {
    mmu.flush_va(kVa, 0, false, true);
    sum += mmu.load<uint64_t>(kVa);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MissWalkFill);

}  // namespace
}  // namespace vmapple::arm64
