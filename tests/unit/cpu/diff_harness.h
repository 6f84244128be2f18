#pragma once
// The random-instruction differential test against qemu-aarch64.
//
// A group of N cases becomes ONE generated static ELF. Each case loads every
// general-purpose register, SP, NZCV (and optionally Q0..Q31) from its input
// record, executes the instruction under test, and stores the same state
// into its output record. At the end the program writes all output records
// (and the per-case data windows that load/store groups use) to stdout and
// exits. The ELF runs under qemu-aarch64 and on our CPU (user_mode.h), and the
// two outputs are compared byte for byte; a mismatch is reported with the
// instruction word, its objdump disassembly, the inputs and the differing
// registers.
//
// Branch groups use a "sled" layout so control flow stays inside the case:
//
//     b over
//   back: K x add sp, sp, #0x100     (targets before the branch)
//     b after
//   over: <branch under test>
//   fwd:  K x add sp, sp, #1         (not taken / targets after the branch)
//   after:
//
// so where the branch landed shows up in SP (each landing slot adds a
// distinct amount).
//
// Knobs (environment): VMAPPLE_DIFF_SEED (seed, default fixed),
// VMAPPLE_DIFF_CASES (cases per group), VMAPPLE_DIFF_KEEP (a directory that
// keeps the generated ELFs), VMAPPLE_QEMU_AARCH64 (the qemu binary).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/bits.h"
#include "unit/cpu/a64_asm.h"
#include "unit/cpu/elf_image.h"

namespace vmapple::arm64::test::diff {

// --- the state record ----------------------------------------------------

inline constexpr unsigned kOffX = 0;       // X0..X30
inline constexpr unsigned kOffSp = 248;    // SP
inline constexpr unsigned kOffNzcv = 256;  // NZCV as MRS reads it
inline constexpr unsigned kOffFpcr = 264;  // FPCR (groups with fp)
inline constexpr unsigned kOffFpsr = 268;  // FPSR (groups with fp)
inline constexpr unsigned kGprRecord = 272;
inline constexpr unsigned kOffV = 272;  // Q0..Q31 (groups with fp)
inline constexpr unsigned kFpRecord = kGprRecord + 32 * 16;

struct State {
  uint64_t x[31] = {};
  uint64_t sp = 0;
  uint64_t nzcv = 0;  // bits 31..28
  uint32_t fpcr = 0;  // groups with fp: FPCR loaded before the instruction
  uint32_t fpsr = 0;  // and FPSR (cumulative flags) before and after it
  unsigned __int128 v[32] = {};
};

inline void encode_state(const State& s, uint8_t* rec, bool fp) {
  std::memcpy(rec + kOffX, s.x, sizeof s.x);
  std::memcpy(rec + kOffSp, &s.sp, 8);
  std::memcpy(rec + kOffNzcv, &s.nzcv, 8);
  if (!fp) return;
  std::memcpy(rec + kOffFpcr, &s.fpcr, 4);
  std::memcpy(rec + kOffFpsr, &s.fpsr, 4);
  std::memcpy(rec + kOffV, s.v, sizeof s.v);
}

inline State decode_state(const uint8_t* rec, bool fp) {
  State s;
  std::memcpy(s.x, rec + kOffX, sizeof s.x);
  std::memcpy(&s.sp, rec + kOffSp, 8);
  std::memcpy(&s.nzcv, rec + kOffNzcv, 8);
  if (!fp) return s;
  std::memcpy(&s.fpcr, rec + kOffFpcr, 4);
  std::memcpy(&s.fpsr, rec + kOffFpsr, 4);
  std::memcpy(s.v, rec + kOffV, sizeof s.v);
  return s;
}

// --- random operands ---------------------------------------------------------

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t next() { return gen_(); }
  // Uniform in [0, n).
  unsigned below(unsigned n) { return static_cast<unsigned>(gen_() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }

  // A register value biased towards the edges integer instructions care
  // about: zero, small numbers, sign boundaries of both widths, all ones.
  uint64_t value() {
    static constexpr uint64_t kSpecial[] = {0,
                                            1,
                                            2,
                                            ~0ull,
                                            ~0ull - 1,
                                            0x7fffffff,
                                            0x80000000,
                                            0xffffffff,
                                            0x100000000,
                                            0xffffffff80000000,
                                            0x7fffffffffffffff,
                                            0x8000000000000000,
                                            0x00000000ffff0000,
                                            0x8000000080000000};
    switch (below(8)) {
      case 0:
        return kSpecial[below(std::size(kSpecial))];
      case 1:
        return below(64);
      case 2:
        return 0 - uint64_t{below(64)};
      case 3:
        return gen_() >> below(64);
      case 4:
        return uint32_t(gen_());
      case 5:
        return kSpecial[below(std::size(kSpecial))] ^ (uint64_t{1} << below(64));
      default:
        return gen_();
    }
  }

  // A floating-point bit pattern of `esize` bits (16, 32, 64) biased towards
  // what FP instructions treat specially: zeros, infinities, quiet and
  // signalling NaNs with payloads, denormals, the normal range's edges,
  // values near 1 and 2^k, and integers' boundaries.
  uint64_t fp_bits(unsigned esize) {
    unsigned mant = esize == 16 ? 10 : esize == 32 ? 23 : 52;
    unsigned ebits = esize - 1 - mant;
    uint64_t emax = (uint64_t{1} << ebits) - 1, bias = emax >> 1;
    uint64_t sign = uint64_t{below(2)} << (esize - 1);
    uint64_t mmask = (uint64_t{1} << mant) - 1, quiet = uint64_t{1} << (mant - 1);
    auto make = [&](uint64_t e, uint64_t m) { return sign | e << mant | (m & mmask); };
    switch (below(12)) {
      case 0:
        return make(0, 0);  // +-0
      case 1:
        return make(emax, 0);  // +-inf
      case 2:
        return make(emax, quiet | gen_());  // quiet NaN, random payload
      case 3:                               // signalling NaN: quiet bit clear, payload non-zero
        return make(emax, ((gen_() & (quiet - 1)) | (uint64_t{1} << below(mant - 1))));
      case 4:
        return make(0, gen_() >> below(mant));  // denormal (or zero)
      case 5:
        return make(below(2) ? 1 : emax - 1, chance(50) ? 0 : gen_());  // edges of the range
      case 6:  // near 1.0 / 0.5 / 2.0, where rounding of small results lives
        return make(bias - 1 + below(3), gen_() >> below(mant + 1));
      case 7: {  // near an integer-conversion boundary: 2^k for k in 0..64
        uint64_t e = bias + below(66);
        return make(e < emax ? e : emax - 1, chance(50) ? gen_() >> (mant - below(4)) : mmask);
      }
      case 8:  // exactly representable small integers and halves
        return make(bias + below(8), gen_() << (mant - below(4)));
      case 9:  // a narrow exponent band so that additions round and cancel
        return make(bias + below(5), gen_());
      default:
        return esize == 64 ? gen_() : gen_() & ((uint64_t{1} << esize) - 1);
    }
  }
  // A 128-bit register of `esize`-bit FP lanes, each from fp_bits; some
  // lanes copy another lane so equal operands appear.
  unsigned __int128 fp_vector(unsigned esize) {
    unsigned __int128 v = 0;
    for (unsigned i = 0; i < 128 / esize; ++i) {
      uint64_t lane = fp_bits(esize);
      if (i && chance(10))
        lane = static_cast<uint64_t>(v >> (esize * below(i))) &
               ((esize == 64 ? 0 : uint64_t{1} << esize) - 1);
      v |= static_cast<unsigned __int128>(lane) << (esize * i);
    }
    return v;
  }
  // FPCR: every rounding mode, FZ, DN and AHP in all combinations.
  uint32_t fpcr() {
    uint32_t v = below(4) << 22;
    if (chance(30)) v |= 1u << 24;  // FZ
    if (chance(30)) v |= 1u << 25;  // DN
    if (chance(20)) v |= 1u << 26;  // AHP
    return v;
  }
  // FPSR input: mostly clear, so the flags an instruction raises show; some
  // cases start with flags set to check they stay (cumulative bits).
  uint32_t fpsr() { return chance(80) ? 0 : static_cast<uint32_t>(gen_() & 0x0800009f); }

 private:
  std::mt19937_64 gen_;
};

// --- the generated program -----------------------------------------------------

struct Options {
  bool fp = false;           // also load/store Q0..Q31
  bool branch_sled = false;  // the sled layout above
  unsigned data_bytes = 0;   // per-case data window (multiple of 16)
};

// Addresses a case generator needs to build valid operands.
struct CaseContext {
  size_t index = 0;
  uint64_t insn_addr = 0;
  uint64_t data_addr = 0;  // this case's data window (Options::data_bytes)
  // Branch sleds: every landing slot a branch under test may target.
  std::vector<uint64_t> targets;
};

struct Case {
  uint32_t insn = 0;
  State in;
  std::vector<uint8_t> data;  // initial data window (data_bytes), random if empty
};

inline constexpr unsigned kSledSlots = 8;
inline constexpr uint64_t kProgramBase = 0x400000;

class Program {
 public:
  Program(Options opt, size_t cases) : opt_(opt), n_(cases) {
    record_ = opt.fp ? kFpRecord : kGprRecord;
    load_words_ = 10 + 15 + 1 + (opt.fp ? 16 + 8 : 0);
    store_words_ = 3 + 15 + 6 + (opt.fp ? 16 + 4 : 0);
    body_words_ = opt.branch_sled ? 2 * kSledSlots + 3 : 1;
    case_words_ = load_words_ + body_words_ + store_words_;
    code_ = kProgramBase + kElfHeaderSpace;
    uint64_t code_end = code_ + n_ * case_words_ * 4 + kEpilogueWords * 4;
    in_ = align(code_end, 0x1000);
    data_ = align(in_ + n_ * record_, 0x1000);
    out_ = align(data_ + n_ * opt.data_bytes, 0x1000);
    end_ = out_ + n_ * record_;
  }

  const Options& options() const { return opt_; }
  size_t size() const { return n_; }
  unsigned record_bytes() const { return record_; }
  // Bytes the program writes to stdout: the output records, then the data.
  size_t output_bytes() const { return n_ * (record_ + opt_.data_bytes); }

  CaseContext context(size_t i) const {
    CaseContext c;
    c.index = i;
    uint64_t body = case_addr(i) + load_words_ * 4;
    c.data_addr = data_ + i * opt_.data_bytes;
    if (!opt_.branch_sled) {
      c.insn_addr = body;
      return c;
    }
    c.insn_addr = body + (kSledSlots + 2) * 4;
    for (unsigned k = 0; k < kSledSlots; ++k)
      c.targets.push_back(back_slot(i, k));
    for (unsigned k = 1; k <= kSledSlots; ++k)
      c.targets.push_back(c.insn_addr + 4 * k);
    return c;
  }

  // The generated executable for `cases` (one per context(i)).
  std::vector<uint8_t> build(const std::vector<Case>& cases, Rng& rng) const {
    std::vector<uint8_t> img(out_ - kProgramBase);  // the output records are bss
    for (size_t i = 0; i < n_; ++i)
      emit_case(img, i, cases[i]);
    emit_epilogue(img);
    for (size_t i = 0; i < n_; ++i) {
      encode_state(cases[i].in, &img[in_ - kProgramBase + i * record_], opt_.fp);
      uint8_t* d = &img[data_ - kProgramBase + i * opt_.data_bytes];
      for (unsigned b = 0; b < opt_.data_bytes; ++b)
        d[b] = b < cases[i].data.size() ? cases[i].data[b] : static_cast<uint8_t>(rng.next());
    }
    return write_elf(kProgramBase, std::move(img), end_ - kProgramBase, code_);
  }

  // Our model of the sled: the SP increment of landing at `target`, or -1
  // when `target` is not a landing slot (for the direct handler check).
  int64_t sled_increment(size_t i, uint64_t target) const {
    uint64_t insn = context(i).insn_addr;
    for (unsigned k = 0; k < kSledSlots; ++k)
      if (target == back_slot(i, k)) return int64_t{kSledSlots - k} * 0x100;
    for (unsigned k = 0; k <= kSledSlots; ++k)
      if (target == insn + 4 + 4 * k) return kSledSlots - k;
    return -1;
  }

 private:
  static constexpr unsigned kEpilogueWords = 2 * 7 + 3;
  static uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
  uint64_t case_addr(size_t i) const { return code_ + i * case_words_ * 4; }
  uint64_t back_slot(size_t i, unsigned k) const {
    return case_addr(i) + load_words_ * 4 + 4 + 4 * k;
  }

  struct Emitter {
    std::vector<uint8_t>& img;
    uint64_t pc;
    void operator()(uint32_t w) {
      store_le<uint32_t>(&img[pc - kProgramBase], w);
      pc += 4;
    }
  };

  static void emit_address(Emitter& e, unsigned reg, uint64_t addr) {
    e(a64::adrp(reg, e.pc, addr));
    e(a64::add_imm(reg, reg, addr & 0xfff));
  }

  void emit_case(std::vector<uint8_t>& img, size_t i, const Case& c) const {
    Emitter e{img, case_addr(i)};
    uint64_t in = in_ + i * record_, out = out_ + i * record_;
    // Load: NZCV and SP through X30, then V, then X0..X29 and X30 last.
    emit_address(e, 30, in);
    e(a64::ldr_x(30, 30, kOffNzcv));
    e(a64::msr_nzcv(30));
    emit_address(e, 30, in);
    e(a64::ldr_x(30, 30, kOffSp));
    e(a64::add_imm(31, 30, 0));  // mov sp, x30
    if (opt_.fp) {
      emit_address(e, 30, in);
      e(a64::ldr_w(30, 30, kOffFpcr));
      e(a64::msr_fpcr(30));
      emit_address(e, 30, in);
      e(a64::ldr_w(30, 30, kOffFpsr));
      e(a64::msr_fpsr(30));
    }
    emit_address(e, 30, in);
    if (opt_.fp)
      for (unsigned r = 0; r < 32; r += 2)
        e(a64::ldp_q(r, r + 1, 30, kOffV + 16 * r));
    for (unsigned r = 0; r < 30; r += 2)
      e(a64::ldp_x(r, r + 1, 30, kOffX + 8 * r));
    e(a64::ldr_x(30, 30, kOffX + 240));
    // The instruction under test.
    if (opt_.branch_sled) {
      uint64_t over = e.pc + (kSledSlots + 2) * 4;
      uint64_t after = over + (kSledSlots + 1) * 4;
      e(a64::b(e.pc, over));
      for (unsigned k = 0; k < kSledSlots; ++k)
        e(a64::add_imm(31, 31, 0x100));
      e(a64::b(e.pc, after));
      e(c.insn);
      for (unsigned k = 0; k < kSledSlots; ++k)
        e(a64::add_imm(31, 31, 1));
    } else {
      e(c.insn);
    }
    // Store: X30 parked in TPIDR_EL0 while it holds the record address.
    e(a64::msr_tpidr_el0(30));
    emit_address(e, 30, out);
    for (unsigned r = 0; r < 30; r += 2)
      e(a64::stp_x(r, r + 1, 30, kOffX + 8 * r));
    if (opt_.fp) {
      for (unsigned r = 0; r < 32; r += 2)
        e(a64::stp_q(r, r + 1, 30, kOffV + 16 * r));
      e(a64::mrs_fpcr(0));
      e(a64::str_w(0, 30, kOffFpcr));
      e(a64::mrs_fpsr(0));
      e(a64::str_w(0, 30, kOffFpsr));
    }
    e(a64::mrs_tpidr_el0(0));
    e(a64::str_x(0, 30, kOffX + 240));
    e(a64::add_imm(0, 31, 0));  // mov x0, sp
    e(a64::str_x(0, 30, kOffSp));
    e(a64::mrs_nzcv(0));
    e(a64::str_x(0, 30, kOffNzcv));
  }

  // write(1, addr, len) for the records and the data, then exit(0).
  void emit_epilogue(std::vector<uint8_t>& img) const {
    Emitter e{img, case_addr(n_)};
    auto write_out = [&](uint64_t addr, uint64_t len) {
      emit_address(e, 1, addr);
      e(a64::movz(2, len & 0xffff));
      e(a64::movk(2, (len >> 16) & 0xffff, 1));
      e(a64::movz(0, 1));
      e(a64::movz(8, 64));  // __NR_write
      e(a64::svc(0));
    };
    write_out(out_, n_ * record_);
    if (opt_.data_bytes)
      write_out(data_, n_ * opt_.data_bytes);
    else
      for (int k = 0; k < 7; ++k)
        e(a64::nop());
    e(a64::movz(0, 0));
    e(a64::movz(8, 93));  // __NR_exit
    e(a64::svc(0));
  }

  Options opt_;
  size_t n_;
  unsigned record_;
  unsigned load_words_, store_words_, body_words_, case_words_;
  uint64_t code_, in_, data_, out_, end_;
};

// --- running the oracle -----------------------------------------------------------

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline uint64_t diff_seed() {
  return std::stoull(env_or("VMAPPLE_DIFF_SEED", "20240601"), nullptr, 0);
}
inline size_t diff_cases(size_t fallback) {
  return std::stoull(env_or("VMAPPLE_DIFF_CASES", std::to_string(fallback)), nullptr, 0);
}

// Writes `bytes` as an executable file in a fresh temporary (or the keep
// directory) and returns its path.
inline std::string write_temp_executable(const std::string& name,
                                         const std::vector<uint8_t>& bytes) {
  std::string dir = env_or("VMAPPLE_DIFF_KEEP", "");
  std::string path;
  if (!dir.empty()) {
    path = dir + "/" + name + ".elf";
  } else {
    std::string tmpl = env_or("TMPDIR", "/tmp") + "/vmapple-" + name + "-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    int fd = mkstemp(buf.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    close(fd);
    path = buf.data();
  }
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  if (chmod(path.c_str(), 0755) != 0) throw std::runtime_error("chmod failed");
  return path;
}

inline bool keep_files() {
  return !env_or("VMAPPLE_DIFF_KEEP", "").empty();
}

struct ProcessResult {
  std::vector<uint8_t> out;
  int exit_code = -1;  // -1: did not exit normally
};

// Runs a shell command and captures its stdout.
inline ProcessResult run_capture(const std::string& cmd) {
  ProcessResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  uint8_t buf[65536];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0)
    r.out.insert(r.out.end(), buf, buf + got);
  int status = pclose(p);
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

inline std::string qemu_binary() {
  return env_or("VMAPPLE_QEMU_AARCH64", "qemu-aarch64");
}

// The Cortex-A57 model is ARMv8.0 like our CPU's ID registers.
inline ProcessResult run_qemu(const std::string& elf) {
  return run_capture(qemu_binary() + " -cpu cortex-a57 '" + elf + "'");
}

inline bool tool_available(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// objdump's text for one instruction word ("add x1, x2, #0x3").
inline std::string disassemble(uint32_t insn) {
  std::string path =
      write_temp_executable(fmt::format("insn-{:08x}", insn),
                            {static_cast<uint8_t>(insn), static_cast<uint8_t>(insn >> 8),
                             static_cast<uint8_t>(insn >> 16), static_cast<uint8_t>(insn >> 24)});
  ProcessResult r =
      run_capture("aarch64-linux-gnu-objdump -D -b binary -m aarch64 '" + path + "' 2>/dev/null");
  if (!keep_files()) unlink(path.c_str());
  std::string text(r.out.begin(), r.out.end());
  // The line is "   0:\t<hex>  \t<mnemonic>\t<operands>".
  size_t pos = text.find("   0:\t");
  if (pos == std::string::npos) return "?";
  size_t end = text.find('\n', pos);
  std::string line = text.substr(pos, end - pos);
  size_t tab = line.find('\t', 6);
  std::string asm_text = tab == std::string::npos ? line : line.substr(tab + 1);
  for (char& ch : asm_text)
    if (ch == '\t') ch = ' ';
  return asm_text;
}

// --- comparison ---------------------------------------------------------------

inline std::string reg_name(unsigned r) {
  return r == 31 ? "sp" : fmt::format("x{}", r);
}

// Describes how case i differs; empty if it matches.
inline std::string describe_case_diff(const Program& prog, const Case& c, size_t i,
                                      const std::vector<uint8_t>& expect,
                                      const std::vector<uint8_t>& got) {
  size_t rec = prog.record_bytes();
  const uint8_t* e = expect.data() + i * rec;
  const uint8_t* g = got.data() + i * rec;
  size_t data_off = prog.size() * rec + i * prog.options().data_bytes;
  bool data_differs =
      std::memcmp(expect.data() + data_off, got.data() + data_off, prog.options().data_bytes) != 0;
  if (std::memcmp(e, g, rec) == 0 && !data_differs) return {};
  State es = decode_state(e, prog.options().fp), gs = decode_state(g, prog.options().fp);
  std::string s = fmt::format("case {}: insn 0x{:08x}  {}  (pc 0x{:x})\n", i, c.insn,
                              disassemble(c.insn), prog.context(i).insn_addr);
  for (unsigned r = 0; r < 32; ++r) {
    uint64_t ev = r == 31 ? es.sp : es.x[r], gv = r == 31 ? gs.sp : gs.x[r];
    uint64_t in = r == 31 ? c.in.sp : c.in.x[r];
    if (ev != gv)
      s += fmt::format("  {:>3}: qemu 0x{:016x}  ours 0x{:016x}  (input 0x{:016x})\n", reg_name(r),
                       ev, gv, in);
  }
  if (es.nzcv != gs.nzcv)
    s += fmt::format("  nzcv: qemu {:04b}  ours {:04b}  (input {:04b})\n", es.nzcv >> 28,
                     gs.nzcv >> 28, c.in.nzcv >> 28);
  if (prog.options().fp && es.fpcr != gs.fpcr)
    s += fmt::format("  fpcr: qemu 0x{:08x}  ours 0x{:08x}  (input 0x{:08x})\n", es.fpcr, gs.fpcr,
                     c.in.fpcr);
  if (prog.options().fp && es.fpsr != gs.fpsr)
    s += fmt::format("  fpsr: qemu 0x{:08x}  ours 0x{:08x}  (input 0x{:08x})\n", es.fpsr, gs.fpsr,
                     c.in.fpsr);
  for (unsigned r = 0; r < 32 && prog.options().fp; ++r)
    if (es.v[r] != gs.v[r])
      s += fmt::format("  q{}: qemu 0x{:016x}{:016x}  ours 0x{:016x}{:016x}\n", r,
                       static_cast<uint64_t>(es.v[r] >> 64), static_cast<uint64_t>(es.v[r]),
                       static_cast<uint64_t>(gs.v[r] >> 64), static_cast<uint64_t>(gs.v[r]));
  if (data_differs) {
    for (unsigned b = 0; b < prog.options().data_bytes; ++b)
      if (expect[data_off + b] != got[data_off + b])
        s += fmt::format("  data+{:#x}: qemu {:02x} ours {:02x}\n", b, expect[data_off + b],
                         got[data_off + b]);
  }
  s += "  inputs:";
  for (unsigned r = 0; r < 31; ++r)
    s += fmt::format(" x{}=0x{:x}", r, c.in.x[r]);
  s += fmt::format(" sp=0x{:x} nzcv={:04b}\n", c.in.sp, c.in.nzcv >> 28);
  for (unsigned r = 0; r < 32 && prog.options().fp; ++r)
    s += fmt::format("{}q{}=0x{:016x}{:016x}",
                     r == 0  ? "  "
                     : r % 4 ? " "
                             : "\n  ",
                     r, static_cast<uint64_t>(c.in.v[r] >> 64), static_cast<uint64_t>(c.in.v[r]));
  if (prog.options().fp) s += "\n";
  return s;
}

struct Comparison {
  size_t mismatches = 0;
  std::string report;  // the first few mismatches, described
};

inline Comparison compare_outputs(const Program& prog, const std::vector<Case>& cases,
                                  const std::vector<uint8_t>& expect,
                                  const std::vector<uint8_t>& got, size_t max_reports = 8) {
  Comparison cmp;
  if (expect.size() != prog.output_bytes() || got.size() != prog.output_bytes()) {
    cmp.mismatches = prog.size();
    cmp.report = fmt::format("output sizes differ: expected {} bytes, qemu {}, ours {}\n",
                             prog.output_bytes(), expect.size(), got.size());
    return cmp;
  }
  size_t rec = prog.record_bytes(), data = prog.options().data_bytes;
  for (size_t i = 0; i < prog.size(); ++i) {
    size_t data_off = prog.size() * rec + i * data;
    bool same = std::memcmp(&expect[i * rec], &got[i * rec], rec) == 0 &&
                std::memcmp(&expect[data_off], &got[data_off], data) == 0;
    if (same) continue;
    if (++cmp.mismatches <= max_reports)
      cmp.report += describe_case_diff(prog, cases[i], i, expect, got);
  }
  return cmp;
}

}  // namespace vmapple::arm64::test::diff
