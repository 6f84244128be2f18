#include "hw/char/char_backend.h"

#include <fmt/format.h>

#include "base/error.h"
#include "hw/char/file_backend.h"
#include "hw/char/null_backend.h"
#include "hw/char/stdio_backend.h"
#include "hw/char/unix_socket_backend.h"

namespace vmapple {

void CharBackend::attach(InputSink sink) {
  std::lock_guard lock(input_mutex_);
  sink_ = std::move(sink);
}

bool CharBackend::queue_input(std::span<const uint8_t> bytes) {
  std::lock_guard lock(input_mutex_);
  queued_.insert(queued_.end(), bytes.begin(), bytes.end());
  return flush_locked();
}

bool CharBackend::flush_input() {
  std::lock_guard lock(input_mutex_);
  return flush_locked();
}

size_t CharBackend::queued_input() const {
  std::lock_guard lock(input_mutex_);
  return queued_.size() - queued_pos_;
}

bool CharBackend::flush_locked() {
  if (sink_ && queued_pos_ < queued_.size()) {
    std::span<const uint8_t> rest(queued_.data() + queued_pos_, queued_.size() - queued_pos_);
    queued_pos_ += std::min(sink_(rest), rest.size());
  }
  if (queued_pos_ < queued_.size()) return false;
  queued_.clear();
  queued_pos_ = 0;
  return true;
}

SerialSpec parse_serial_spec(std::string_view text) {
  if (text == "stdio") return {SerialSpec::Kind::kStdio, {}};
  if (text == "none") return {SerialSpec::Kind::kNone, {}};
  for (auto [prefix, kind] : {std::pair{std::string_view("file:"), SerialSpec::Kind::kFile},
                              std::pair{std::string_view("unix:"), SerialSpec::Kind::kUnix}}) {
    if (!text.starts_with(prefix)) continue;
    std::string_view path = text.substr(prefix.size());
    if (path.empty()) throw ConfigError(fmt::format("'{}' needs a path ({}PATH)", text, prefix));
    return {kind, std::string(path)};
  }
  throw ConfigError(
      fmt::format("'{}' is not a serial backend (use stdio, file:PATH, unix:PATH or none)", text));
}

std::unique_ptr<CharBackend> make_char_backend(const SerialSpec& spec, EventLoop& loop) {
  switch (spec.kind) {
    case SerialSpec::Kind::kStdio:
      return std::make_unique<StdioBackend>(loop);
    case SerialSpec::Kind::kFile:
      return std::make_unique<FileBackend>(spec.path);
    case SerialSpec::Kind::kUnix:
      return std::make_unique<UnixSocketBackend>(spec.path, loop);
    case SerialSpec::Kind::kNone:
      break;
  }
  return std::make_unique<NullBackend>();
}

}  // namespace vmapple
