// The user-mode test programs of tests/guest/user/ (C and assembly, built
// with the cross compiler) run on our CPU and under qemu-aarch64: stdout and
// the exit code must be identical. The programs check known answers
// themselves (exit code 1 and a "CHECK failed" line otherwise), and the
// assembly ones print their final registers with dump_regs.
#include <gtest/gtest.h>

#include <string>

#include "unit/cpu/diff_harness.h"
#include "unit/cpu/elf_image.h"
#include "unit/cpu/user_mode.h"

namespace vmapple::arm64::test {
namespace {

std::string program_path(const std::string& name) {
  std::string file = name.starts_with("glibc_") ? name : "user_" + name;
  return std::string(VMAPPLE_USER_PROGRAM_DIR) + "/" + file + ".elf";
}

std::string text(const std::vector<uint8_t>& bytes) {
  return {bytes.begin(), bytes.end()};
}

class UserPrograms : public ::testing::TestWithParam<const char*> {};

void expect_match_qemu(const std::string& name, MmuMode mmu) {
  std::string path = program_path(name);
  diff::ProcessResult qemu = diff::run_qemu(path);
  ASSERT_EQ(qemu.exit_code, 0) << diff::qemu_binary() << " " << path << ":\n" << text(qemu.out);
  ASSERT_FALSE(qemu.out.empty());

  UserModeRunner runner(parse_elf(read_file_bytes(path)), mmu);
  UserRunResult ours = runner.run();
  ASSERT_TRUE(ours.exited) << ours.error << "\noutput so far:\n" << text(ours.out);
  EXPECT_EQ(ours.exit_code, 0);
  EXPECT_EQ(text(ours.out), text(qemu.out));
  EXPECT_TRUE(ours.err.empty()) << text(ours.err);
  ::testing::Test::RecordProperty("instructions", static_cast<int>(ours.instructions));
}

// Identity-mapped Normal memory, as a Linux process sees it.
TEST_P(UserPrograms, MatchQemu) {
  expect_match_qemu(GetParam(), MmuMode::kIdentityMap);
}

// MMU off: every data access is Device memory, so this also shows that the
// programs make no unaligned accesses the flat mode would fault on.
TEST_P(UserPrograms, MatchQemuWithMmuOff) {
  expect_match_qemu(GetParam(), MmuMode::kOff);
}

INSTANTIATE_TEST_SUITE_P(Guest, UserPrograms,
                         ::testing::Values("sort", "crc", "strings", "intmath", "flags", "edge"),
                         [](const auto& info) { return std::string(info.param); });

// Static glibc programs (tests/guest/user/glibc/): NEON and FP intrinsics
// under every FPCR mode, libm, printf/strtod, glibc's SIMD string functions,
// auto-vectorised loops, and the crypto/CRC extension. They start like a
// Linux process (auxv, brk, mmap) and print hashes of all their results.
class GlibcPrograms : public ::testing::TestWithParam<const char*> {};

TEST_P(GlibcPrograms, MatchQemu) {
  expect_match_qemu(std::string("glibc_") + GetParam(), MmuMode::kIdentityMap);
}

INSTANTIATE_TEST_SUITE_P(Guest, GlibcPrograms,
                         ::testing::Values("neon_int", "neon_fp", "libm", "strings_vec", "crypto"),
                         [](const auto& info) { return std::string(info.param); });

// The runner itself: a program that fails a CHECK exits with 1 and says so,
// both on our CPU and under qemu (so a broken program cannot pass).
TEST(UserModeRunner, ReportsExitCodeAndOutput) {
  // _start: write(1, msg, 3); exit(7)
  std::vector<uint32_t> code = {
      0xd2800020,  // mov x0, #1
      0x10000101,  // adr x1, msg (+0x20)
      0xd2800062,  // mov x2, #3
      0xd2800808,  // mov x8, #64
      0xd4000001,  // svc #0
      0xd28000e0,  // mov x0, #7
      0xd2800ba8,  // mov x8, #93
      0xd4000001,  // svc #0
      0x14000000,  // b .
      0x000a6b6f,  // "ok\n"
  };
  std::vector<uint8_t> img(kElfHeaderSpace + code.size() * 4);
  for (size_t i = 0; i < code.size(); ++i)
    store_le<uint32_t>(&img[kElfHeaderSpace + 4 * i], code[i]);
  uint64_t entry = diff::kProgramBase + kElfHeaderSpace;
  std::vector<uint8_t> elf = write_elf(diff::kProgramBase, img, img.size(), entry);

  UserRunResult ours = UserModeRunner(parse_elf(elf)).run();
  ASSERT_TRUE(ours.exited) << ours.error;
  EXPECT_EQ(ours.exit_code, 7);
  EXPECT_EQ(text(ours.out), "ok\n");

  std::string path = diff::write_temp_executable("runner-selftest", elf);
  diff::ProcessResult qemu = diff::run_qemu(path);
  unlink(path.c_str());
  EXPECT_EQ(qemu.exit_code, 7);
  EXPECT_EQ(text(qemu.out), "ok\n");
}

TEST(UserModeRunner, StopsOnUndefinedInstruction) {
  std::vector<uint8_t> img(kElfHeaderSpace + 8);
  store_le<uint32_t>(&img[kElfHeaderSpace], 0x00000000);  // UDF #0
  uint64_t entry = diff::kProgramBase + kElfHeaderSpace;
  UserRunResult ours =
      UserModeRunner(parse_elf(write_elf(diff::kProgramBase, img, img.size(), entry))).run();
  EXPECT_FALSE(ours.exited);
  EXPECT_NE(ours.error.find("EC 0x0"), std::string::npos) << ours.error;
  EXPECT_NE(ours.error.find(fmt::format("at pc {:#x}", entry)), std::string::npos) << ours.error;
}

}  // namespace
}  // namespace vmapple::arm64::test
