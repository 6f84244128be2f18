#include "cpu/arm64/decode/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <string_view>

namespace vmapple::arm64 {
namespace {

// ---- Table syntax (see a64_table.inc), checked at compile time ----

constexpr bool is_bit(char c) {
  return c == '0' || c == '1';
}

// Bit range [lo, lo + width) of the field named `letter` in a 32-char chunk;
// width 0 if absent or not contiguous.
struct FieldPos {
  int lo = 0;
  int width = 0;
};
constexpr FieldPos field_of(std::string_view chunk, char letter) {
  size_t first = chunk.find(letter), last = chunk.rfind(letter);
  if (first == std::string_view::npos) return {};
  for (size_t i = first; i <= last; ++i)
    if (chunk[i] != letter) return {};
  return {int(31 - last), int(last - first + 1)};
}

// One term of a '?' clause: "a!=b" or "a=b", a a field letter, b a field
// letter or a binary literal of the same width.
struct TermText {
  char field;
  bool equal;
  std::string_view rhs;
};
constexpr bool split_term(std::string_view t, TermText& out) {
  size_t op = t.find('=');
  if (op == std::string_view::npos || op == 0) return false;
  out.equal = t[op - 1] != '!';
  if (!out.equal && op != 2) return false;
  if (out.equal && op != 1) return false;
  out.field = t[0];
  out.rhs = t.substr(op + 1);
  return !out.rhs.empty();
}
constexpr bool term_ok(std::string_view chunk, std::string_view t) {
  TermText tt{};
  if (!split_term(t, tt) || is_bit(tt.field)) return false;
  FieldPos a = field_of(chunk, tt.field);
  if (a.width == 0) return false;
  if (tt.rhs.size() == 1 && !is_bit(tt.rhs[0])) return field_of(chunk, tt.rhs[0]).width == a.width;
  if (int(tt.rhs.size()) != a.width) return false;
  for (char c : tt.rhs)
    if (!is_bit(c)) return false;
  return true;
}

// Splits "A|B!X!Y?c1?c2" into its parts; false if malformed.
struct PatternParts {
  std::string_view alts, excls, constraints;
};
constexpr PatternParts split_parts(std::string_view s) {
  size_t q = s.find('?');
  std::string_view head = s.substr(0, q);
  std::string_view cons = q == std::string_view::npos ? std::string_view{} : s.substr(q);
  size_t x = head.find('!');
  return {head.substr(0, x), x == std::string_view::npos ? std::string_view{} : head.substr(x),
          cons};
}

template <typename F>
constexpr bool for_each_piece(std::string_view s, char sep, F f) {
  while (true) {
    size_t end = s.find(sep);
    if (!f(s.substr(0, end))) return false;
    if (end == std::string_view::npos) return true;
    s.remove_prefix(end + 1);
  }
}

// "A|B|...!X!Y...?t!=u?n!=t,n=11111": alternatives, exclusions (32 chars
// each), then constraint clauses whose fields exist in every alternative.
constexpr bool pattern_ok(std::string_view s) {
  PatternParts p = split_parts(s);
  bool ok = for_each_piece(p.alts, '|', [](std::string_view c) { return c.size() == 32; });
  if (!p.excls.empty())
    ok = ok &&
         for_each_piece(p.excls.substr(1), '!', [](std::string_view c) { return c.size() == 32; });
  if (!ok || p.constraints.empty()) return ok;
  return for_each_piece(p.alts, '|', [&](std::string_view chunk) {
    return for_each_piece(p.constraints.substr(1), '?', [&](std::string_view clause) {
      return for_each_piece(clause, ',', [&](std::string_view t) { return term_ok(chunk, t); });
    });
  });
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
    if (is_bit(c[i])) mask |= bit;
    if (c[i] == '1') value |= bit;
  }
  return {mask, value};
}

DecodeTerm parse_term(std::string_view chunk, std::string_view t, bool last_in_clause) {
  TermText tt{};
  split_term(t, tt);
  FieldPos a = field_of(chunk, tt.field);
  DecodeTerm term{};
  term.lo = uint8_t(a.lo);
  term.width = uint8_t(a.width);
  term.equal = tt.equal;
  term.last_in_clause = last_in_clause;
  if (tt.rhs.size() == 1 && !is_bit(tt.rhs[0])) {
    term.rhs_is_field = true;
    term.rhs = uint8_t(field_of(chunk, tt.rhs[0]).lo);
  } else {
    for (char c : tt.rhs)
      term.rhs = (term.rhs << 1) | uint32_t(c == '1');
  }
  return term;
}

std::vector<DecodePattern> parse_table() {
  std::vector<DecodePattern> out;
  for (const Line& line : kLines) {
    PatternParts p = split_parts(line.pattern);
    std::vector<std::pair<uint32_t, uint32_t>> excl;
    if (!p.excls.empty())
      for_each_piece(p.excls.substr(1), '!', [&](std::string_view c) {
        excl.push_back(parse_chunk(c));
        return true;
      });
    for_each_piece(p.alts, '|', [&](std::string_view chunk) {
      auto [mask, value] = parse_chunk(chunk);
      DecodePattern pat{line.op, mask, value, excl, {}};
      if (!p.constraints.empty())
        for_each_piece(p.constraints.substr(1), '?', [&](std::string_view clause) {
          size_t n = 0, count = size_t(std::count(clause.begin(), clause.end(), ',')) + 1;
          return for_each_piece(clause, ',', [&](std::string_view t) {
            pat.constraints.push_back(parse_term(chunk, t, ++n == count));
            return true;
          });
        });
      out.push_back(std::move(pat));
      return true;
    });
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
  uint16_t cons_begin;  // range in Dispatch::terms
  uint16_t cons_end;
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
  std::vector<DecodeTerm> terms;
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

  // Exclusions and constraints live once; bucket entries refer to ranges.
  std::vector<Entry> proto;
  for (const auto& p : d.patterns) {
    auto xb = uint16_t(d.exclusions.size());
    d.exclusions.insert(d.exclusions.end(), p.exclusions.begin(), p.exclusions.end());
    auto cb = uint16_t(d.terms.size());
    d.terms.insert(d.terms.end(), p.constraints.begin(), p.constraints.end());
    proto.push_back({p.mask, p.value, uint16_t(p.op), xb, uint16_t(d.exclusions.size()), cb,
                     uint16_t(d.terms.size())});
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
      if ((word & e.mask & d.key_mask) != (e.value & d.key_mask)) continue;
      d.entries.push_back(e);
      // An entry decided by the key bits alone matches every word of this
      // bucket: nothing after it can be reached.
      bool unconditional = e.excl_begin == e.excl_end && e.cons_begin == e.cons_end;
      if (unconditional && (e.mask & ~d.key_mask) == 0) break;
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
    if (excluded) continue;
    if (e->cons_begin == e->cons_end ||
        constraints_hold(d.terms.data() + e->cons_begin, d.terms.data() + e->cons_end, insn))
      return Op(e->op);
  }
  return Op::kUnallocated;
}

bool constraints_hold(const DecodeTerm* begin, const DecodeTerm* end, uint32_t w) {
  bool clause_ok = false;
  for (const DecodeTerm* t = begin; t != end; ++t) {
    clause_ok = clause_ok || t->holds(w);
    if (t->last_in_clause) {
      if (!clause_ok) return false;
      clause_ok = false;
    }
  }
  return true;
}

bool DecodePattern::matches(uint32_t w) const {
  if ((w & mask) != value) return false;
  for (auto [m, v] : exclusions)
    if ((w & m) == v) return false;
  return constraints_hold(constraints.data(), constraints.data() + constraints.size(), w);
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
