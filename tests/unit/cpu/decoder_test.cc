// A64 decoder: table sanity, the dispatch array against a linear scan of the
// table, totality/stability, reserved encodings, and hand-picked instructions
// assembled by aarch64-linux-gnu-as (decode_samples.s).
#include "cpu/arm64/decode/decoder.h"

#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "unit/cpu/objdump_oracle.h"

namespace vmapple::arm64 {
namespace {

using test::op_by_name;

// The table's rule, spelled out: of the patterns that match, the one with
// the most fixed bits; ties go to table order.
Op reference_decode(uint32_t w) {
  const DecodePattern* best = nullptr;
  for (const auto& p : decode_patterns())
    if (p.matches(w) && (!best || std::popcount(p.mask) > std::popcount(best->mask))) best = &p;
  return best ? best->op : Op::kUnallocated;
}

// A word matching pattern p (free bits random), or nullopt after many tries.
std::optional<uint32_t> word_for(const DecodePattern& p, std::mt19937& rng) {
  for (int i = 0; i < 4000; ++i) {
    uint32_t w = (rng() & ~p.mask) | p.value;
    if (p.matches(w)) return w;
  }
  return std::nullopt;
}

TEST(Decoder, NamesAreUniqueAndEveryOpHasAPattern) {
  std::set<std::string> names;
  std::vector<int> patterns(static_cast<size_t>(Op::kCount));
  for (const auto& p : decode_patterns())
    ++patterns[static_cast<size_t>(p.op)];
  for (int i = 1; i < static_cast<int>(Op::kCount); ++i) {
    EXPECT_TRUE(names.insert(op_name(Op(i))).second) << op_name(Op(i));
    EXPECT_GT(patterns[static_cast<size_t>(i)], 0) << op_name(Op(i));
    EXPECT_STRNE(op_page(Op(i)), "") << op_name(Op(i));
  }
  EXPECT_STREQ(op_name(Op::kUnallocated), "UNALLOCATED");
  EXPECT_EQ(op_by_name("ADD_imm"), Op::ADD_imm);
}

TEST(Decoder, EveryPatternIsReachable) {
  // Each alternative of each line decodes to its op for some word: no line is
  // entirely shadowed by a more specific one.
  std::mt19937 rng(1);
  for (const auto& p : decode_patterns()) {
    bool reached = false;
    for (int i = 0; i < 4000 && !reached; ++i) {
      auto w = word_for(p, rng);
      reached = w && decode(*w) == p.op;
    }
    EXPECT_TRUE(reached) << op_name(p.op) << " mask " << std::hex << p.mask << " value " << p.value;
  }
}

TEST(Decoder, NoAmbiguousOverlaps) {
  // Two lines with equally many fixed bits must never both match a word,
  // else "most specific wins" would depend on table order.
  auto pats = decode_patterns();
  std::mt19937 rng(2);
  int ties = 0;
  for (size_t a = 0; a < pats.size(); ++a) {
    for (size_t b = a + 1; b < pats.size(); ++b) {
      const auto &p = pats[a], &q = pats[b];
      if (p.op == q.op || std::popcount(p.mask) != std::popcount(q.mask)) continue;
      uint32_t common = p.mask & q.mask;
      if ((p.value & common) != (q.value & common)) continue;
      for (int i = 0; i < 64; ++i) {
        uint32_t w = (rng() & ~(p.mask | q.mask)) | p.value | q.value;
        if (p.matches(w) && q.matches(w)) {
          ADD_FAILURE() << op_name(p.op) << " and " << op_name(q.op) << " both match " << std::hex
                        << w;
          ++ties;
          break;
        }
      }
    }
  }
  EXPECT_EQ(ties, 0);
}

TEST(Decoder, DispatchAgreesWithLinearScan) {
  std::mt19937 rng(3);
  // Words built from every pattern (so every bucket path is taken) ...
  for (const auto& p : decode_patterns()) {
    for (int i = 0; i < 20; ++i) {
      if (auto w = word_for(p, rng)) {
        ASSERT_EQ(decode(*w), reference_decode(*w)) << std::hex << *w;
      }
    }
  }
  // ... and uniformly random words.
  for (int i = 0; i < 200000; ++i) {
    uint32_t w = rng();
    ASSERT_EQ(decode(w), reference_decode(w)) << std::hex << w;
  }
}

TEST(Decoder, TotalAndStable) {
  // A stride through the whole 32-bit space: every word decodes to a valid Op,
  // the same one every time, from several threads at once.
  constexpr uint32_t kStride = 4099;
  std::vector<Op> first;
  for (uint64_t w = 0; w <= 0xffffffffu; w += kStride)
    first.push_back(decode(uint32_t(w)));
  for (Op op : first)
    ASSERT_LT(static_cast<int>(op), static_cast<int>(Op::kCount));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      size_t i = 0;
      for (uint64_t w = 0; w <= 0xffffffffu; w += kStride, ++i)
        if (decode(uint32_t(w)) != first[i]) ++mismatches;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Reserved encodings, made by changing one field of an assembled instruction.
TEST(Decoder, ReservedFieldValuesAreUnallocated) {
  const uint32_t and_w_imm = 0x12000020;  // and w0, w1, #1
  EXPECT_EQ(decode(and_w_imm), Op::AND_imm);
  EXPECT_EQ(decode(and_w_imm | 1u << 22), Op::kUnallocated);                        // sf=0, N=1
  EXPECT_EQ(decode((and_w_imm & ~(0x3fu << 10)) | 0x1fu << 10), Op::kUnallocated);  // imms=011111
  const uint32_t add_shift = 0x8b020c20;  // add x0, x1, x2, lsl #3
  EXPECT_EQ(decode(add_shift), Op::ADD_shift);
  EXPECT_EQ(decode(add_shift | 3u << 22), Op::kUnallocated);  // shift=11
  const uint32_t add_ext = 0x8b214be0;                        // add x0, sp, w1, uxtw #2
  EXPECT_EQ(decode(add_ext), Op::ADD_ext);
  EXPECT_EQ(decode((add_ext & ~(7u << 10)) | 5u << 10), Op::kUnallocated);  // imm3=5
  const uint32_t movz_w = 0x528000a1;                                       // movz w1, #5
  EXPECT_EQ(decode(movz_w), Op::MOVZ);
  EXPECT_EQ(decode(movz_w | 2u << 21), Op::kUnallocated);  // sf=0, hw=2
  const uint32_t ubfm_w = 0x53030c20;                      // ubfm w0, w1, #3, #3
  EXPECT_EQ(decode(ubfm_w), Op::UBFM);
  EXPECT_EQ(decode(ubfm_w | 1u << 22), Op::kUnallocated);  // sf=0, N=1
  const uint32_t ldpsw = 0x69400440;                       // ldpsw x0, x1, [x2]
  EXPECT_EQ(decode(ldpsw), Op::LDPSW_off);
  EXPECT_EQ(decode(ldpsw & ~(0x1fu << 10)), Op::kUnallocated);  // Rt2 == Rt
  const uint32_t caspal = 0x4860fc80;                           // caspal x0, x1, x2, x3, [x4]
  EXPECT_EQ(decode(caspal), Op::CASP);
  EXPECT_EQ(decode(caspal | 1u << 16), Op::kUnallocated);  // odd Rs
  const uint32_t add_v = 0x4ee18400;                       // add v0.2d, v0.2d, v1.2d
  EXPECT_EQ(decode(add_v), Op::ADD_vec);
  EXPECT_EQ(decode(add_v & ~(1u << 30)), Op::kUnallocated);  // .1d vector
  const uint32_t fadd_d = 0x1e612800;                        // fadd d0, d0, d1
  EXPECT_EQ(decode(fadd_d), Op::FADD_scalar);
  EXPECT_EQ(decode(fadd_d ^ 3u << 22), Op::kUnallocated);  // ftype=10
  const uint32_t umov_d = 0x4e183c00;                      // mov x0, v0.d[1]
  EXPECT_EQ(decode(umov_d), Op::UMOV);
  EXPECT_EQ(decode(umov_d & ~(1u << 30)), Op::kUnallocated);  // UMOV W, V.D
}

// decode_samples.s: "<instruction> // <Op name>" per line.
TEST(Decoder, AssembledSamples) {
  auto dir = test::source_root() / "tests/unit/cpu";
  auto src = dir / "decode_samples.s";
  std::vector<std::pair<std::string, std::string>> lines;  // (text, expected op)
  std::ifstream in(src);
  ASSERT_TRUE(in) << src;
  for (std::string l; std::getline(in, l);) {
    size_t c = l.find("//");
    if (c == 0 || c == std::string::npos) continue;
    std::string name = l.substr(c + 2);
    name.erase(0, name.find_first_not_of(' '));
    lines.emplace_back(l.substr(0, c), name);
  }
  char tmp[] = "/tmp/vmapple-samples-XXXXXX";
  ASSERT_NE(mkdtemp(tmp), nullptr);
  std::string obj = std::string(tmp) + "/s.o", bin = std::string(tmp) + "/s.bin";
  std::string cmd =
      "aarch64-linux-gnu-as -march=armv8.8-a+sve2+sve2-aes+sve2-sha3+sve2-sm4+sve2-bitperm+memtag+"
      "crc+crypto+sha3+sm4+fp16+fp16fml+bf16+i8mm+lse+rcpc+ls64+mops+tme+cssc+flagm+pauth -o " +
      obj + " " + src.string() + " && aarch64-linux-gnu-objcopy -O binary -j .text " + obj + " " +
      bin;
  // (2>/dev/null: the assembler warns about deliberately odd samples.)
  ASSERT_EQ(std::system(("(" + cmd + ") 2>/dev/null").c_str()), 0) << cmd;
  std::ifstream b(bin, std::ios::binary);
  std::vector<uint32_t> words;
  for (uint32_t w; b.read(reinterpret_cast<char*>(&w), 4);)
    words.push_back(w);
  std::filesystem::remove_all(tmp);
  ASSERT_EQ(words.size(), lines.size()) << "one instruction per line";
  std::set<Op> covered;
  for (size_t i = 0; i < words.size(); ++i) {
    Op want = op_by_name(lines[i].second);
    ASSERT_NE(want, Op::kCount) << "unknown op name " << lines[i].second;
    EXPECT_EQ(op_name(decode(words[i])), std::string(op_name(want)))
        << lines[i].first << " = " << std::hex << words[i];
    covered.insert(want);
  }
  // One or more samples per table line.
  for (int i = 1; i < static_cast<int>(Op::kCount); ++i)
    EXPECT_TRUE(covered.count(Op(i))) << "no sample for " << op_name(Op(i));
}

}  // namespace
}  // namespace vmapple::arm64
