#include "hw/char/unix_socket_backend.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "base/error.h"
#include "base/event_loop.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("serial-unix");

[[noreturn]] void fail(const std::string& path, std::string_view what) {
  throw ConfigError(fmt::format("serial socket '{}': {}", path, what));
}

}  // namespace

UnixSocketBackend::UnixSocketBackend(const std::string& path, EventLoop& loop)
    : path_(path), loop_(loop) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    fail(path, fmt::format("path longer than {} bytes", sizeof addr.sun_path - 1));
  std::memcpy(addr.sun_path, path.data(), path.size());

  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) fail(path, "exists and is not a socket");
    unlink(path.c_str());  // stale, from an earlier run
  }
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail(path, std::strerror(errno));
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 1) != 0) {
    int err = errno;
    close(listen_fd_);
    fail(path, std::strerror(err));
  }
  loop_.add_fd(listen_fd_, EPOLLIN, [this](uint32_t) { on_accept(); });
}

UnixSocketBackend::~UnixSocketBackend() {
  alive_.reset();
  loop_.remove_fd(listen_fd_);
  close(listen_fd_);
  if (watching_client_) loop_.remove_fd(client_fd_);
  if (client_fd_ >= 0) close(client_fd_);
  unlink(path_.c_str());
}

bool UnixSocketBackend::has_client() const {
  std::lock_guard lock(out_mutex_);
  return client_fd_ >= 0;
}

void UnixSocketBackend::on_accept() {
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  {
    std::lock_guard lock(out_mutex_);
    if (client_fd_ < 0) {
      client_fd_ = fd;
      fd = -1;
    }
  }
  if (fd >= 0) {
    static constexpr std::string_view kBusy = "vmapple: the serial console is in use\r\n";
    [[maybe_unused]] ssize_t n = send(fd, kBusy.data(), kBusy.size(), MSG_NOSIGNAL);
    close(fd);
    VMAPPLE_TRACE(kTrace, "{}: refused a second client", path_);
    return;
  }
  VMAPPLE_TRACE(kTrace, "{}: client connected", path_);
  if (!paused_) watch_client();
}

void UnixSocketBackend::watch_client() {
  int fd;
  {
    std::lock_guard lock(out_mutex_);
    fd = client_fd_;
  }
  if (fd < 0 || watching_client_) return;
  loop_.add_fd(fd, EPOLLIN | EPOLLRDHUP, [this](uint32_t) { on_client_readable(); });
  watching_client_ = true;
}

void UnixSocketBackend::on_client_readable() {
  uint8_t buf[4096];
  ssize_t n = recv(client_fd_, buf, sizeof buf, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    disconnect();
    return;
  }
  if (!queue_input({buf, static_cast<size_t>(n)})) {
    // Backpressure: leave the rest in the socket until the guest drains.
    paused_ = true;
    loop_.remove_fd(client_fd_);
    watching_client_ = false;
  }
}

void UnixSocketBackend::disconnect() {
  if (watching_client_) loop_.remove_fd(client_fd_);
  watching_client_ = false;
  std::lock_guard lock(out_mutex_);
  close(client_fd_);
  client_fd_ = -1;
  VMAPPLE_TRACE(kTrace, "{}: client disconnected", path_);
}

void UnixSocketBackend::input_ready() {
  loop_.post([this, alive = std::weak_ptr(alive_)] {
    if (!alive.lock() || !flush_input() || !paused_) return;
    paused_ = false;
    watch_client();
  });
}

void UnixSocketBackend::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(out_mutex_);
  if (client_fd_ < 0) {
    count_dropped(bytes.size());
    return;
  }
  while (!bytes.empty()) {
    ssize_t n = send(client_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes = bytes.subspan(static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      // EAGAIN (the client is not reading) or a dead client the loop will
      // notice: drop rather than stall the vCPU.
      VMAPPLE_TRACE(kTrace, "{}: dropped {} output bytes ({})", path_, bytes.size(),
                    n < 0 ? std::strerror(errno) : "no progress");
      count_dropped(bytes.size());
      return;
    }
  }
}

}  // namespace vmapple
