// Cost of the AddressSpace on the MMIO exit path: a register read through
// dispatch, against calling the same handler directly, and a RAM access.
#include <benchmark/benchmark.h>

#include "memory/address_space.h"

namespace vmapple {
namespace {

struct Register : MmioHandler {
  uint64_t value = 0x1234;
  uint64_t read(uint64_t, unsigned) override { return value; }
  void write(uint64_t, unsigned, uint64_t v) override { value = v; }
};

struct Fixture {
  Fixture() {
    memory.add_region("ram", 0x7000'0000, 1 << 20);
    // A realistic map: as many regions as the vmapple board has.
    for (uint64_t i = 0; i < 16; ++i)
      as.add_mmio("dev", 0x2000'0000 + i * 0x1'0000, 0x1000, dev);
  }
  GuestMemory memory;
  AddressSpace as{memory};
  Register dev;
};

void BM_DirectHandlerRead(benchmark::State& state) {
  Fixture f;
  MmioHandler* h = &f.dev;
  benchmark::DoNotOptimize(h);
  for (auto _ : state)
    benchmark::DoNotOptimize(h->read(0x18, 4));
}
BENCHMARK(BM_DirectHandlerRead);

void BM_DispatchedRead(benchmark::State& state) {
  Fixture f;
  uint64_t v;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.as.read(0x2008'0018, 4, &v));
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_DispatchedRead);

void BM_DispatchedSplitRead(benchmark::State& state) {
  Fixture f;
  f.as.remove_mmio(0x2008'0000);
  f.as.add_mmio("r32", 0x2008'0000, 0x1000, f.dev, kPrimeCellRules);
  uint64_t v;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.as.read(0x2008'0018, 8, &v));
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_DispatchedSplitRead);

void BM_RamReadThroughAddressSpace(benchmark::State& state) {
  Fixture f;
  uint64_t v;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.as.read(0x7000'0100, 8, &v));
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_RamReadThroughAddressSpace);

void BM_DispatchedReadFromTwoThreads(benchmark::State& state) {
  static Fixture* f = nullptr;
  if (state.thread_index() == 0) f = new Fixture;
  uint64_t v;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f->as.read(0x2008'0018, 4, &v));
    benchmark::DoNotOptimize(v);
  }
  if (state.thread_index() == 0) {
    delete f;
    f = nullptr;
  }
}
BENCHMARK(BM_DispatchedReadFromTwoThreads)->Threads(2);

}  // namespace
}  // namespace vmapple
