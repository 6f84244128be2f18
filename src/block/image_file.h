#pragma once
// The open, locked image file behind a raw BlockBackend.
//
// Locking uses open-file-description (OFD) locks on the whole file: a write
// lock for a writable image, a read lock for a read-only one. They conflict
// across processes and across separate opens in one process, and the kernel
// drops them when the descriptor closes (even if the VMM is killed).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>

namespace vmapple {

class ImageFile {
 public:
  // Throws ConfigError ("disk 'x.img': ...") when the file is missing, cannot
  // be opened in the wanted mode, is not a regular file or block device, has
  // a size that is not a multiple of 512, or is locked by someone else.
  static ImageFile open(const std::string& path, bool read_only);

  ImageFile(ImageFile&& other) noexcept;
  ImageFile& operator=(ImageFile&&) = delete;
  ImageFile(const ImageFile&) = delete;
  ~ImageFile();

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  bool read_only() const { return read_only_; }
  const std::string& path() const { return path_; }

 private:
  ImageFile(std::string path, int fd, bool read_only)
      : path_(std::move(path)), fd_(fd), read_only_(read_only) {}

  std::string path_;
  int fd_ = -1;
  bool read_only_ = false;
  uint64_t size_ = 0;
};

// Who holds a lock on (dev, ino) that conflicts with the wanted one: the pid,
// or -1 when it cannot be found. OFD locks report pid -1 through F_OFD_GETLK,
// so this reads the `lock:` lines of /proc/*/fdinfo/*. Exposed for tests.
pid_t find_lock_holder(int fd, bool want_write);

}  // namespace vmapple
