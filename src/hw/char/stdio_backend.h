#pragma once
// `--serial stdio` (the default): the guest's console on the VMM's terminal.
//
// When stdin is a terminal it is put in raw mode (no echo, no line editing,
// no signals: Ctrl-C goes to the guest) but output post-processing stays on,
// so the VMM's own "\n"-terminated log lines still return the carriage. The
// terminal is restored when the backend is destroyed, at exit(), and by
// restore_terminal() (for signal handlers). On a terminal, Ctrl-A X quits the
// VM and Ctrl-A Ctrl-A sends one Ctrl-A; stdin keeps being read while the
// guest is not taking input so that Ctrl-A X always works (what the guest has
// not taken waits in a buffer of up to kTerminalQueueLimit bytes; typing past
// that is dropped with a warning).
//
// When stdin is not a terminal (a pipe, a file, /dev/null) it is passed
// through untouched, read only as fast as the guest takes it, and EOF simply
// ends input.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <unistd.h>

#include "hw/char/char_backend.h"

namespace vmapple {

class EventLoop;

// The Ctrl-A escapes of the stdio console.
class ConsoleEscape {
 public:
  static constexpr uint8_t kEscape = 0x01;  // Ctrl-A

  // Appends the bytes meant for the guest to `out`. Returns true when Ctrl-A X
  // was typed; the bytes after it are dropped. Ctrl-A followed by any other
  // key passes both bytes on.
  bool feed(std::span<const uint8_t> in, std::vector<uint8_t>& out);

 private:
  bool escape_pending_ = false;
};

class StdioBackend final : public CharBackend {
 public:
  static constexpr size_t kTerminalQueueLimit = 1 << 20;

  // Tests pass other fds (a pipe, a pty); the machine uses stdin/stdout.
  explicit StdioBackend(EventLoop& loop, int in_fd = STDIN_FILENO, int out_fd = STDOUT_FILENO);
  ~StdioBackend() override;

  void write(std::span<const uint8_t> bytes) override;
  void input_ready() override;
  void set_quit_handler(std::function<void()> quit) override;

  // Puts the terminal back as it was before raw mode. Idempotent and
  // async-signal-safe.
  static void restore_terminal();

 private:
  void watch();
  void read_some();
  void handle_input(std::span<const uint8_t> bytes);
  void resume();

  EventLoop& loop_;
  const int in_fd_;
  const int out_fd_;
  bool is_tty_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted calls check it

  // Input side: loop thread only (after construction).
  ConsoleEscape escape_;
  bool pollable_ = true;  // epoll refuses regular files and /dev/null
  bool watching_ = false;
  bool paused_ = false;
  bool eof_ = false;
  bool overflow_reported_ = false;

  std::mutex quit_mutex_;
  std::function<void()> quit_;
  std::mutex out_mutex_;
};

}  // namespace vmapple
