// Cross-check of the A64 decoder against aarch64-linux-gnu-objdump: every
// word of the Debian arm64 kernel text and of busybox's .text, random words,
// and words built from every table pattern must get the same instruction
// (mnemonic class, see objdump_oracle.h) from both. The guest packages come
// from scripts/fetch-arm64-debs (run here; cached, so only the first run
// downloads); failing to get them fails the test.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <map>
#include <random>

#include "cpu/arm64/decode/decoder.h"
#include "unit/cpu/objdump_oracle.h"

namespace vmapple::arm64 {
namespace {

using test::ObjdumpLine;

struct Report {
  size_t checked = 0;
  size_t mismatches = 0;
  std::vector<std::string> first;
  std::map<std::string, size_t> by_class;  // "objdump-mnemonic -> OUR_OP"

  void check(const ObjdumpLine& l) {
    ++checked;
    Op op = decode(l.word);
    if (test::objdump_agrees(l.mnemonic, l.operands, op)) return;
    ++mismatches;
    ++by_class[l.mnemonic + " -> " + op_name(op)];
    if (first.size() < 50) {
      char buf[256];
      snprintf(buf, sizeof buf, "%8llx: %08x  objdump: %s %s  decoder: %s",
               static_cast<unsigned long long>(l.address), l.word, l.mnemonic.c_str(),
               l.operands.c_str(), op_name(op));
      first.push_back(buf);
    }
  }
  std::string summary(const std::string& what) const {
    std::string s = what + ": " + std::to_string(checked) + " words checked, " +
                    std::to_string(mismatches) + " disagreements\n";
    for (const auto& f : first)
      s += "  " + f + "\n";
    for (const auto& [k, n] : by_class)
      s += "  " + std::to_string(n) + " x " + k + "\n";
    return s;
  }
};

// Runs scripts/fetch-arm64-debs and returns its cache directory ("" on failure).
std::string fetch_guest_packages() {
  std::string dir;
  std::string cmd = (test::source_root() / "scripts/fetch-arm64-debs").string();
  int status = test::run_lines(cmd, [&](std::string_view l) { dir = std::string(l); });
  return status == 0 ? dir : "";
}

std::vector<unsigned char> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint32_t le32(const std::vector<unsigned char>& b, size_t off) {
  return uint32_t(b[off]) | uint32_t(b[off + 1]) << 8 | uint32_t(b[off + 2]) << 16 |
         uint32_t(b[off + 3]) << 24;
}

// The arm64 Image's EFI stub has a PE/COFF header; its ".text" section spans
// the kernel text, read-only data and init text.
struct Range {
  size_t begin = 0, end = 0;
};
Range pe_text_section(const std::vector<unsigned char>& img) {
  if (img.size() < 0x40 || std::memcmp(&img[0x38], "ARMd", 4) != 0) return {};
  size_t pe = le32(img, 0x3c);
  if (pe + 24 > img.size() || std::memcmp(&img[pe], "PE\0\0", 4) != 0) return {};
  unsigned nsec = img[pe + 6] | img[pe + 7] << 8;
  unsigned optsz = img[pe + 20] | img[pe + 21] << 8;
  for (unsigned i = 0; i < nsec; ++i) {
    size_t s = pe + 24 + optsz + 40 * i;
    if (s + 40 > img.size()) return {};
    if (std::memcmp(&img[s], ".text\0\0\0", 8) != 0) continue;
    size_t raw_size = le32(img, s + 16), raw_ptr = le32(img, s + 20);
    if (raw_ptr + raw_size > img.size()) return {};
    return {raw_ptr, raw_ptr + raw_size};
  }
  return {};
}

// _etext: the kernel text ends at a 64 KiB (SEGMENT_ALIGN) boundary, where
// .rodata starts. Without symbols, find the first 64 KiB chunk in which
// objdump cannot decode more than 10% of the non-zero words (code has ~0%,
// the read-only data 40-100%).
size_t find_etext(const std::vector<ObjdumpLine>& lines, size_t begin) {
  constexpr size_t kSegment = 64 * 1024;
  size_t nonzero = 0, undefined = 0, chunk = begin;
  for (const auto& l : lines) {
    if (l.address >= chunk + kSegment) {
      if (undefined * 10 > nonzero) return chunk;
      chunk += kSegment;
      nonzero = undefined = 0;
    }
    if (l.word != 0) ++nonzero;
    if (l.word != 0 && l.mnemonic == ".inst") ++undefined;
  }
  return 0;
}

// The matching rules themselves: they accept the right Op and only it.
TEST(DecodeObjdump, AgreementRules) {
  using test::objdump_agrees;
  EXPECT_TRUE(objdump_agrees("add", "x0, x1, #0x4", Op::ADD_imm));
  EXPECT_FALSE(objdump_agrees("add", "x0, x1, #0x4", Op::SUB_imm));
  EXPECT_TRUE(objdump_agrees("mov", "x0, x1", Op::ORR_shift));
  EXPECT_FALSE(objdump_agrees("mov", "x0, x1", Op::AND_shift));
  EXPECT_TRUE(objdump_agrees("ldaddal", "x0, x1, [x2]", Op::LDADD));
  EXPECT_FALSE(objdump_agrees("ldaddal", "w0, w1, [x2]", Op::LDADDB));
  EXPECT_TRUE(objdump_agrees("staddlh", "w1, [x0]", Op::LDADDH));
  EXPECT_TRUE(objdump_agrees("cpyfpwtrn", "[x0]!, [x1]!, x2!", Op::CPYFP));
  EXPECT_TRUE(objdump_agrees("b.ne", "0x10", Op::B_cond));
  EXPECT_TRUE(objdump_agrees("uaddw2", "v0.2d, v1.2d, v2.4s", Op::UADDW));
  EXPECT_TRUE(objdump_agrees(".inst", "0xff387d08 ; undefined", Op::kUnallocated));
  EXPECT_FALSE(objdump_agrees(".inst", "0x91001020 ; undefined", Op::ADD_imm));
  EXPECT_FALSE(objdump_agrees("nop", "", Op::kUnallocated));
  // SVE on both sides or neither.
  EXPECT_TRUE(objdump_agrees("ldr", "z0, [x0, #1, mul vl]", Op::LDR_sve_vec));
  EXPECT_FALSE(objdump_agrees("ldr", "z0, [x0, #1, mul vl]", Op::LDR_imm_uoff));
  EXPECT_FALSE(objdump_agrees("ldr", "x0, [x1]", Op::LDR_sve_vec));
  EXPECT_TRUE(objdump_agrees("add", "z0.s, z1.s, z2.s", Op::SVE_other));
  EXPECT_TRUE(objdump_agrees("cntb", "x7", Op::CNTB));
  EXPECT_FALSE(objdump_agrees("add", "x0, x1, x2", Op::SVE_other));
}

TEST(DecodeObjdump, KernelText) {
  std::string cache = fetch_guest_packages();
  ASSERT_FALSE(cache.empty()) << "scripts/fetch-arm64-debs failed";
  auto image_path = std::filesystem::path(cache) / "vmlinuz";
  auto img = read_file(image_path);
  Range text = pe_text_section(img);
  ASSERT_GT(text.end, text.begin) << "no PE/COFF .text section in " << image_path;

  std::vector<ObjdumpLine> lines;
  lines.reserve((text.end - text.begin) / 4);
  int status = test::objdump_lines(
      "-b binary -m aarch64 -D --start-address=" + std::to_string(text.begin) +
          " --stop-address=" + std::to_string(text.end) + " " + image_path.string(),
      lines);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(lines.size(), (text.end - text.begin) / 4) << "objdump printed every word (-z)";
  for (const auto& l : lines)
    ASSERT_EQ(l.word, le32(img, l.address)) << std::hex << l.address;

  size_t etext = find_etext(lines, text.begin);
  ASSERT_GT(etext, text.begin);
  size_t words = (etext - text.begin) / 4;
  ASSERT_GE(words, 1000000u) << "kernel text suspiciously small";

  Report r;
  for (size_t i = 0; i < words; ++i)
    r.check(lines[i]);
  char range[64];
  snprintf(range, sizeof range, "kernel text [%#zx, %#zx)", text.begin, etext);
  std::cout << r.summary(range);
  EXPECT_EQ(r.mismatches, 0u);
}

TEST(DecodeObjdump, BusyboxText) {
  std::string cache = fetch_guest_packages();
  ASSERT_FALSE(cache.empty()) << "scripts/fetch-arm64-debs failed";
  std::vector<ObjdumpLine> lines;
  ASSERT_EQ(test::objdump_lines(
                "-d -j .text " + (std::filesystem::path(cache) / "busybox").string(), lines),
            0);
  ASSERT_GE(lines.size(), 100000u);
  Report r;
  for (const auto& l : lines)
    r.check(l);
  std::cout << r.summary("busybox .text");
  EXPECT_EQ(r.mismatches, 0u);
}

// Random words outside the SVE and SME spaces (whose unallocated holes the
// table does not spell out: SVE_other covers all of SVE, SME is unnamed).
TEST(DecodeObjdump, RandomWordsOutsideSveAndSme) {
  std::mt19937 rng(20240601);
  std::vector<uint32_t> words;
  while (words.size() < 300000) {
    uint32_t w = rng();
    uint32_t op1 = (w >> 25) & 0xf;
    if (op1 == 0b0010 || (op1 == 0 && (w >> 31))) continue;
    words.push_back(w);
  }
  auto lines = test::objdump_words(words);
  ASSERT_EQ(lines.size(), words.size());
  Report r;
  for (const auto& l : lines)
    r.check(l);
  std::cout << r.summary("random words");
  EXPECT_EQ(r.mismatches, 0u);
}

// Up to 16 words per table line (random operand fields), so that every
// entry, including rare extension ones, is checked against objdump.
TEST(DecodeObjdump, WordsFromEveryPattern) {
  std::mt19937 rng(7);
  std::vector<uint32_t> words;
  std::set<Op> ops;
  for (const auto& p : decode_patterns()) {
    if (p.op == Op::SVE_other) continue;  // covers unallocated SVE holes too
    for (int i = 0, found = 0; i < 2000 && found < 16; ++i) {
      uint32_t w = (rng() & ~p.mask) | p.value;
      if (decode(w) != p.op) continue;
      words.push_back(w);
      ops.insert(p.op);
      ++found;
    }
  }
  EXPECT_EQ(ops.size(), static_cast<size_t>(Op::kCount) - 2);  // all but kUnallocated, SVE_other
  auto lines = test::objdump_words(words);
  ASSERT_EQ(lines.size(), words.size());
  Report r;
  for (const auto& l : lines)
    r.check(l);
  std::cout << r.summary("pattern words");
  EXPECT_EQ(r.mismatches, 0u);
}

}  // namespace
}  // namespace vmapple::arm64
