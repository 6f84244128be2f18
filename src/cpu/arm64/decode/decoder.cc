#include "cpu/arm64/decode/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <string_view>

namespace vmapple::arm64 {
namespace {

// ---- Table syntax (see a64_table.inc), checked at compile time ----

constexpr bool chunk_ok(std::string_view s) {
  return s.size() == 32;
}

// "A|B|...!X!Y...": alternatives first, then exclusions, each 32 chars.
constexpr bool pattern_ok(std::string_view s) {
  bool in_exclusions = false;
  while (true) {
    size_t end = s.find_first_of("|!");
    if (!chunk_ok(s.substr(0, end))) return false;
    if (end == std::string_view::npos) return true;
    if (s[end] == '|' && in_exclusions) return false;
    in_exclusions |= s[end] == '!';
    s.remove_prefix(end + 1);
  }
}

#define INST(name, page, pattern) \
  static_assert(pattern_ok(pattern), "a64 decode table: malformed pattern for " #name);
#include "cpu/arm64/decode/a64_table.inc"
#undef INST

struct Line {
  Op op;
  std::string_view pattern;
};

constexpr Line kLines[] = {
#define INST(name, page, pattern) {Op::name, pattern},
#include "cpu/arm64/decode/a64_table.inc"
#undef INST
};

// mask/value of one 32-char chunk: '0'/'1' fixed, anything else free.
std::pair<uint32_t, uint32_t> parse_chunk(std::string_view c) {
  uint32_t mask = 0, value = 0;
  for (size_t i = 0; i < 32; ++i) {
    uint32_t bit = 1u << (31 - i);
    if (c[i] == '0' || c[i] == '1') mask |= bit;
    if (c[i] == '1') value |= bit;
  }
  return {mask, value};
}

std::vector<DecodePattern> parse_table() {
  std::vector<DecodePattern> out;
  for (const Line& line : kLines) {
    std::vector<std::pair<uint32_t, uint32_t>> alts, excl;
    std::string_view s = line.pattern;
    bool exclusion = false;
    while (true) {
      (exclusion ? excl : alts).push_back(parse_chunk(s.substr(0, 32)));
      if (s.size() == 32) break;
      exclusion = s[32] == '!';
      s.remove_prefix(33);
    }
    for (auto [mask, value] : alts)
      out.push_back({line.op, mask, value, excl});
  }
  return out;
}

// ---- Dispatch array ----

constexpr int kKeyBits = 12;

struct Entry {
  uint32_t mask;
  uint32_t value;
  uint16_t op;
  uint16_t excl_begin;  // range in Dispatch::exclusions
  uint16_t excl_end;
};

struct Dispatch {
  std::vector<DecodePattern> patterns;
  uint32_t key_mask = 0;
  // key = lut[0][w & 0xff] | lut[1][(w >> 8) & 0xff] | ... : a table-driven
  // gather of the key bits, independent of which bits were chosen.
  std::array<std::array<uint16_t, 256>, 4> lut{};
  std::vector<uint32_t> begin;  // bucket k = entries[begin[k], begin[k+1])
  std::vector<Entry> entries;
  std::vector<std::pair<uint32_t, uint32_t>> exclusions;
};

// Greedy choice of the key bits: each step adds the bit that most reduces
// the expected bucket length for uniformly random words (an entry is in a
// bucket unless one of its fixed bits disagrees with the key).
uint32_t choose_key_bits(const std::vector<DecodePattern>& pats) {
  uint32_t chosen = 0;
  for (int step = 0; step < kKeyBits; ++step) {
    int best_bit = -1;
    double best_cost = 0;
    for (int b = 0; b < 32; ++b) {
      if (chosen & (1u << b)) continue;
      uint32_t trial = chosen | (1u << b);
      double cost = 0;
      for (const auto& p : pats)
        cost += 1.0 / double(1u << std::popcount(p.mask & trial));
      if (best_bit < 0 || cost < best_cost) best_bit = b, best_cost = cost;
    }
    chosen |= 1u << best_bit;
  }
  return chosen;
}

// Scatter the low bits of `key` into the positions of `mask`, and back.
uint32_t deposit(uint32_t key, uint32_t mask) {
  uint32_t out = 0;
  for (int i = 0; mask; mask &= mask - 1, ++i)
    if (key & (1u << i)) out |= mask & -mask;
  return out;
}
uint32_t extract(uint32_t word, uint32_t mask) {
  uint32_t out = 0;
  for (int i = 0; mask; mask &= mask - 1, ++i)
    if (word & mask & -mask) out |= 1u << i;
  return out;
}

Dispatch build() {
  Dispatch d;
  d.patterns = parse_table();
  d.key_mask = choose_key_bits(d.patterns);
  for (int byte = 0; byte < 4; ++byte)
    for (uint32_t v = 0; v < 256; ++v)
      d.lut[byte][v] = uint16_t(extract(v << (8 * byte), d.key_mask));

  // Exclusion lists, shared by the replicated bucket entries.
  std::vector<Entry> proto;
  d.exclusions.push_back({0, 0});  // index 0 unused: empty ranges start at 1
  for (size_t i = 0; i < d.patterns.size(); ++i) {
    const auto& p = d.patterns[i];
    auto b = uint16_t(d.exclusions.size());
    d.exclusions.insert(d.exclusions.end(), p.exclusions.begin(), p.exclusions.end());
    proto.push_back({p.mask, p.value, uint16_t(p.op), b, uint16_t(d.exclusions.size())});
  }
  // Most specific first; table order breaks ties (the table test rejects
  // ambiguous ties).
  std::vector<size_t> order(proto.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::popcount(proto[a].mask) > std::popcount(proto[b].mask);
  });

  uint32_t buckets = 1u << kKeyBits;
  d.begin.reserve(buckets + 1);
  for (uint32_t k = 0; k < buckets; ++k) {
    d.begin.push_back(uint32_t(d.entries.size()));
    uint32_t word = deposit(k, d.key_mask);
    for (size_t i : order) {
      const Entry& e = proto[i];
      if ((word & e.mask & d.key_mask) == (e.value & d.key_mask)) d.entries.push_back(e);
    }
  }
  d.begin.push_back(uint32_t(d.entries.size()));
  return d;
}

const Dispatch& dispatch() {
  static const Dispatch d = build();  // C++ guarantees thread-safe init
  return d;
}

}  // namespace

Op decode(uint32_t insn) {
  const Dispatch& d = dispatch();
  uint32_t key = d.lut[0][insn & 0xff] | d.lut[1][(insn >> 8) & 0xff] |
                 d.lut[2][(insn >> 16) & 0xff] | d.lut[3][insn >> 24];
  const Entry* e = d.entries.data() + d.begin[key];
  const Entry* end = d.entries.data() + d.begin[key + 1];
  for (; e != end; ++e) {
    if ((insn & e->mask) != e->value) continue;
    bool excluded = false;
    for (uint16_t x = e->excl_begin; x < e->excl_end && !excluded; ++x)
      excluded = (insn & d.exclusions[x].first) == d.exclusions[x].second;
    if (!excluded) return Op(e->op);
  }
  return Op::kUnallocated;
}

std::span<const DecodePattern> decode_patterns() {
  return dispatch().patterns;
}

DecodeDispatchStats decode_dispatch_stats() {
  const Dispatch& d = dispatch();
  DecodeDispatchStats s{};
  s.key_bits_mask = d.key_mask;
  s.buckets = uint32_t(d.begin.size() - 1);
  s.entries = uint32_t(d.entries.size());
  for (uint32_t k = 0; k < s.buckets; ++k)
    s.max_bucket = std::max(s.max_bucket, d.begin[k + 1] - d.begin[k]);
  s.mean_bucket = double(s.entries) / s.buckets;
  return s;
}

}  // namespace vmapple::arm64
