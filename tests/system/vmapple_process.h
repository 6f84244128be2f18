#pragma once
// Runs the built `vmapple` binary as a user would (no stdin), capturing its
// output, optionally sending it a signal after a delay, with a time limit so
// a hung VMM fails the test instead of the whole run.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vmapple::testing {

struct ProcessResult {
  int status = -1;  // exit status, 128 + signal if killed, -1 if timed out
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

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct RunOptions {
  std::chrono::milliseconds timeout{60'000};
  std::optional<std::pair<std::chrono::milliseconds, int>> signal_after;  // (delay, signo)
};

// Starts `vmapple ARGS` with stdin /dev/null and stdout/stderr in the files
// `out` and `err`; returns its pid.
inline pid_t spawn_vmapple(const std::filesystem::path& out, const std::filesystem::path& err,
                           const std::vector<std::string>& args) {
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
  return pid;
}

inline ProcessResult run_vmapple(const std::filesystem::path& dir,
                                 const std::vector<std::string>& args, RunOptions opt = {}) {
  auto out = dir / "stdout", err = dir / "stderr";
  pid_t pid = spawn_vmapple(out, err, args);
  auto start = std::chrono::steady_clock::now();
  bool signalled = false;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    auto elapsed = std::chrono::steady_clock::now() - start;
    if (opt.signal_after && !signalled && elapsed >= opt.signal_after->first) {
      kill(pid, opt.signal_after->second);
      signalled = true;
    }
    if (elapsed >= opt.timeout) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return {-1, slurp(out), slurp(err)};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out), slurp(err)};
}

}  // namespace vmapple::testing
