#include "vmm/control.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "hw/gpio/power_button.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "hw/usb/hid/usb_tablet.h"
#include "machine/vmapple_machine.h"

namespace vmapple {
namespace {

trace::Category kTrace("control");

// Input read per wake-up of one client, so that one fast client cannot keep
// the loop from the others (and from the devices' timers).
constexpr size_t kReadBudget = 64 * 1024;
constexpr unsigned kAcceptBudget = 64;

[[noreturn]] void fail(const std::string& path, std::string_view what) {
  throw ConfigError(fmt::format("--control: '{}': {}", path, what));
}

sockaddr_un socket_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) fail(path, "empty path");
  if (path.size() >= sizeof addr.sun_path)
    fail(path, fmt::format("path longer than {} bytes", sizeof addr.sun_path - 1));
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

// A socket file at `path` is left over from a VM that died unless something
// still accepts connections on it.
void remove_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode)) fail(path, "exists and is not a socket");
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0) fail(path, std::strerror(errno));
  int rc = connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  close(probe);
  if (rc == 0 || err == EAGAIN || err == EINPROGRESS)
    fail(path, "another VM is listening on this control socket");
  if (err != ECONNREFUSED) fail(path, std::strerror(err));
  if (unlink(path.c_str()) != 0) fail(path, std::strerror(errno));
}

// EPOLLHUP/EPOLLERR as the descriptor shows them now.
uint32_t hangup(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 0) != 1) return 0;
  uint32_t events = 0;
  if (p.revents & POLLHUP) events |= EPOLLHUP;
  if (p.revents & POLLERR) events |= EPOLLERR;
  return events;
}

}  // namespace

struct ControlServer::Client {
  uint64_t id = 0;
  int fd = -1;           // -1 once the peer hung up (its requests still run)
  std::string in;        // received, not yet executed
  std::string out;       // replies not yet sent
  bool busy = false;     // a request is running (key releases pending)
  bool eof = false;      // the peer sends no more
  bool closing = false;  // execute nothing more; close once replies are out
  bool dead = false;     // close now
  uint32_t interest = EPOLLIN;
};

struct ControlServer::KeySequence {
  uint64_t client = 0;
  nlohmann::json request_id;
  std::vector<control::KeyStep> steps;
  size_t next = 0;
  TimerQueue::TimerId timer = TimerQueue::kNoTimer;
};

ControlServer::ControlServer(const std::string& path, EventLoop& loop, VmappleMachine& machine,
                             ControlHooks hooks)
    : path_(path), loop_(loop), machine_(machine), hooks_(std::move(hooks)) {
  sockaddr_un addr = socket_address(path);
  remove_stale_socket(path, addr);
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail(path, std::strerror(errno));
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, static_cast<int>(kMaxClients)) != 0) {
    int err = errno;
    close(listen_fd_);
    fail(path, std::strerror(err));
  }
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
  }
  loop_.add_fd(listen_fd_, EPOLLIN, [this](uint32_t) { on_accept(); });
}

ControlServer::~ControlServer() {
  for (auto& [id, seq] : sequences_)
    if (seq->timer != TimerQueue::kNoTimer) loop_.cancel(seq->timer);
  sequences_.clear();
  while (!clients_.empty())
    close_client(clients_.begin()->first);
  loop_.remove_fd(listen_fd_);
  close(listen_fd_);
  // Only our own socket file: a later VM may have replaced it already.
  struct stat st;
  if (stat(path_.c_str(), &st) == 0 && st.st_dev == socket_dev_ && st.st_ino == socket_ino_)
    unlink(path_.c_str());
}

void ControlServer::on_accept() {
  for (unsigned i = 0; i < kAcceptBudget; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (clients_.size() >= kMaxClients) {
      std::string line = control::error_reply(
          nullptr, fmt::format("too many control clients (at most {})", kMaxClients));
      [[maybe_unused]] ssize_t n =
          ::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    auto client = std::make_unique<Client>();
    uint64_t id = client->id = ++next_id_;
    client->fd = fd;
    clients_.emplace(id, std::move(client));
    VMAPPLE_TRACE(kTrace, "client {} connected", id);
    loop_.add_fd(fd, EPOLLIN, [this, id](uint32_t events) { on_client_event(id, events); });
  }
}

void ControlServer::on_client_event(uint64_t id, uint32_t events) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  // The loop reports events by descriptor number: a hang-up or error seen
  // for an earlier client whose number this one reuses must not end it.
  if (events & (EPOLLERR | EPOLLHUP)) events = (events & ~(EPOLLERR | EPOLLHUP)) | hangup(c.fd);
  if (events & EPOLLERR) c.dead = true;
  if (!c.dead && (events & (EPOLLIN | EPOLLHUP))) read_from(c);
  if (!c.dead && (events & EPOLLHUP)) {
    // The peer is gone: nobody reads replies any more, but what it sent
    // still runs (a "type" it asked for must not leave keys held).
    loop_.remove_fd(c.fd);
    close(c.fd);
    c.fd = -1;
    c.eof = true;
    c.out.clear();
  }
  if (!c.dead && (events & EPOLLOUT)) flush(c);
  process_lines(c);
  maybe_close(c);
}

void ControlServer::read_from(Client& c) {
  char buffer[4096];
  for (size_t total = 0; total < kReadBudget && !c.eof;) {
    ssize_t n = recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      c.in.append(buffer, static_cast<size_t>(n));
      total += static_cast<size_t>(n);
    } else if (n == 0) {
      c.eof = true;
    } else {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c.dead = true;
      return;
    }
  }
}

// Executes complete lines until one has to wait (a key release) or the
// client must go.
void ControlServer::process_lines(Client& c) {
  while (!c.busy && !c.closing && !c.dead) {
    size_t newline = c.in.find('\n');
    if (newline == std::string::npos) {
      if (c.in.size() >= control::kMaxRequestBytes) {
        send(c, control::error_reply(nullptr, fmt::format("request longer than {} bytes",
                                                          control::kMaxRequestBytes - 1)));
        c.closing = true;
        break;
      }
      if (!c.eof || c.in.empty()) break;
      newline = c.in.size();  // the last request may lack its newline
      c.in.push_back('\n');
    }
    if (newline + 1 > control::kMaxRequestBytes) {
      send(c, control::error_reply(nullptr, fmt::format("request longer than {} bytes",
                                                        control::kMaxRequestBytes - 1)));
      c.closing = true;
      break;
    }
    std::string line = c.in.substr(0, newline);
    c.in.erase(0, newline + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    control::Parsed p = control::parse_request(line);
    if (!p.request) {
      VMAPPLE_TRACE(kTrace, "client {}: refused: {}", c.id, p.error);
      send(c, control::error_reply(p.id, p.error));
      continue;
    }
    execute(c, *p.request, p.id);
  }
  update_interest(c);
}

void ControlServer::execute(Client& c, const control::Request& r, const nlohmann::json& id) {
  using control::Command;
  VMAPPLE_TRACE(kTrace, "client {}: {}", c.id, control::command_name(r.command));
  usb::UsbKeyboard* keyboard = machine_.keyboard();
  usb::UsbTablet* tablet = machine_.tablet();
  switch (r.command) {
    case Command::kPowerButton:
      machine_.power_button().press();
      break;
    case Command::kKey:
    case Command::kKeyDown:
    case Command::kKeyUp:
    case Command::kType: {
      if (!keyboard) {
        send(c, control::error_reply(id, "this machine has no USB keyboard (--no-defaults)"));
        return;
      }
      auto seq = std::make_unique<KeySequence>();
      seq->client = c.id;
      seq->request_id = id;
      seq->steps = r.keys;
      uint64_t seq_id = ++next_id_;
      sequences_.emplace(seq_id, std::move(seq));
      if (!run_sequence(seq_id)) {
        c.busy = true;  // the reply comes with the last key event
        return;
      }
      break;
    }
    case Command::kPointer:
    case Command::kButtons:
    case Command::kWheel:
      if (!tablet) {
        send(c, control::error_reply(id, "this machine has no USB tablet (--no-defaults)"));
        return;
      }
      if (r.command == Command::kPointer) tablet->pointer_move_normalized(r.x, r.y);
      if (r.command == Command::kButtons) tablet->buttons(r.buttons);
      if (r.command == Command::kWheel) tablet->wheel(r.vertical, r.horizontal);
      break;
    case Command::kStatus: {
      nlohmann::json fields = hooks_.status ? hooks_.status() : nlohmann::json::object();
      fields["keyboard"] = keyboard != nullptr;
      fields["tablet"] = tablet != nullptr;
      fields["clients"] = clients_.size();
      send(c, control::ok_reply(id, fields));
      return;
    }
    case Command::kQuit:
      send(c, control::ok_reply(id));
      c.closing = true;
      if (hooks_.quit) hooks_.quit();
      return;
  }
  send(c, control::ok_reply(id));
}

// Plays key events until a pause; true once the sequence is over (it is
// then gone), false when a timer continues it.
bool ControlServer::run_sequence(uint64_t seq_id) {
  auto it = sequences_.find(seq_id);
  if (it == sequences_.end()) return true;
  KeySequence& seq = *it->second;
  seq.timer = TimerQueue::kNoTimer;
  usb::UsbKeyboard* keyboard = machine_.keyboard();
  while (seq.next < seq.steps.size()) {
    const control::KeyStep& step = seq.steps[seq.next++];
    uint8_t usage = usb::UsbKeyboard::usage_from_linux_key(step.code);
    if (step.down)
      keyboard->key_down(usage);
    else
      keyboard->key_up(usage);
    if (step.pause_ms && seq.next < seq.steps.size()) {
      uint64_t deadline = loop_.clock().now_ns() + uint64_t{step.pause_ms} * 1'000'000;
      seq.timer = loop_.schedule(deadline, [this, seq_id] {
        uint64_t client = sequences_.at(seq_id)->client;
        nlohmann::json request_id = sequences_.at(seq_id)->request_id;
        if (run_sequence(seq_id)) finish_request(client, request_id);
      });
      return false;
    }
  }
  sequences_.erase(it);
  return true;
}

void ControlServer::finish_request(uint64_t client_id, const nlohmann::json& request_id) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  c.busy = false;
  send(c, control::ok_reply(request_id));
  process_lines(c);
  maybe_close(c);
}

void ControlServer::send(Client& c, const std::string& line) {
  if (c.fd < 0 || c.dead) return;
  c.out += line;
  flush(c);
  if (c.out.size() > kMaxPendingOutput) {
    VMAPPLE_TRACE(kTrace, "client {} does not read its replies; disconnected", c.id);
    c.dead = true;
  }
}

void ControlServer::flush(Client& c) {
  while (!c.out.empty() && c.fd >= 0 && !c.dead) {
    ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) c.dead = true;
      return;
    }
  }
}

void ControlServer::update_interest(Client& c) {
  if (c.fd < 0 || c.dead) return;
  // No reading while a request runs: its successors wait in the socket.
  uint32_t want = 0;
  if (!c.busy && !c.eof && !c.closing) want |= EPOLLIN;
  if (!c.out.empty()) want |= EPOLLOUT;
  if (want != c.interest) {
    loop_.modify_fd(c.fd, want);
    c.interest = want;
  }
}

void ControlServer::maybe_close(Client& c) {
  bool done =
      c.dead || (c.closing && !c.busy) || (c.eof && !c.busy && c.in.empty() && c.out.empty());
  // A client being closed gets one last try at its replies, no waiting.
  if (done) {
    if (!c.dead) flush(c);
    close_client(c.id);
  }
}

void ControlServer::close_client(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (c.fd >= 0) {
    loop_.remove_fd(c.fd);
    close(c.fd);
  }
  VMAPPLE_TRACE(kTrace, "client {} closed", id);
  clients_.erase(it);
}

}  // namespace vmapple
