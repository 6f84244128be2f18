#include "cli/ctl.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ostream>

#include <fmt/format.h>

#include "base/error.h"

namespace vmapple {

const char* const kCtlHelp = R"(
Commands (a running `vmapple run --control PATH` answers them):
  power-button          press the power button (the guest decides what to do)
  key NAME              press and release a key: Linux names such as KEY_ENTER, KEY_A
  key-down NAME         hold a key down            key-up NAME   release it
  type TEXT             type TEXT on a US layout (\n Enter, \t Tab, \\ backslash)
  pointer X Y           move the tablet's pointer to X, Y (0 to 1 of the screen)
  buttons MASK          hold pointer buttons: 1 left, 2 right, 4 middle, 8 back, 16 forward
  wheel V [H]           scroll V detents up (negative: down) and H right
  status                the VM's state, CPUs and uptime
  quit                  stop the VM (vmapple exits 0)
  json REQUEST          send a raw JSON request line
The reply (one JSON line) goes to stdout. Exit status: 0 ok, 1 the VM refused
the request, 2 usage error or the socket does not answer.

Examples:
  vmapple ctl /tmp/vm.sock power-button
  vmapple ctl /tmp/vm.sock type 'echo hi\n'
  vmapple ctl /tmp/vm.sock key KEY_ENTER)";

namespace {

struct Usage {
  std::string message;
};

std::string unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) throw Usage{"type: TEXT ends with a lone backslash (use \\\\)"};
    switch (text[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        throw Usage{fmt::format("type: unknown escape '\\{}' (use \\n, \\t or \\\\)", text[i])};
    }
  }
  return out;
}

double number(const std::string& what, const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    throw Usage{fmt::format("{}: '{}' is not a number", what, text)};
  return v;
}

long long integer(const std::string& what, const std::string& text) {
  long long v = 0;
  int base = 10;
  std::string_view digits = text;
  bool negative = digits.starts_with('-');
  if (negative) digits.remove_prefix(1);
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    throw Usage{fmt::format("{}: '{}' is not an integer", what, text)};
  return negative ? -v : v;
}

void want_args(const std::vector<std::string>& w, size_t min, size_t max, const char* usage) {
  size_t n = w.size() - 1;
  if (n < min || n > max) throw Usage{fmt::format("usage: vmapple ctl PATH {}", usage)};
}

nlohmann::json build(const std::vector<std::string>& w) {
  const std::string& cmd = w.at(0);
  if (cmd == "power-button" || cmd == "status" || cmd == "quit") {
    want_args(w, 0, 0, cmd.c_str());
    return {{"command", cmd}};
  }
  if (cmd == "key" || cmd == "key-down" || cmd == "key-up") {
    want_args(w, 1, 1, (cmd + " KEY_NAME").c_str());
    return {{"command", cmd}, {"key", w[1]}};
  }
  if (cmd == "type") {
    want_args(w, 1, 1, "type TEXT");
    return {{"command", cmd}, {"text", unescape(w[1])}};
  }
  if (cmd == "pointer") {
    want_args(w, 2, 2, "pointer X Y");
    return {{"command", cmd}, {"x", number("pointer", w[1])}, {"y", number("pointer", w[2])}};
  }
  if (cmd == "buttons") {
    want_args(w, 1, 1, "buttons MASK");
    return {{"command", cmd}, {"mask", integer("buttons", w[1])}};
  }
  if (cmd == "wheel") {
    want_args(w, 1, 2, "wheel VERTICAL [HORIZONTAL]");
    nlohmann::json j = {{"command", cmd}, {"vertical", integer("wheel", w[1])}};
    if (w.size() > 2) j["horizontal"] = integer("wheel", w[2]);
    return j;
  }
  if (cmd == "json") {
    want_args(w, 1, 1, "json REQUEST");
    nlohmann::json j = nlohmann::json::parse(w[1], nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Usage{"json: REQUEST is not a JSON object"};
    return j;
  }
  throw Usage{fmt::format("unknown command '{}' (see 'vmapple ctl --help')", cmd)};
}

// Connects, sends `line`, reads the reply line. Throws Usage on any failure.
std::string round_trip(const std::string& path, const std::string& line) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw Usage{fmt::format("'{}': path longer than {} bytes", path, sizeof addr.sun_path - 1)};
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Usage{std::strerror(errno)};
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    close(fd);
    throw Usage{fmt::format("cannot connect to '{}': {}", path, std::strerror(err))};
  }
  std::string reply;
  for (size_t sent = 0; sent < line.size();) {
    ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      throw Usage{fmt::format("'{}': the request could not be sent: {}", path, std::strerror(err))};
    }
    sent += static_cast<size_t>(n);
  }
  char buffer[4096];
  while (reply.find('\n') == std::string::npos) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  size_t newline = reply.find('\n');
  if (newline == std::string::npos)
    throw Usage{fmt::format("'{}' closed the connection without a reply", path)};
  return reply.substr(0, newline);
}

}  // namespace

std::optional<nlohmann::json> ctl_request(const std::vector<std::string>& words,
                                          std::string* error) {
  if (words.empty()) {
    *error = "usage: vmapple ctl PATH COMMAND [ARGS] (see 'vmapple ctl --help')";
    return std::nullopt;
  }
  try {
    return build(words);
  } catch (const Usage& u) {
    *error = u.message;
    return std::nullopt;
  }
}

int ctl_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto is_help = [&](size_t i) {
    return args.size() > i && (args[i] == "--help" || args[i] == "-h");
  };
  if (is_help(0) || is_help(1)) {
    out << "usage: vmapple ctl PATH COMMAND [ARGS]\n" << kCtlHelp << "\n";
    return 0;
  }
  if (args.size() < 2) {
    err << "vmapple ctl: usage: vmapple ctl PATH COMMAND [ARGS] (see 'vmapple ctl --help')\n";
    return kExitUsage;
  }
  std::string error;
  auto request = ctl_request({args.begin() + 1, args.end()}, &error);
  if (!request) {
    err << "vmapple ctl: " << error << "\n";
    return kExitUsage;
  }
  std::string reply_line;
  try {
    reply_line = round_trip(
        args[0], request->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } catch (const Usage& u) {
    err << "vmapple ctl: " << u.message << "\n";
    return kExitUsage;
  }
  nlohmann::json reply = nlohmann::json::parse(reply_line, nullptr, false);
  if (reply.is_discarded() || !reply.is_object() || !reply.contains("ok")) {
    err << "vmapple ctl: '" << args[0] << "' answered something that is not a reply: " << reply_line
        << "\n";
    return kExitUsage;
  }
  out << reply_line << "\n";
  if (reply["ok"] == true) return 0;
  err << "vmapple ctl: " << reply.value("error", std::string("refused")) << "\n";
  return 1;
}

}  // namespace vmapple
