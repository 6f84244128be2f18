#include "block/image_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "base/error.h"

namespace vmapple {
namespace {

constexpr uint64_t kSectorSize = 512;

std::string errno_text(int err) {
  return std::system_category().message(err);
}

[[noreturn]] void fail(const std::string& path, std::string_view problem) {
  throw ConfigError(fmt::format("disk '{}': {}", path, problem));
}

bool parse_pid(const char* name, pid_t* pid) {
  char* end;
  long v = std::strtol(name, &end, 10);
  if (*name == '\0' || *end != '\0' || v <= 0) return false;
  *pid = static_cast<pid_t>(v);
  return true;
}

// One `lock:` line of fdinfo, e.g.
//   lock:	1: OFDLCK ADVISORY  WRITE -1 fe:00:10952961 0 EOF
struct LockLine {
  std::string kind;  // OFDLCK, POSIX, FLOCK, LEASE, ...
  std::string type;  // READ or WRITE
  unsigned major = 0, minor = 0;
  unsigned long ino = 0;
};

bool parse_lock_line(const std::string& line, LockLine* out) {
  if (line.rfind("lock:", 0) != 0) return false;
  std::istringstream in(line.substr(5));
  std::string id, mode, pid, dev;
  if (!(in >> id >> out->kind >> mode >> out->type >> pid >> dev)) return false;
  return std::sscanf(dev.c_str(), "%x:%x:%lu", &out->major, &out->minor, &out->ino) == 3;
}

// Whether /proc/<pid>/fdinfo/<fd> shows a lock on our file that conflicts.
bool fd_holds_conflicting_lock(const std::string& fdinfo, const std::string& fd_link,
                               const struct stat& st, bool want_write) {
  std::ifstream in(fdinfo);
  std::string line;
  bool same_file_checked = false, same_file = false;
  while (std::getline(in, line)) {
    LockLine lock;
    if (!parse_lock_line(line, &lock)) continue;
    if (lock.kind != "OFDLCK" && lock.kind != "POSIX") continue;  // flock/leases never conflict
    if (!want_write && lock.type != "WRITE") continue;
    if (lock.ino != st.st_ino) continue;
    if (lock.major == major(st.st_dev) && lock.minor == minor(st.st_dev)) return true;
    // Some file systems (btrfs subvolumes, overlayfs) report another device
    // number in the lock line than stat() does: compare the open file itself.
    if (!same_file_checked) {
      struct stat other;
      same_file = stat(fd_link.c_str(), &other) == 0 && other.st_dev == st.st_dev &&
                  other.st_ino == st.st_ino;
      same_file_checked = true;
    }
    if (same_file) return true;
  }
  return false;
}

std::string process_name(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/comm", pid));
  std::string name;
  std::getline(in, name);
  return name;
}

std::string in_use_message(const std::string& path, pid_t holder) {
  if (holder == getpid()) {
    return fmt::format("disk '{}' is already in use by this process (pid {})", path, holder);
  }
  if (holder > 0) {
    std::string name = process_name(holder);
    if (!name.empty())
      return fmt::format("disk '{}' is in use by process {} ({})", path, holder, name);
    return fmt::format("disk '{}' is in use by process {}", path, holder);
  }
  return fmt::format("disk '{}' is in use by another process", path);
}

void lock_or_throw(const std::string& path, int fd, bool read_only) {
  struct flock fl {};
  fl.l_type = read_only ? F_RDLCK : F_WRLCK;
  fl.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file, however it grows
  if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return;
  int err = errno;
  if (err == EAGAIN || err == EACCES)
    throw ConfigError(in_use_message(path, find_lock_holder(fd, !read_only)));
  fail(path, "cannot lock the image: " + errno_text(err));
}

uint64_t size_or_throw(const std::string& path, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) fail(path, errno_text(errno));
  uint64_t size;
  if (S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    if (ioctl(fd, BLKGETSIZE64, &size) != 0)
      fail(path, "cannot read the device size: " + errno_text(errno));
  } else {
    fail(path, "not a regular file or block device");
  }
  if (size % kSectorSize != 0) {
    fail(path, fmt::format("size {} bytes is not a multiple of {}", size, kSectorSize));
  }
  return size;
}

}  // namespace

pid_t find_lock_holder(int fd, bool want_write) {
  struct flock fl {};
  fl.l_type = want_write ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  // POSIX (process-owned) locks report their owner here; OFD locks say -1.
  if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0) return fl.l_pid;

  struct stat st;
  if (fstat(fd, &st) != 0) return -1;
  DIR* proc = opendir("/proc");
  if (!proc) return -1;
  pid_t holder = -1;
  while (holder < 0) {
    dirent* p = readdir(proc);
    if (!p) break;
    pid_t pid;
    if (!parse_pid(p->d_name, &pid)) continue;
    std::string fdinfo_dir = fmt::format("/proc/{}/fdinfo", pid);
    DIR* fds = opendir(fdinfo_dir.c_str());  // fails for processes we may not inspect
    if (!fds) continue;
    while (dirent* f = readdir(fds)) {
      if (f->d_name[0] == '.') continue;
      if (pid == getpid() && std::to_string(fd) == f->d_name) continue;
      if (fd_holds_conflicting_lock(fdinfo_dir + "/" + f->d_name,
                                    fmt::format("/proc/{}/fd/{}", pid, f->d_name), st,
                                    want_write)) {
        holder = pid;
        break;
      }
    }
    closedir(fds);
  }
  closedir(proc);
  return holder;
}

ImageFile ImageFile::open(const std::string& path, bool read_only) {
  // O_NONBLOCK so that a FIFO given by mistake cannot hang the open; it has no
  // effect on files and block devices and is cleared below.
  int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    bool write_refused = err == EACCES || err == EPERM || err == EROFS || err == ETXTBSY;
    if (!read_only && write_refused) fail(path, "cannot open for writing: " + errno_text(err));
    fail(path, errno_text(err));
  }
  ImageFile file(path, fd, read_only);  // closes fd if a check below throws
  file.size_ = size_or_throw(path, fd);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  lock_or_throw(path, fd, read_only);
  return file;
}

ImageFile::ImageFile(ImageFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      read_only_(other.read_only_),
      size_(other.size_) {
  other.fd_ = -1;
}

ImageFile::~ImageFile() {
  if (fd_ >= 0) close(fd_);  // also releases the OFD lock
}

}  // namespace vmapple
