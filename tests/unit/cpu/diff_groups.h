#pragma once
// Running a differential-test group (diff_harness.h) in a gtest: the cases
// of a group are generated and run under qemu-aarch64 once per test binary
// and shared by every test of the group; results are compared with
// expect_same_as_qemu(), which reports the first mismatches and keeps the
// generated program for reproduction.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "unit/cpu/diff_harness.h"
#include "unit/cpu/user_mode.h"

namespace vmapple::arm64::test::diff {

// Fills Case::insn (and any inputs the instruction needs, e.g. base
// registers) for the case at `ctx`; registers, SP and NZCV arrive random.
using Generator = void (*)(Rng&, const CaseContext&, Case&);

struct Group {
  const char* name;
  Options options;
  Generator generate;
};
inline void PrintTo(const Group& g, std::ostream* os) {
  *os << g.name;
}

struct GroupRun {
  Program program;
  std::vector<Case> cases;
  std::vector<uint8_t> elf;
  std::string elf_path;
  ProcessResult qemu;
};

inline uint64_t name_hash(const char* s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (; *s; ++s)
    h = (h ^ static_cast<uint8_t>(*s)) * 1099511628211ull;
  return h;
}

// The group's cases, program and qemu output; built on first use.
inline GroupRun& group_run(const Group& g, size_t default_cases) {
  static std::map<std::string, std::unique_ptr<GroupRun>> runs;
  auto& slot = runs[g.name];
  if (slot) return *slot;
  size_t n = diff_cases(default_cases);
  Rng rng(diff_seed() ^ name_hash(g.name));
  slot.reset(new GroupRun{Program(g.options, n), {}, {}, {}, {}});
  GroupRun& run = *slot;
  for (size_t i = 0; i < n; ++i) {
    Case c;
    for (uint64_t& x : c.in.x)
      x = rng.value();
    c.in.sp = rng.value();
    c.in.nzcv = uint64_t{rng.below(16)} << 28;
    if (g.options.fp)
      for (auto& v : c.in.v)
        v = static_cast<unsigned __int128>(rng.value()) << 64 | rng.value();
    g.generate(rng, run.program.context(i), c);
    run.cases.push_back(std::move(c));
  }
  run.elf = run.program.build(run.cases, rng);
  run.elf_path = write_temp_executable(std::string("diff-") + g.name, run.elf);
  run.qemu = run_qemu(run.elf_path);
  if (!keep_files()) unlink(run.elf_path.c_str());
  return run;
}

// The group's program on our CPU (user_mode.h): what it wrote to stdout.
inline std::vector<uint8_t> run_on_our_cpu(const GroupRun& run) {
  UserRunResult r = UserModeRunner(parse_elf(run.elf)).run();
  EXPECT_TRUE(r.exited) << r.error;
  EXPECT_EQ(r.exit_code, r.exited ? 0 : -1);
  return r.out;
}

inline void expect_same_as_qemu(const GroupRun& run, const std::vector<uint8_t>& ours) {
  ASSERT_EQ(run.qemu.exit_code, 0)
      << qemu_binary() << " failed on " << run.elf_path << " (install qemu-user: scripts/setup)";
  Comparison cmp = compare_outputs(run.program, run.cases, run.qemu.out, ours);
  ::testing::Test::RecordProperty("cases", static_cast<int>(run.program.size()));
  if (cmp.mismatches == 0) return;
  // Keep the program for reproduction (qemu-aarch64 -singlestep -d cpu ...).
  std::string kept = keep_files() ? run.elf_path : write_temp_executable("mismatch", run.elf);
  ADD_FAILURE() << cmp.mismatches << " of " << run.program.size() << " cases differ (seed "
                << diff_seed() << ", program kept as " << kept << "):\n"
                << cmp.report;
}

// A random register number 0..31.
inline unsigned reg(Rng& r) {
  return r.below(32);
}

// Sets Xn, or SP for n = 31 (the base register encoding).
inline void set_reg_or_sp(Case& c, unsigned n, uint64_t v) {
  if (n == 31)
    c.in.sp = v;
  else
    c.in.x[n] = v;
}

// The group's program on our CPU compared with qemu's run.
inline void expect_group_same_as_qemu(const Group& g, size_t default_cases) {
  GroupRun& run = group_run(g, default_cases);
  expect_same_as_qemu(run, run_on_our_cpu(run));
}

}  // namespace vmapple::arm64::test::diff

// A parameterised suite `Suite` with one test "Program" per group of
// `groups` (named after the group) that runs it on our CPU and on qemu.
#define VMAPPLE_DIFF_GROUP_SUITE(Suite, groups, default_cases)         \
  class Suite : public ::testing::TestWithParam<Group> {};             \
  TEST_P(Suite, Program) {                                             \
    expect_group_same_as_qemu(GetParam(), default_cases);              \
  }                                                                    \
  INSTANTIATE_TEST_SUITE_P(Groups, Suite, ::testing::ValuesIn(groups), \
                           [](const auto& info) { return std::string(info.param.name); })
