// A64 decoder: instruction word -> Op, from the pattern table a64_table.inc.
// The dispatch table is built once, on first use (thread-safe); decode() is
// then a pure, lock-free function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cpu/arm64/decode/op.h"

namespace vmapple::arm64 {

Op decode(uint32_t insn);

// One alternative of a table line, as parsed: a word w is this op when
// (w & mask) == value and no exclusion (m, v) has (w & m) == v.
struct DecodePattern {
  Op op;
  uint32_t mask;
  uint32_t value;
  std::vector<std::pair<uint32_t, uint32_t>> exclusions;
};

// Every alternative of every table line, in table order (for tests and tools).
std::span<const DecodePattern> decode_patterns();

// Shape of the dispatch array (for the benchmark and docs).
struct DecodeDispatchStats {
  uint32_t key_bits_mask;  // instruction bits that index the dispatch array
  uint32_t buckets;        // 1 << popcount(key_bits_mask)
  uint32_t entries;        // total bucket entries (patterns are replicated)
  uint32_t max_bucket;     // longest bucket
  double mean_bucket;      // mean bucket length (uniformly random words)
};
DecodeDispatchStats decode_dispatch_stats();

}  // namespace vmapple::arm64
