#pragma once
// aarch64-linux-gnu-objdump as the oracle for the A64 decoder: runs it over
// raw words or files, parses its lines, and decides whether an objdump
// mnemonic names the same instruction as one of our Ops. The alias tables
// below are data: objdump prints preferred aliases (mov, cmp, lsl, cset...),
// ordering/size variants of one Arm ARM page (ldaddal, casb...) and
// condition suffixes (b.eq), all of which map to one Op each.
#include <unistd.h>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cpu/arm64/decode/decoder.h"

namespace vmapple::arm64::test {

inline std::filesystem::path source_root() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

struct ObjdumpLine {
  uint64_t address = 0;
  uint32_t word = 0;
  std::string mnemonic;  // ".inst" for words objdump cannot decode
  std::string operands;  // without the trailing "// ..." comment
};

// Parses one objdump -d line ("  10000:\td503201f \tnop"); false if it is not
// an instruction line.
inline bool parse_hex(std::string_view s, uint64_t& out) {
  out = 0;
  for (char c : s) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return false;
    out = out * 16 + static_cast<uint64_t>(v);
  }
  return !s.empty();
}
inline bool parse_objdump_line(std::string_view s, ObjdumpLine& out) {
  size_t i = s.find_first_not_of(' ');
  size_t colon = s.find(":\t");
  if (i == std::string_view::npos || colon == std::string_view::npos || colon <= i) return false;
  if (s.size() < colon + 2 + 8 + 2 || s.substr(colon + 10, 2) != " \t") return false;
  uint64_t addr = 0, word = 0;
  if (!parse_hex(s.substr(i, colon - i), addr) || !parse_hex(s.substr(colon + 2, 8), word))
    return false;
  std::string_view rest = s.substr(colon + 12);
  size_t tab = rest.find('\t');
  out.address = addr;
  out.word = static_cast<uint32_t>(word);
  out.mnemonic = std::string(rest.substr(0, tab));
  std::string_view ops = tab == std::string_view::npos ? std::string_view{} : rest.substr(tab + 1);
  ops = ops.substr(0, ops.find("//"));
  out.operands = std::string(ops);
  return true;
}

// Runs `cmd`, feeding each stdout line to `line`; returns the exit status.
inline int run_lines(const std::string& cmd, const std::function<void(std::string_view)>& line) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string buf;
  char chunk[1 << 16];
  while (fgets(chunk, sizeof chunk, p)) {
    buf += chunk;
    if (!buf.empty() && buf.back() == '\n') {
      buf.pop_back();
      line(buf);
      buf.clear();
    }
  }
  if (!buf.empty()) line(buf);
  return pclose(p);
}

// objdump over a raw little-endian word file region or an ELF section.
inline int objdump_lines(const std::string& args, std::vector<ObjdumpLine>& out) {
  std::string cmd = "aarch64-linux-gnu-objdump -z " + args + " 2>&1";
  return run_lines(cmd, [&](std::string_view s) {
    ObjdumpLine l;
    if (parse_objdump_line(s, l)) out.push_back(std::move(l));
  });
}

inline std::vector<ObjdumpLine> objdump_words(std::span<const uint32_t> words) {
  char path[] = "/tmp/vmapple-decode-XXXXXX";
  int fd = mkstemp(path);
  std::vector<ObjdumpLine> out;
  if (fd < 0) return out;
  std::vector<unsigned char> bytes;
  for (uint32_t w : words)
    for (int b = 0; b < 4; ++b)
      bytes.push_back(static_cast<unsigned char>(w >> (8 * b)));
  bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  if (ok) objdump_lines(std::string("-b binary -m aarch64 -D ") + path, out);
  std::filesystem::remove(path);
  return out;
}

// ---- objdump mnemonic -> Op ----

inline Op op_by_name(std::string_view name) {
  static const std::map<std::string, Op, std::less<>> names = [] {
    std::map<std::string, Op, std::less<>> m;
    for (int i = 0; i < static_cast<int>(Op::kCount); ++i)
      m[op_name(Op(i))] = Op(i);
    return m;
  }();
  auto it = names.find(name);
  return it == names.end() ? Op::kCount : it->second;
}

// Preferred aliases and other spellings objdump uses: mnemonic -> our Ops.
struct AliasRow {
  const char* mnemonic;
  const char* ops;  // space-separated Op names
};
inline constexpr AliasRow kObjdumpAliases[] = {
    {"mov",
     "ORR_shift ADD_imm MOVZ MOVN ORR_imm UMOV INS_gen INS_elem DUP_elem_sisd ORR_vec "
     "DUP_sve_gen"},
    {"cmp", "SUBS_imm SUBS_shift SUBS_ext"},
    {"cmn", "ADDS_imm ADDS_shift ADDS_ext"},
    {"tst", "ANDS_imm ANDS_shift"},
    {"neg", "SUB_shift"},
    {"negs", "SUBS_shift"},
    {"mvn", "ORN_shift NOT"},
    {"ngc", "SBC"},
    {"ngcs", "SBCS"},
    {"lsl", "UBFM LSLV"},
    {"lsr", "UBFM LSRV"},
    {"asr", "SBFM ASRV"},
    {"ror", "EXTR RORV"},
    {"ubfx", "UBFM"},
    {"ubfiz", "UBFM"},
    {"uxtb", "UBFM"},
    {"uxth", "UBFM"},
    {"sbfx", "SBFM"},
    {"sbfiz", "SBFM"},
    {"sxtb", "SBFM"},
    {"sxth", "SBFM"},
    {"sxtw", "SBFM"},
    {"bfi", "BFM"},
    {"bfxil", "BFM"},
    {"bfc", "BFM"},
    {"mul", "MADD"},
    {"mneg", "MSUB"},
    {"smull", "SMADDL"},
    {"umull", "UMADDL"},
    {"smnegl", "SMSUBL"},
    {"umnegl", "UMSUBL"},
    {"cset", "CSINC"},
    {"cinc", "CSINC"},
    {"csetm", "CSINV"},
    {"cinv", "CSINV"},
    {"cneg", "CSNEG"},
    {"ssbb", "DSB"},
    {"pssbb", "DSB"},
    {"dc", "SYS"},
    {"ic", "SYS"},
    {"at", "SYS"},
    {"tlbi", "SYS"},
    {"cfp", "SYS"},
    {"dvp", "SYS"},
    {"cpp", "SYS"},
    {"brb", "SYS"},
    {"sxtl", "SSHLL_vec"},
    {"sxtl2", "SSHLL_vec"},
    {"uxtl", "USHLL_vec"},
    {"uxtl2", "USHLL_vec"},
    {"not", "NOT"},
    // Hints other than the named ones are HINT.
    {"bti", "HINT"},
    {"paciasp", "HINT"},
    {"pacibsp", "HINT"},
    {"autiasp", "HINT"},
    {"autibsp", "HINT"},
    {"paciaz", "HINT"},
    {"pacibz", "HINT"},
    {"autiaz", "HINT"},
    {"autibz", "HINT"},
    {"pacia1716", "HINT"},
    {"pacib1716", "HINT"},
    {"autia1716", "HINT"},
    {"autib1716", "HINT"},
    {"xpaclri", "HINT"},
    {"esb", "HINT"},
    {"psb", "HINT"},
    {"tsb", "HINT"},
    {"csdb", "HINT"},
    {"dgh", "HINT"},
    {"clearbhb", "HINT"},
};

// Families of one Arm ARM page: prefix x middle x suffix spellings.
struct FamilyRow {
  const char* prefixes;  // space-separated; "" allowed via "-"
  const char* orders;    // ordering/option suffixes, "-" = none
  const char* sizes;     // size suffixes, "-" = none
  bool upper_op;         // Op = upper(prefix) + upper(size)
};
inline constexpr FamilyRow kObjdumpFamilies[] = {
    {"ldadd ldclr ldeor ldset ldsmax ldsmin ldumax ldumin swp cas", "- a al l", "- b h", true},
    {"casp", "- a al l", "-", true},
};
// ST<op> aliases of LD<op> (no acquire forms).
inline constexpr const char* kLseStoreOps = "add clr eor set smax smin umax umin";
inline constexpr const char* kCpyOps = "cpyfp cpyfm cpyfe cpyp cpym cpye";
inline constexpr const char* kCpyOptions =
    "- n rn rt rtn rtrn rtwn t tn trn twn wn wt wtn wtrn wtwn";
inline constexpr const char* kSetOps = "setp setm sete setgp setgm setge";
inline constexpr const char* kSetOptions = "- n t tn";
// SVE instructions without z/p register operands (for the SVE_other class).
inline constexpr const char* kSveOnlyMnemonics =
    "rdvl addvl addpl cntb cnth cntw cntd incb inch incw incd decb dech decw decd sqincb sqinch "
    "sqincw sqincd uqincb uqinch uqincw uqincd sqdecb sqdech sqdecw sqdecd uqdecb uqdech uqdecw "
    "uqdecd setffr";

inline std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;)
    out.push_back(w == "-" ? "" : w);
  return out;
}
inline std::string upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// mnemonic -> allowed Ops, from the tables above.
inline const std::map<std::string, std::set<Op>, std::less<>>& objdump_alias_map() {
  static const auto map = [] {
    std::map<std::string, std::set<Op>, std::less<>> m;
    auto add = [&](const std::string& mn, const std::string& op) { m[mn].insert(op_by_name(op)); };
    for (const AliasRow& r : kObjdumpAliases)
      for (const auto& op : words_of(r.ops))
        add(r.mnemonic, op);
    for (const FamilyRow& f : kObjdumpFamilies)
      for (const auto& p : words_of(f.prefixes))
        for (const auto& o : words_of(f.orders))
          for (const auto& s : words_of(f.sizes))
            add(p + o + s, upper(p) + upper(s));
    for (const auto& op : words_of(kLseStoreOps))
      for (const auto& o : words_of("- l"))
        for (const auto& s : words_of("- b h"))
          add("st" + op + o + s, "LD" + upper(op) + upper(s));
    for (const auto& op : words_of(kCpyOps))
      for (const auto& o : words_of(kCpyOptions))
        add(op + o, upper(op));
    for (const auto& op : words_of(kSetOps))
      for (const auto& o : words_of(kSetOptions))
        add(op + o, upper(op));
    return m;
  }();
  return map;
}

inline bool has_sve_register(std::string_view ops) {
  for (size_t i = 0; i + 1 < ops.size(); ++i) {
    bool start = i == 0 || std::string_view(" ,{[").find(ops[i - 1]) != std::string_view::npos;
    if (start && (ops[i] == 'z' || ops[i] == 'p') &&
        std::isdigit(static_cast<unsigned char>(ops[i + 1])))
      return true;
  }
  return false;
}

// An Op of the SVE space: all its patterns have op1 (bits 28:25) = 0010.
inline bool is_sve_op(Op op) {
  bool any = false;
  for (const auto& p : decode_patterns()) {
    if (p.op != op) continue;
    if ((p.mask & 0x1e000000u) != 0x1e000000u || (p.value & 0x1e000000u) != 0x04000000u)
      return false;
    any = true;
  }
  return any;
}

// objdump shows an SVE instruction: z/p register operands or an SVE-only
// mnemonic.
inline bool objdump_shows_sve(std::string_view mnemonic, std::string_view operands) {
  for (const auto& m : words_of(kSveOnlyMnemonics))
    if (m == mnemonic) return true;
  return has_sve_register(operands);
}

// Whether objdump's reading (mnemonic, operands) names the same instruction
// as `op`: ".inst" (undefined) <-> kUnallocated; SVE on both sides or on
// neither; SVE_other for any SVE instruction; else the Op's base name
// (before the first '_') equals the mnemonic, or the mnemonic without a
// vector "2" suffix; b.<cond>/bc.<cond>; an alias or family row.
inline bool objdump_agrees(std::string_view mnemonic, std::string_view operands, Op op) {
  if (mnemonic == ".inst") return op == Op::kUnallocated;
  if (op == Op::kUnallocated) return false;
  static const std::vector<bool> sve = [] {
    std::vector<bool> v(static_cast<size_t>(Op::kCount));
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = is_sve_op(Op(i));
    return v;
  }();
  if (sve[static_cast<size_t>(op)] != objdump_shows_sve(mnemonic, operands)) return false;
  if (op == Op::SVE_other) return true;
  std::string name = op_name(op);
  std::string base = name.substr(0, name.find('_'));
  std::string mn = upper(std::string(mnemonic));
  if (base == mn) return true;
  if (mn.size() > 1 && mn.back() == '2' && base == mn.substr(0, mn.size() - 1)) return true;
  if (mn.starts_with("B.") && op == Op::B_cond) return true;
  if (mn.starts_with("BC.") && op == Op::BC_cond) return true;
  const auto& aliases = objdump_alias_map();
  auto it = aliases.find(mnemonic);
  return it != aliases.end() && it->second.count(op) != 0;
}

}  // namespace vmapple::arm64::test
