#pragma once
// A disk image as the backdoor block interface reads it: synchronous reads of
// byte ranges, done in the vCPU thread that writes the CMD register (the
// reference completes requests before that write returns, and the boot ROM
// relies on it). An optional header offset hides a prefix of the file: the
// aux storage of a Virtualization.framework bundle starts with a 16 KiB header
// that the guest never sees.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vmapple {

class BdifDisk {
 public:
  virtual ~BdifDisk() = default;
  // Bytes visible to the guest.
  virtual uint64_t size() const = 0;
  // Reads dst.size() bytes at guest-visible `offset`. Thread-safe. False on a
  // range beyond size() (checked before anything is read) or an I/O error.
  virtual bool read(uint64_t offset, std::span<uint8_t> dst) = 0;
};

// A raw image file read with pread() on its own read-only descriptor.
class FileBdifDisk final : public BdifDisk {
 public:
  // Throws ConfigError ("'PATH': ...") when the file cannot be opened or is
  // not larger than `header_offset`.
  FileBdifDisk(const std::string& path, uint64_t header_offset);
  ~FileBdifDisk() override;
  FileBdifDisk(const FileBdifDisk&) = delete;
  FileBdifDisk& operator=(const FileBdifDisk&) = delete;

  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, std::span<uint8_t> dst) override;
  const std::string& path() const { return path_; }
  uint64_t header_offset() const { return header_offset_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t header_offset_;
  uint64_t size_ = 0;
};

}  // namespace vmapple
