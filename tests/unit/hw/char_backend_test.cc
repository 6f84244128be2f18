// The serial backends with real fds: files, a Unix socket with a real client
// and the EventLoop running in its own thread, stdin as a pipe and as a pty.
#include "hw/char/char_backend.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "base/error.h"
#include "base/event_loop.h"
#include "base/irq_line.h"
#include "hw/char/file_backend.h"
#include "hw/char/null_backend.h"
#include "hw/char/pl011.h"
#include "hw/char/stdio_backend.h"
#include "hw/char/unix_socket_backend.h"

namespace vmapple {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

template <typename Pred>
bool eventually(Pred done, std::chrono::milliseconds limit = 5000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class LoopThread {
 public:
  explicit LoopThread(EventLoop& loop) : loop_(loop), thread_([this] { loop_.run(); }) {}
  ~LoopThread() {
    loop_.stop();
    thread_.join();
  }

 private:
  EventLoop& loop_;
  std::thread thread_;
};

// Stands in for the UART: takes at most `room` bytes until drained.
class Receiver {
 public:
  CharBackend::InputSink sink() {
    return [this](std::span<const uint8_t> b) {
      std::lock_guard lock(mutex_);
      size_t n = std::min(b.size(), room_ - pending_);
      got_.append(b.begin(), b.begin() + n);
      pending_ += n;
      return n;
    };
  }
  void drain() {
    std::lock_guard lock(mutex_);
    pending_ = 0;
  }
  void set_room(size_t room) {
    std::lock_guard lock(mutex_);
    room_ = room;
  }
  std::string got() {
    std::lock_guard lock(mutex_);
    return got_;
  }

 private:
  std::mutex mutex_;
  std::string got_;
  size_t room_ = SIZE_MAX;
  size_t pending_ = 0;
};

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vmapple-serial-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --- parse_serial_spec -------------------------------------------------------

TEST(SerialSpecTest, GoodValues) {
  using K = SerialSpec::Kind;
  EXPECT_EQ(parse_serial_spec("stdio"), (SerialSpec{K::kStdio, ""}));
  EXPECT_EQ(parse_serial_spec("none"), (SerialSpec{K::kNone, ""}));
  EXPECT_EQ(parse_serial_spec("file:/tmp/console.log"), (SerialSpec{K::kFile, "/tmp/console.log"}));
  EXPECT_EQ(parse_serial_spec("unix:vm.sock"), (SerialSpec{K::kUnix, "vm.sock"}));
  EXPECT_EQ(parse_serial_spec("file:a:b"), (SerialSpec{K::kFile, "a:b"}));
}

TEST(SerialSpecTest, BadValuesSayWhatIsAllowed) {
  try {
    parse_serial_spec("tcp:1");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "'tcp:1' is not a serial backend (use stdio, file:PATH, unix:PATH or none)");
  }
  for (const char* bad : {"", "Stdio", "stdio ", "file", "pty", "unix"})
    EXPECT_THROW(parse_serial_spec(bad), ConfigError) << bad;
  for (const char* no_path : {"file:", "unix:"}) {
    try {
      parse_serial_spec(no_path);
      FAIL() << no_path;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("needs a path"), std::string::npos) << e.what();
    }
  }
}

// --- file and none -----------------------------------------------------------

TEST(FileBackendTest, TruncatesAndWritesTheFile) {
  TempDir dir;
  std::string path = dir / "console.log";
  std::ofstream(path) << "old contents that must go";
  EventLoop loop;
  auto backend = make_char_backend(parse_serial_spec("file:" + path), loop);
  backend->write(bytes_of("hello\r\n"));
  backend->write(bytes_of("world"));
  EXPECT_EQ(slurp(path), "hello\r\nworld");
  EXPECT_EQ(backend->dropped_bytes(), 0u);
}

TEST(FileBackendTest, OpenErrorNamesThePath) {
  EventLoop loop;
  try {
    make_char_backend(parse_serial_spec("file:/nonexistent-dir/console.log"), loop);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/console.log"), std::string::npos);
  }
}

TEST(NullBackendTest, DiscardsOutput) {
  EventLoop loop;
  auto backend = make_char_backend(parse_serial_spec("none"), loop);
  ASSERT_NE(dynamic_cast<NullBackend*>(backend.get()), nullptr);
  backend->write(bytes_of("into the void"));
}

// --- unix socket -------------------------------------------------------------

class UnixSocketTest : public ::testing::Test {
 protected:
  UnixSocketTest() : path_(dir_ / "vm.sock") {
    backend_ = std::make_unique<UnixSocketBackend>(path_, loop_);
    backend_->attach(receiver_.sink());
    thread_ = std::make_unique<LoopThread>(loop_);
  }
  ~UnixSocketTest() override {
    thread_.reset();  // stop the loop before the backend goes
    backend_.reset();
  }

  int connect_client() {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }
  static std::string recv_some(int fd, size_t want) {
    std::string got;
    pollfd p{fd, POLLIN, 0};
    while (got.size() < want && poll(&p, 1, 5000) == 1) {
      char buf[256];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

  TempDir dir_;
  std::string path_;
  EventLoop loop_;
  Receiver receiver_;
  std::unique_ptr<UnixSocketBackend> backend_;
  std::unique_ptr<LoopThread> thread_;
};

TEST_F(UnixSocketTest, PassesBytesBothWays) {
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));

  backend_->write(bytes_of("lost: nobody listens"));
  EXPECT_EQ(backend_->dropped_bytes(), 20u);

  int client = connect_client();
  ASSERT_TRUE(eventually([&] { return backend_->has_client(); }));
  backend_->write(bytes_of("login: "));
  EXPECT_EQ(recv_some(client, 7), "login: ");
  ASSERT_EQ(send(client, "root\r", 5, 0), 5);
  EXPECT_TRUE(eventually([&] { return receiver_.got() == "root\r"; })) << receiver_.got();
  close(client);

  // A disconnect is fine; the next client gets the console.
  ASSERT_TRUE(eventually([&] { return !backend_->has_client(); }));
  client = connect_client();
  ASSERT_TRUE(eventually([&] { return backend_->has_client(); }));
  backend_->write(bytes_of("again"));
  EXPECT_EQ(recv_some(client, 5), "again");
  close(client);
}

TEST_F(UnixSocketTest, SecondClientIsTurnedAway) {
  int first = connect_client();
  ASSERT_TRUE(eventually([&] { return backend_->has_client(); }));
  int second = connect_client();
  std::string msg = recv_some(second, 1000);  // until the backend closes it
  EXPECT_NE(msg.find("in use"), std::string::npos) << msg;
  backend_->write(bytes_of("still yours"));
  EXPECT_EQ(recv_some(first, 11), "still yours");
  close(second);
  close(first);
}

TEST_F(UnixSocketTest, BackpressureKeepsInputInTheSocket) {
  receiver_.set_room(16);  // a UART FIFO
  int client = connect_client();
  std::string sent;
  for (int i = 0; i < 5000; ++i)
    sent.push_back(static_cast<char>('0' + i % 64));
  ASSERT_EQ(send(client, sent.data(), sent.size(), 0), static_cast<ssize_t>(sent.size()));
  ASSERT_TRUE(eventually([&] { return receiver_.got().size() == 16; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(receiver_.got().size(), 16u);  // nothing taken beyond the room
  // The guest drains, the UART says so: input resumes until all arrived.
  for (int i = 0; i < 2000 && receiver_.got().size() < sent.size(); ++i) {
    receiver_.drain();
    backend_->input_ready();
    size_t before = receiver_.got().size();
    eventually([&] { return receiver_.got().size() > before; }, 200ms);
  }
  EXPECT_EQ(receiver_.got(), sent);
  close(client);
}

TEST_F(UnixSocketTest, StuckClientDoesNotBlockWrites) {
  int client = connect_client();
  ASSERT_TRUE(eventually([&] { return backend_->has_client(); }));
  std::string chunk(64 * 1024, 'x');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i)
    backend_->write(bytes_of(chunk));  // 12.5 MiB, never read
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_GT(backend_->dropped_bytes(), 0u);
  close(client);
}

TEST_F(UnixSocketTest, UartOverTheSocketLosesNothing) {
  // The real pairing: a polling guest on this thread, input arriving on the
  // loop thread faster than the 16-byte FIFO drains.
  LatchIrqLine irq;
  Pl011 uart(irq, *backend_);
  uart.write(Pl011::kUARTLCR_H, 4, Pl011::kLCRH_FEN | Pl011::kLCRH_WLEN8);
  uart.write(Pl011::kUARTCR, 4, Pl011::kCR_UARTEN | Pl011::kCR_TXE | Pl011::kCR_RXE);
  int client = connect_client();
  std::string sent;
  for (int i = 0; i < 3000; ++i)
    sent.push_back(static_cast<char>(i * 7));
  ASSERT_EQ(send(client, sent.data(), sent.size(), 0), static_cast<ssize_t>(sent.size()));
  std::string got;
  auto end = std::chrono::steady_clock::now() + 10s;
  while (got.size() < sent.size() && std::chrono::steady_clock::now() < end) {
    if (uart.read(Pl011::kUARTFR, 4) & Pl011::kFR_RXFE) continue;
    got.push_back(static_cast<char>(uart.read(Pl011::kUARTDR, 4)));
  }
  EXPECT_EQ(got, sent);
  for (char c : std::string("ok\n"))
    uart.write(Pl011::kUARTDR, 4, static_cast<uint8_t>(c));
  EXPECT_EQ(recv_some(client, 3), "ok\n");
  close(client);
  thread_.reset();  // no input callbacks into the UART from here on
}

TEST(UnixSocketErrorsTest, BadPathsAreConfigErrorsNamingThePath) {
  EventLoop loop;
  TempDir dir;
  std::string file = dir / "not-a-socket";
  std::ofstream(file) << "x";
  for (const std::string& path :
       {std::string("/nonexistent-dir/vm.sock"), file, std::string(200, 'a')}) {
    try {
      make_char_backend(parse_serial_spec("unix:" + path), loop);
      FAIL() << path;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(slurp(file), "x");  // not replaced
}

TEST(UnixSocketErrorsTest, StaleSocketIsReplacedAndRemovedAtTheEnd) {
  EventLoop loop;
  TempDir dir;
  std::string path = dir / "vm.sock";
  { UnixSocketBackend first(path, loop); }
  EXPECT_FALSE(fs::exists(path));
  int stale = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ASSERT_EQ(bind(stale, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  close(stale);  // leaves the socket file behind
  ASSERT_TRUE(fs::exists(path));
  EXPECT_NO_THROW(UnixSocketBackend(path, loop));
}

// --- stdio -------------------------------------------------------------------

TEST(ConsoleEscapeTest, CtrlAXQuits) {
  ConsoleEscape esc;
  std::vector<uint8_t> out;
  EXPECT_TRUE(esc.feed(bytes_of("ab\x01xcd"), out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "ab");
  ConsoleEscape upper;
  out.clear();
  EXPECT_TRUE(upper.feed(bytes_of("\x01X"), out));
  EXPECT_TRUE(out.empty());
}

TEST(ConsoleEscapeTest, CtrlACtrlASendsOneCtrlA) {
  ConsoleEscape esc;
  std::vector<uint8_t> out;
  EXPECT_FALSE(esc.feed(bytes_of("\x01\x01"), out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "\x01");
  // Then the next one is a new escape.
  out.clear();
  EXPECT_FALSE(esc.feed(bytes_of("\x01\x01\x01"), out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "\x01");
  EXPECT_TRUE(esc.feed(bytes_of("x"), out));
}

TEST(ConsoleEscapeTest, EscapeSplitAcrossReadsAndOtherKeysPassThrough) {
  ConsoleEscape esc;
  std::vector<uint8_t> out;
  EXPECT_FALSE(esc.feed(bytes_of("a\x01"), out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "a");
  EXPECT_FALSE(esc.feed(bytes_of("c"), out));  // Ctrl-A c: not ours, both go on
  EXPECT_EQ(std::string(out.begin(), out.end()),
            "a\x01"
            "c");
  out.clear();
  EXPECT_FALSE(esc.feed(bytes_of("\x01"), out));
  EXPECT_TRUE(esc.feed(bytes_of("x"), out));
  EXPECT_TRUE(out.empty());
}

TEST(StdioBackendTest, PipedStdinPassesThroughAndEofEndsInput) {
  int in[2], out[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  EventLoop loop;
  Receiver receiver;
  std::atomic<bool> quit{false};
  {
    StdioBackend backend(loop, in[0], out[1]);
    backend.set_quit_handler([&] { quit = true; });
    backend.attach(receiver.sink());
    LoopThread thread(loop);
    std::string data = "echo hi\n\x01x not an escape on a pipe";
    ASSERT_EQ(write(in[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(in[1]);
    EXPECT_TRUE(eventually([&] { return receiver.got() == data; })) << receiver.got();
    EXPECT_FALSE(quit);
    backend.write(bytes_of("guest says hi\n"));
    char buf[64];
    ssize_t n = read(out[0], buf, sizeof buf);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(std::max<ssize_t>(n, 0))), "guest says hi\n");
  }
  close(in[0]);
  close(out[0]);
  close(out[1]);
}

TEST(StdioBackendTest, RegularFileStdinIsRead) {
  TempDir dir;
  std::string path = dir / "input";
  std::ofstream(path) << "from a file";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EventLoop loop;
  Receiver receiver;
  receiver.set_room(4);
  {
    StdioBackend backend(loop, fd, STDERR_FILENO);
    backend.attach(receiver.sink());
    LoopThread thread(loop);
    // The guest drains four bytes at a time; the rest waits in the file.
    EXPECT_TRUE(eventually([&] {
      receiver.drain();
      backend.input_ready();
      return receiver.got() == "from a file";
    })) << receiver.got();
  }
  close(fd);
}

TEST(StdioBackendTest, TerminalRawModeEscapesAndRestore) {
  int master, slave;
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) GTEST_SKIP() << "no pty here";
  termios before;
  ASSERT_EQ(tcgetattr(slave, &before), 0);
  ASSERT_TRUE(before.c_lflag & ICANON);
  EventLoop loop;
  Receiver receiver;
  std::atomic<int> quits{0};
  {
    StdioBackend backend(loop, slave, slave);
    termios raw;
    ASSERT_EQ(tcgetattr(slave, &raw), 0);
    EXPECT_FALSE(raw.c_lflag & (ICANON | ECHO | ISIG));
    EXPECT_FALSE(raw.c_iflag & ICRNL);
    EXPECT_TRUE(raw.c_oflag & OPOST);  // "\n" still returns the carriage
    backend.set_quit_handler([&] { ++quits; });
    backend.attach(receiver.sink());
    LoopThread thread(loop);
    ASSERT_EQ(write(master, "ls\r\x01\x01", 5), 5);
    EXPECT_TRUE(eventually([&] { return receiver.got() == "ls\r\x01"; })) << receiver.got();
    EXPECT_EQ(quits, 0);
    ASSERT_EQ(write(master, "\x01x", 2), 2);
    EXPECT_TRUE(eventually([&] { return quits == 1; }));
    EXPECT_EQ(receiver.got(), "ls\r\x01");
  }
  termios after;
  ASSERT_EQ(tcgetattr(slave, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_iflag, before.c_iflag);
  close(slave);
  close(master);
}

}  // namespace
}  // namespace vmapple
