#pragma once
// Helpers for the block backend tests: scratch image files, running the loop
// until a completion arrives, and running a check in a forked child.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/event_loop.h"
#include "block/block_backend.h"

namespace vmapple::test {

// A private directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vmapple-block-XXXXXX").string();
    EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Byte i of a test image.
inline uint8_t pattern(uint64_t i) {
  return static_cast<uint8_t>(i * 7 + (i >> 9) + 1);
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  close(fd);
}

inline std::vector<uint8_t> make_pattern(size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i)
    bytes[i] = pattern(i);
  return bytes;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> bytes(std::filesystem::file_size(path));
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  EXPECT_EQ(pread(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  close(fd);
  return bytes;
}

// One request's outcome, filled in by its completion.
struct Outcome {
  std::optional<int64_t> result;
  std::thread::id thread;
  int calls = 0;

  BlockBackend::Completion completion() {
    return [this](int64_t r) {
      result = r;
      thread = std::this_thread::get_id();
      ++calls;
    };
  }
};

// Runs the loop on this thread until `done()` or a generous deadline.
template <typename Pred>
bool run_until(EventLoop& loop, Pred done,
               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    loop.run_once(10);
  }
  return true;
}

inline int64_t wait(EventLoop& loop, Outcome& o) {
  EXPECT_TRUE(run_until(loop, [&] { return o.result.has_value(); })) << "no completion";
  return o.result.value_or(INT64_MIN);
}

// Runs `body` in a forked child and returns its exit status (or 128 + signal).
// The child reports failures on stderr and exits non-zero.
inline int in_child(const std::function<int()>& body) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 97;
    try {
      rc = body();
    } catch (const std::exception& e) {
      fprintf(stderr, "child: exception: %s\n", e.what());
    }
    fflush(nullptr);
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace vmapple::test
