#pragma once
// `--serial file:PATH`: the guest's output goes to PATH (created or
// truncated when the VM starts); there is no input.
#include <mutex>
#include <string>

#include "hw/char/char_backend.h"

namespace vmapple {

class FileBackend final : public CharBackend {
 public:
  // Throws ConfigError naming the path when it cannot be opened.
  explicit FileBackend(const std::string& path);
  ~FileBackend() override;

  void write(std::span<const uint8_t> bytes) override;

 private:
  std::string path_;
  std::mutex mutex_;
  int fd_ = -1;
  bool reported_ = false;  // a write error is logged once
};

}  // namespace vmapple
