// Runs the built `vmapple` binary as a user would and checks exit statuses
// and the one-line errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
  int status;
  std::string out;
  std::string err;
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CliSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-cli-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    firmware_ = make_file("fw.bin", 4096);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string make_file(const std::string& name, size_t size) {
    auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << std::string(size, '\0');
    return p;
  }

  // Runs vmapple with `args` (no stdin), capturing both streams.
  Result run(const std::vector<std::string>& args) {
    auto out = dir_ / "stdout", err = dir_ / "stderr";
    pid_t pid = fork();
    if (pid == 0) {
      freopen("/dev/null", "r", stdin);
      freopen(out.c_str(), "w", stdout);
      freopen(err.c_str(), "w", stderr);
      std::vector<char*> argv{const_cast<char*>(VMAPPLE_BINARY)};
      for (auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(VMAPPLE_BINARY, argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out),
            slurp(err)};
  }

  void expect_usage_error(const std::vector<std::string>& args, const std::string& prefix) {
    Result r = run(args);
    EXPECT_EQ(r.status, 2) << r.err;
    auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind(prefix, 0), 0u) << lines[0];
    EXPECT_EQ(r.out, "");
  }

  std::filesystem::path dir_;
  std::string firmware_;
};

TEST_F(CliSystemTest, BadMemorySizeExitsTwoNamingTheFlag) {
  expect_usage_error({"run", "--memory", "12XB", "--firmware", firmware_},
                     "vmapple: --memory: '12XB'");
}

TEST_F(CliSystemTest, MissingFirmwareExitsTwoNamingTheFlag) {
  auto missing = (dir_ / "nope.bin").string();
  expect_usage_error({"run", "--firmware", missing}, "vmapple: --firmware: '" + missing + "'");
}

TEST_F(CliSystemTest, OversizedFirmwareExitsTwo) {
  expect_usage_error({"run", "--firmware", make_file("big.bin", (1 << 20) + 512)},
                     "vmapple: --firmware: ");
}

TEST_F(CliSystemTest, UnknownOptionAndMissingCommandExitTwo) {
  expect_usage_error({"run", "--firmware", firmware_, "--frobnicate"}, "vmapple: ");
  expect_usage_error({}, "vmapple: ");
  expect_usage_error({"fly"}, "vmapple: ");
  expect_usage_error({"run", "--cpus", "64", "--firmware", firmware_}, "vmapple: --cpus: ");
}

TEST_F(CliSystemTest, BadDiskExitsTwoNamingTheFile) {
  auto odd = make_file("odd.img", 1000);
  expect_usage_error({"run", "--firmware", firmware_, "--disk", odd, "--serial", "none"},
                     "vmapple: --disk: ");
  auto missing = (dir_ / "missing.img").string();
  Result r = run({"run", "--firmware", firmware_, "--disk", missing, "--serial", "none"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST_F(CliSystemTest, VersionAndHelp) {
  Result v = run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("vmapple ", 0), 0u) << v.out;
  Result h = run({"run", "--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--memory"), std::string::npos);
  EXPECT_NE(h.out.find("Examples:"), std::string::npos);
  Result t = run({"run", "--trace", "help"});
  EXPECT_EQ(t.status, 0);
  EXPECT_NE(t.out.find("guest-error"), std::string::npos);
  EXPECT_NE(t.out.find("pl011"), std::string::npos);
}

TEST_F(CliSystemTest, ValidMachineIsBuiltButNotPretendedToRun) {
  auto disk = make_file("disk.img", 1 << 20);
  Result r = run({"run", "--firmware", firmware_, "--memory", "64M", "--cpus", "2", "--disk", disk,
                  "--serial", "none", "--ecid", "0x42"});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find("no accelerator"), std::string::npos) << r.err;
}

}  // namespace
