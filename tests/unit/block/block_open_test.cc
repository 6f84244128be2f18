// Opening images: the errors a user sees, locking, and the choice of engine.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.h"
#include "base/event_loop.h"
#include "block/block_backend.h"
#include "block/image_file.h"
#include "unit/block/block_test_util.h"

namespace vmapple {
namespace {

using Engine = BlockOptions::Engine;

constexpr int kSkip = 77;  // a child's exit status: the test cannot run here

class BlockOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = dir_.file("disk.img");
    test::write_file(image_, test::make_pattern(64 * 1024));
  }

  // The ConfigError message of opening `options`, or "" if it opened.
  std::string open_error(const BlockOptions& options) {
    try {
      BlockBackend::open(options, loop_);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  test::ScratchDir dir_;
  std::string image_;
  EventLoop loop_;
};

TEST_F(BlockOpenTest, MissingFileIsNamed) {
  std::string missing = dir_.file("nope.img");
  EXPECT_EQ(open_error({missing}), "disk '" + missing + "': No such file or directory");
  EXPECT_EQ(open_error({missing, true}), "disk '" + missing + "': No such file or directory");
}

TEST_F(BlockOpenTest, SizeMustBeAMultipleOf512) {
  std::string odd = dir_.file("odd.img");
  test::write_file(odd, std::vector<uint8_t>(1000));
  EXPECT_EQ(open_error({odd}), "disk '" + odd + "': size 1000 bytes is not a multiple of 512");
  EXPECT_EQ(open_error({odd, true}),
            "disk '" + odd + "': size 1000 bytes is not a multiple of 512");
}

TEST_F(BlockOpenTest, OnlyFilesAndBlockDevices) {
  std::string fifo = dir_.file("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  // A FIFO with no writer must not hang the open.
  EXPECT_EQ(open_error({fifo, true}), "disk '" + fifo + "': not a regular file or block device");
  EXPECT_EQ(open_error({dir_.path().string(), true}),
            "disk '" + dir_.path().string() + "': not a regular file or block device");
  EXPECT_EQ(open_error({dir_.path().string()}),
            "disk '" + dir_.path().string() + "': Is a directory");
  EXPECT_EQ(open_error({"/dev/null", true}),
            "disk '/dev/null': not a regular file or block device");
}

// Permission checks, as an unprivileged user even when the tests run as root.
TEST_F(BlockOpenTest, UnwritableAndUnreadableFiles) {
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  std::string ro = dir_.file("ro.img"), none = dir_.file("none.img");
  test::write_file(ro, std::vector<uint8_t>(4096));
  test::write_file(none, std::vector<uint8_t>(4096));
  ASSERT_EQ(chmod(ro.c_str(), 0444), 0);
  ASSERT_EQ(chmod(none.c_str(), 0), 0);
  int rc = test::in_child([&] {
    if (geteuid() == 0 &&
        (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) {
      return kSkip;
    }
    std::string got = open_error({ro});
    if (got != "disk '" + ro + "': cannot open for writing: Permission denied") {
      fprintf(stderr, "writable open: got \"%s\"\n", got.c_str());
      return 2;
    }
    got = open_error({ro, true});
    if (!got.empty()) {
      fprintf(stderr, "read-only open: got \"%s\"\n", got.c_str());
      return 3;
    }
    got = open_error({none, true});
    if (got != "disk '" + none + "': Permission denied") {
      fprintf(stderr, "unreadable: got \"%s\"\n", got.c_str());
      return 4;
    }
    return 0;
  });
  if (rc == kSkip) GTEST_SKIP() << "cannot drop root privileges here";
  EXPECT_EQ(rc, 0);
}

TEST_F(BlockOpenTest, TwoWritableOpensInOneProcessConflict) {
  auto first = BlockBackend::open({image_}, loop_);
  std::string expect = "disk '" + image_ + "' is already in use by this process (pid " +
                       std::to_string(getpid()) + ")";
  EXPECT_EQ(open_error({image_}), expect);
  EXPECT_EQ(open_error({image_, true}), expect);  // a reader conflicts with the writer too
  first.reset();
  EXPECT_EQ(open_error({image_}), "");  // the lock went with it
}

TEST_F(BlockOpenTest, ReadersShareAndExcludeWriters) {
  auto a = BlockBackend::open({image_, true}, loop_);
  auto b = BlockBackend::open({image_, true}, loop_);
  EXPECT_NE(open_error({image_}).find("is already in use by this process"), std::string::npos);
  a.reset();
  EXPECT_NE(open_error({image_}).find("is already in use by this process"), std::string::npos);
  b.reset();
  EXPECT_EQ(open_error({image_}), "");
}

// A child process holds the image open (through its own BlockBackend) under a
// recognisable name until `release` closes.
class Holder {
 public:
  Holder(const std::string& path, bool read_only, bool posix_lock = false) {
    int ready[2], release[2];
    EXPECT_EQ(pipe2(ready, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(release, O_CLOEXEC), 0);
    fflush(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      close(release[1]);
      hold(path, read_only, posix_lock, ready[1], release[0]);
    }
    close(ready[1]);
    close(release[0]);
    release_ = release[1];
    char c = 0;
    EXPECT_EQ(read(ready[0], &c, 1), 1);
    EXPECT_EQ(c, 'y') << "the child could not lock the image";
    close(ready[0]);
  }
  ~Holder() { release(); }
  void release() {
    if (release_ < 0) return;
    close(release_);
    release_ = -1;
    int status;
    waitpid(pid_, &status, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  [[noreturn]] static void hold(const std::string& path, bool read_only, bool posix_lock, int ready,
                                int release) {
    prctl(PR_SET_NAME, "disk-holder");
    char c = 'n';
    std::unique_ptr<EventLoop> loop;
    std::unique_ptr<BlockBackend> backend;
    try {
      if (posix_lock) {
        // A classic process-owned lock, as some other tool would take.
        int fd = ::open(path.c_str(), O_RDWR);
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0) c = 'y';
      } else {
        loop = std::make_unique<EventLoop>();
        backend = BlockBackend::open({path, read_only, Engine::kThreadPool}, *loop);
        c = 'y';
      }
    } catch (...) {
    }
    [[maybe_unused]] ssize_t n = write(ready, &c, 1);
    n = read(release, &c, 1);  // until the parent closes its end
    _exit(0);
  }

  pid_t pid_ = -1;
  int release_ = -1;
};

TEST_F(BlockOpenTest, AnotherProcessHoldingTheImageIsNamed) {
  Holder holder(image_, false);
  std::string expect = "disk '" + image_ + "' is in use by process " +
                       std::to_string(holder.pid()) + " (disk-holder)";
  EXPECT_EQ(open_error({image_}), expect);
  EXPECT_EQ(open_error({image_, true}), expect);
  holder.release();  // the holder exits: the kernel drops its lock
  EXPECT_EQ(open_error({image_}), "");
}

TEST_F(BlockOpenTest, AnotherProcessReadingBlocksOnlyWriters) {
  Holder holder(image_, true);
  EXPECT_EQ(open_error({image_}), "disk '" + image_ + "' is in use by process " +
                                      std::to_string(holder.pid()) + " (disk-holder)");
  EXPECT_EQ(open_error({image_, true}), "");
}

TEST_F(BlockOpenTest, PosixLockHolderIsNamedToo) {
  Holder holder(image_, false, /*posix_lock=*/true);
  EXPECT_EQ(open_error({image_}), "disk '" + image_ + "' is in use by process " +
                                      std::to_string(holder.pid()) + " (disk-holder)");
}

TEST_F(BlockOpenTest, HolderLookupWithoutAHolder) {
  int fd = ::open(image_.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(find_lock_holder(fd, true), -1);
  close(fd);
}

TEST_F(BlockOpenTest, AutoPrefersIoUring) {
  std::string why;
  try {
    BlockBackend::open({image_, false, Engine::kIoUring}, loop_);
  } catch (const ConfigError& e) {
    why = e.what();
  }
  auto b = BlockBackend::open({image_, false, Engine::kAuto}, loop_);
  EXPECT_EQ(b->engine_name(), why.empty() ? "io_uring" : "thread-pool") << why;
}

// Where io_uring is blocked (seccomp, as in some containers), kAuto falls back
// to the thread pool, and an explicit kIoUring says why it cannot.
TEST_F(BlockOpenTest, FallsBackWhenIoUringIsBlocked) {
  int rc = test::in_child([&] {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
      return kSkip;
    }
    std::string got = open_error({image_, false, Engine::kIoUring});
    if (got != "disk '" + image_ +
                   "': io_uring is not available: io_uring_queue_init: Function not implemented") {
      fprintf(stderr, "explicit io_uring: got \"%s\"\n", got.c_str());
      return 2;
    }
    auto b = BlockBackend::open({image_, false, Engine::kAuto}, loop_);
    if (b->engine_name() != "thread-pool") return 3;
    std::vector<uint8_t> buf(512, 0x5c), back(512);
    iovec w{buf.data(), buf.size()}, r{back.data(), back.size()};
    test::Outcome wo, ro;
    b->writev(512, {&w, 1}, wo.completion());
    if (test::wait(loop_, wo) != 512) return 4;
    b->readv(512, {&r, 1}, ro.completion());
    if (test::wait(loop_, ro) != 512 || back != buf) return 5;
    return 0;
  });
  if (rc == kSkip) GTEST_SKIP() << "seccomp filters are not available here";
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace vmapple
