#include "hw/char/stdio_backend.h"

#include <poll.h>
#include <sys/epoll.h>
#include <termios.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "base/event_loop.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("serial-stdio");

// The terminal state before raw mode; one console per process.
struct SavedTerminal {
  std::atomic<bool> saved{false};
  int fd = -1;
  termios attrs{};
};
SavedTerminal g_saved;

void enter_raw_mode(int fd) {
  termios attrs;
  if (tcgetattr(fd, &attrs) != 0) return;
  g_saved.fd = fd;
  g_saved.attrs = attrs;
  g_saved.saved.store(true);
  static std::once_flag at_exit;
  std::call_once(at_exit, [] { std::atexit(StdioBackend::restore_terminal); });
  // cfmakeraw() without clearing OPOST: keep "\n" -> "\r\n" for log lines.
  attrs.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  attrs.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  attrs.c_cflag &= ~(CSIZE | PARENB);
  attrs.c_cflag |= CS8;
  attrs.c_cc[VMIN] = 1;
  attrs.c_cc[VTIME] = 0;
  if (tcsetattr(fd, TCSANOW, &attrs) != 0)
    log_warning(fmt::format("cannot put the terminal in raw mode: {}", std::strerror(errno)));
}

}  // namespace

bool ConsoleEscape::feed(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  for (uint8_t b : in) {
    if (escape_pending_) {
      escape_pending_ = false;
      if (b == 'x' || b == 'X') return true;
      if (b != kEscape) out.push_back(kEscape);
      out.push_back(b);
    } else if (b == kEscape) {
      escape_pending_ = true;
    } else {
      out.push_back(b);
    }
  }
  return false;
}

StdioBackend::StdioBackend(EventLoop& loop, int in_fd, int out_fd)
    : loop_(loop), in_fd_(in_fd), out_fd_(out_fd) {
  is_tty_ = isatty(in_fd_) == 1;
  if (is_tty_) enter_raw_mode(in_fd_);
  watch();
}

StdioBackend::~StdioBackend() {
  alive_.reset();
  if (watching_) loop_.remove_fd(in_fd_);
  if (is_tty_) restore_terminal();
}

void StdioBackend::restore_terminal() {
  if (g_saved.saved.exchange(false)) tcsetattr(g_saved.fd, TCSANOW, &g_saved.attrs);
}

void StdioBackend::set_quit_handler(std::function<void()> quit) {
  std::lock_guard lock(quit_mutex_);
  quit_ = std::move(quit);
}

// Starts reading: through epoll when the fd supports it, else by posting
// reads to the loop one chunk at a time.
void StdioBackend::watch() {
  if (pollable_) {
    try {
      loop_.add_fd(in_fd_, EPOLLIN, [this](uint32_t) { read_some(); });
      watching_ = true;
      return;
    } catch (const std::system_error& e) {
      if (e.code().value() != EPERM) {
        log_warning(
            fmt::format("serial stdio: cannot watch stdin ({}); no console input", e.what()));
        eof_ = true;
        return;
      }
      pollable_ = false;
    }
  }
  loop_.post([this, alive = std::weak_ptr(alive_)] {
    if (alive.lock() && !paused_ && !eof_) read_some();
  });
}

void StdioBackend::read_some() {
  uint8_t buf[4096];
  ssize_t n = read(in_fd_, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    VMAPPLE_TRACE(kTrace, "stdin closed ({})", n < 0 ? std::strerror(errno) : "EOF");
    eof_ = true;
    if (watching_) loop_.remove_fd(in_fd_);
    watching_ = false;
    return;
  }
  handle_input({buf, static_cast<size_t>(n)});
  if (!pollable_ && !paused_) watch();
}

void StdioBackend::handle_input(std::span<const uint8_t> bytes) {
  if (!is_tty_) {
    if (!queue_input(bytes)) {
      // Backpressure: stop reading until the guest drains its FIFO.
      paused_ = true;
      if (watching_) loop_.remove_fd(in_fd_);
      watching_ = false;
    }
    return;
  }
  std::vector<uint8_t> guest;
  bool quit = escape_.feed(bytes, guest);
  if (queued_input() + guest.size() > kTerminalQueueLimit) {
    if (!overflow_reported_)
      log_warning("serial stdio: the guest is not reading its console; typed input is dropped");
    overflow_reported_ = true;
  } else {
    queue_input(guest);
  }
  if (quit) {
    VMAPPLE_TRACE(kTrace, "Ctrl-A X: quit requested");
    std::function<void()> handler;
    {
      std::lock_guard lock(quit_mutex_);
      handler = quit_;
    }
    if (handler) handler();
  }
}

void StdioBackend::input_ready() {
  loop_.post([this, alive = std::weak_ptr(alive_)] {
    if (alive.lock()) resume();
  });
}

void StdioBackend::resume() {
  if (!flush_input() || !paused_) return;
  paused_ = false;
  if (!eof_) watch();
}

void StdioBackend::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(out_mutex_);
  while (!bytes.empty()) {
    ssize_t n = ::write(out_fd_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes = bytes.subspan(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // A non-blocking stdout that stays full for a second: give up on this chunk.
    pollfd p{out_fd_, POLLOUT, 0};
    if (n < 0 && errno == EAGAIN && poll(&p, 1, 1000) == 1) continue;
    count_dropped(bytes.size());
    return;
  }
}

}  // namespace vmapple
