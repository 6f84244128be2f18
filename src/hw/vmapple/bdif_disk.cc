#include "hw/vmapple/bdif_disk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"

namespace vmapple {

FileBdifDisk::FileBdifDisk(const std::string& path, uint64_t header_offset)
    : path_(path), header_offset_(header_offset) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw ConfigError(fmt::format("'{}': {}", path, std::strerror(errno)));
  struct stat st;
  uint64_t file_size = 0;
  if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    file_size = static_cast<uint64_t>(st.st_size);
  } else {
    off_t end = lseek(fd_, 0, SEEK_END);  // a block device
    file_size = end > 0 ? static_cast<uint64_t>(end) : 0;
  }
  if (file_size <= header_offset) {
    int fd = fd_;
    fd_ = -1;
    ::close(fd);
    throw ConfigError(fmt::format("'{}' is {} bytes, not larger than its {}-byte header", path,
                                  file_size, header_offset));
  }
  size_ = file_size - header_offset;
}

FileBdifDisk::~FileBdifDisk() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileBdifDisk::read(uint64_t offset, std::span<uint8_t> dst) {
  if (offset > size_ || dst.size() > size_ - offset) return false;
  size_t done = 0;
  while (done < dst.size()) {
    ssize_t n = ::pread(fd_, dst.data() + done, dst.size() - done,
                        static_cast<off_t>(header_offset_ + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // an error, or the file shrank under us
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace vmapple
