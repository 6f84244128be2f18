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

// One term of a field constraint ("?t!=u", "?n=11111" in the table): the
// field at bits [lo, lo + width) compared with another field (rhs = its lo)
// or with the literal rhs.
struct DecodeTerm {
  uint8_t lo;
  uint8_t width;
  bool equal;  // "=" (else "!=")
  bool rhs_is_field;
  bool last_in_clause;  // terms of a clause are OR-ed; clauses are AND-ed
  uint32_t rhs;

  bool holds(uint32_t w) const {
    uint32_t m = (width == 32 ? ~0u : (1u << width) - 1);
    uint32_t a = (w >> lo) & m;
    uint32_t b = rhs_is_field ? (w >> rhs) & m : rhs;
    return (a == b) == equal;
  }
};

// True if every clause (a run of terms ending in last_in_clause) has a term
// that holds.
bool constraints_hold(const DecodeTerm* begin, const DecodeTerm* end, uint32_t w);

// One alternative of a table line, as parsed: a word w is this op when
// (w & mask) == value, no exclusion (m, v) has (w & m) == v and the
// constraints hold.
struct DecodePattern {
  Op op;
  uint32_t mask;
  uint32_t value;
  std::vector<std::pair<uint32_t, uint32_t>> exclusions;
  std::vector<DecodeTerm> constraints;

  bool matches(uint32_t w) const;
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
