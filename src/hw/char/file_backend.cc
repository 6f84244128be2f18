#include "hw/char/file_backend.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"

namespace vmapple {

FileBackend::FileBackend(const std::string& path) : path_(path) {
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw ConfigError(fmt::format("serial file '{}': {}", path, std::strerror(errno)));
}

FileBackend::~FileBackend() {
  close(fd_);
}

void FileBackend::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      count_dropped(bytes.size());
      if (!reported_) {
        reported_ = true;
        log_warning(fmt::format("serial file '{}': {}; guest output is being dropped", path_,
                                n < 0 ? std::strerror(errno) : "short write"));
      }
      return;
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

}  // namespace vmapple
