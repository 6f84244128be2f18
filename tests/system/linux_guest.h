#pragma once
// The Linux guest of the system tests: scripts/guest-image (Debian's arm64
// kernel, a busybox initramfs whose /init runs the steps named by
// vmapple.step=, an ext4 data disk), and a running `vmapple run --kernel`
// whose serial console the test reads while the VM runs, so it can act on
// the guest's "vmapple-result:" lines (inject a key, press the power button).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "vmapple_process.h"

namespace vmapple::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Runs a command through the shell; returns (exit status, stdout [+ stderr]).
inline std::pair<int, std::string> shell(const std::string& cmd, bool with_stderr = true) {
  std::string out;
  FILE* p = popen((with_stderr ? cmd + " 2>&1" : cmd).c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;)
    out.append(buf.data(), n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

struct GuestImage {
  std::string kernel, initramfs, disk;  // disk: the template, copy before use
};

// Builds (once; cached) the guest image. Without network on the first run
// this fails the test loudly: it never skips.
inline GuestImage guest_image() {
  auto [status, out] = shell(std::string(VMAPPLE_SOURCE_DIR) + "/scripts/guest-image");
  EXPECT_EQ(status, 0) << "scripts/guest-image failed (network needed on the first run):\n" << out;
  std::map<std::string, std::string> kv;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos && line.find(' ') == std::string::npos)
      kv[line.substr(0, eq)] = line.substr(eq + 1);
  GuestImage g{kv["kernel"], kv["initramfs"], kv["disk"]};
  EXPECT_TRUE(fs::exists(g.kernel) && fs::exists(g.initramfs) && fs::exists(g.disk)) << out;
  return g;
}

// Boots of a software-CPU VMM take a while; VMAPPLE_LINUX_TIMEOUT (seconds)
// raises the limit on a slow machine.
inline std::chrono::seconds boot_timeout() {
  const char* t = std::getenv("VMAPPLE_LINUX_TIMEOUT");
  return std::chrono::seconds(t ? std::atoi(t) : 600);
}

// A `vmapple run` in the background, stdin /dev/null, stdout (the serial
// console) and stderr in files of `dir`.
class RunningVm {
 public:
  RunningVm(const fs::path& dir, const std::vector<std::string>& args)
      : out_(dir / "stdout"), err_(dir / "stderr"), pid_(spawn_vmapple(out_, err_, args)) {}
  ~RunningVm() {
    if (!status_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }
  std::string log() const { return "--- serial console:\n" + out() + "\n--- stderr:\n" + err(); }

  // Waits until the console shows `text` (counting from byte `from`).
  // False on timeout, exit or a kernel panic.
  bool wait_for(const std::string& text, std::chrono::seconds limit = boot_timeout(),
                size_t from = 0) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      std::string o = out();
      if (o.size() > from && o.find(text, from) != std::string::npos) return true;
      if (o.find("Kernel panic") != std::string::npos || exited()) return false;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // The exit status (128 + signal if killed), or nullopt after the limit.
  std::optional<int> wait_exit(std::chrono::seconds limit = boot_timeout()) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!exited() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(50ms);
    return status_;
  }

 private:
  bool exited() {
    if (status_) return true;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) != pid_) return false;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
  }

  fs::path out_, err_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The "vmapple-result: STEP ..." lines of the console, prefix removed.
inline std::vector<std::string> results(const std::string& console, const std::string& step) {
  std::vector<std::string> lines;
  std::istringstream in(console);
  const std::string prefix = "vmapple-result: " + step + " ";
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto at = line.find(prefix); at != std::string::npos)
      lines.push_back(line.substr(at + prefix.size()));
  }
  return lines;
}

inline size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// A per-test directory with a copy of the data disk, and the argument list
// of `vmapple run` booting the guest with the given steps.
class LinuxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vmapple-linux-" + std::string(info->name()) + "-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    image_ = guest_image();
    ASSERT_FALSE(::testing::Test::HasFailure()) << "the guest image is needed";
    disk_ = (dir_ / "disk.ext4").string();
    fs::copy_file(image_.disk, disk_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::vector<std::string> boot_args(const std::string& steps, const std::string& extra_append = "",
                                     int cpus = 1) {
    return {"run",
            "--kernel",
            image_.kernel,
            "--initrd",
            image_.initramfs,
            "--append",
            "console=ttyAMA0 vmapple.timeout=300 vmapple.step=" + steps + " " + extra_append,
            "--memory",
            "512M",
            "--cpus",
            std::to_string(cpus),
            "--serial",
            "stdio"};
  }

  // `vmapple ctl SOCKET ARGS...`: the host control client.
  std::pair<int, std::string> ctl(const std::string& socket, const std::string& args) {
    return shell(std::string(VMAPPLE_BINARY) + " ctl " + socket + " " + args);
  }

  fs::path dir_;
  GuestImage image_;
  std::string disk_;
};

}  // namespace vmapple::testing
