// Fuzzes the A64 decoder with guest instruction words (the input's first 16
// words, 4 bytes each, little-endian). Invariants: decode() returns a valid Op, the same
// one on a second call, and the same one as a linear scan of the table
// ("most fixed bits wins"), so the dispatch array never loses or
// reorders a pattern.
#include <bit>
#include <cstdint>

#include "cpu/arm64/decode/decoder.h"
#include "fuzz/fuzz_input.h"

namespace {

using namespace vmapple::arm64;
using vmapple::fuzz::check;

Op linear_scan(uint32_t w) {
  const DecodePattern* best = nullptr;
  for (const auto& p : decode_patterns())
    if (p.matches(w) && (!best || std::popcount(p.mask) > std::popcount(best->mask))) best = &p;
  return best ? best->op : Op::kUnallocated;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The linear scan is slow: 16 words per input keep the fuzzer fast.
  for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
    uint32_t w = uint32_t(data[i]) | uint32_t(data[i + 1]) << 8 | uint32_t(data[i + 2]) << 16 |
                 uint32_t(data[i + 3]) << 24;
    Op op = decode(w);
    check(static_cast<int>(op) < static_cast<int>(Op::kCount), "decode returned an invalid Op");
    check(decode(w) == op, "decode is not stable");
    check(linear_scan(w) == op, "dispatch array disagrees with the table");
  }
  return 0;
}
