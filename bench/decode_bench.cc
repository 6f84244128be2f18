// A64 decode speed: decode() over uniformly random words (every bucket of
// the dispatch array) and over real code (the Debian kernel text, when
// scripts/fetch-arm64-debs has filled its cache).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "cpu/arm64/decode/decoder.h"

namespace vmapple::arm64 {
namespace {

void run(benchmark::State& state, const std::vector<uint32_t>& words) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode(words[i]));
    if (++i == words.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecodeRandomWords(benchmark::State& state) {
  std::mt19937 rng(1);
  std::vector<uint32_t> words(1 << 20);
  for (auto& w : words)
    w = rng();
  decode(0);  // build the dispatch array outside the timing
  run(state, words);
  auto st = decode_dispatch_stats();
  state.counters["mean_bucket"] = st.mean_bucket;
  state.counters["max_bucket"] = st.max_bucket;
  state.counters["entries"] = st.entries;
}
BENCHMARK(BM_DecodeRandomWords);

std::filesystem::path cache_dir() {
  if (const char* c = std::getenv("VMAPPLE_CACHE")) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"))
    return std::filesystem::path(x) / "vmapple/debs";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : "/") / ".cache/vmapple/debs";
}

// The kernel text from _stext (file offset 64 KiB), 4 MiB of it.
void BM_DecodeKernelText(benchmark::State& state) {
  std::ifstream in(cache_dir() / "vmlinuz", std::ios::binary);
  std::vector<uint32_t> words(1 << 20);
  in.seekg(64 * 1024);
  if (!in || !in.read(reinterpret_cast<char*>(words.data()), words.size() * 4)) {
    state.SkipWithError("no kernel image: run scripts/fetch-arm64-debs");
    return;
  }
  decode(0);
  run(state, words);
}
BENCHMARK(BM_DecodeKernelText);

}  // namespace
}  // namespace vmapple::arm64
