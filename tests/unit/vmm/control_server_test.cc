// The control socket on a real EventLoop with a machine built from a
// MachineConfig: requests reach the power button (PL061 line 3) and the USB
// keyboard (reports read back through the machine's xHCI as a guest driver
// would), and no client, however hostile, stalls the loop or the others.
#include "vmm/control.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "cli/ctl.h"
#include "hw/intc/gicv3.h"
#include "hw/misc/pvpanic_mmio.h"
#include "hw/pci/gpex.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "machine/vmapple_machine.h"
#include "unit/hw/virtio_driver.h"
#include "unit/hw/xhci_driver.h"

namespace vmapple {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct NoPanic : PvpanicListener {
  void pvpanic_event(PvpanicEvent) override {}
};

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vmapple-control-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    config_.firmware = (dir_ / "fw.bin").string();
    std::ofstream(config_.firmware, std::ios::binary) << std::string("\x01\x02\x03\x04", 4);
    config_.ram_size = 64ull << 20;
    config_.serial = "none";
    path_ = (dir_ / "vm.sock").string();
  }
  void TearDown() override {
    for (auto& [fd, buffer] : buffers_)
      close(fd);
    server_.reset();
    machine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void build(bool with_server = true) {
    machine_ = std::make_unique<VmappleMachine>(config_, loop_, panics_, [] {});
    machine_->reset();
    if (with_server) server_ = std::make_unique<ControlServer>(path_, loop_, *machine_, hooks());
  }
  ControlHooks hooks() {
    ControlHooks h;
    h.status = [] { return json{{"state", "running"}, {"cpus", 1}}; };
    h.quit = [this] { ++quits_; };
    return h;
  }

  int connect_client() {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << strerror(errno);
    buffers_[fd];
    pump(0);  // accept
    return fd;
  }
  void send_text(int fd, const std::string& text) {
    size_t sent = 0;
    while (sent < text.size()) {
      ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      ASSERT_GT(n, 0) << strerror(errno);
      sent += static_cast<size_t>(n);
      pump(0);
    }
  }
  // Runs the loop for about `ms` milliseconds (at least one round).
  void pump(int ms) {
    auto end = Clock::now() + std::chrono::milliseconds(ms);
    do {
      loop_.run_once(1);
    } while (Clock::now() < end);
  }
  // Reads what has arrived; false once the server closed the connection.
  bool drain(int fd) {
    char buffer[4096];
    for (;;) {
      ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        buffers_[fd].append(buffer, static_cast<size_t>(n));
        continue;
      }
      return !(n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK));
    }
  }
  // The next reply line, pumping the loop meanwhile; "" after 3 s.
  std::string reply(int fd) {
    auto end = Clock::now() + std::chrono::seconds(3);
    while (Clock::now() < end) {
      drain(fd);
      std::string& b = buffers_[fd];
      size_t nl = b.find('\n');
      if (nl != std::string::npos) {
        std::string line = b.substr(0, nl);
        b.erase(0, nl + 1);
        return line;
      }
      loop_.run_once(1);
    }
    return "";
  }
  json request(int fd, const std::string& line) {
    send_text(fd, line + "\n");
    std::string r = reply(fd);
    EXPECT_NE(r, "") << "no reply to " << line;
    return json::parse(r, nullptr, false);
  }
  // True once the server has closed `fd` (within 3 s).
  bool closed_by_server(int fd) {
    auto end = Clock::now() + std::chrono::seconds(3);
    while (Clock::now() < end) {
      if (!drain(fd)) return true;
      loop_.run_once(1);
    }
    return false;
  }
  uint64_t mmio(uint64_t gpa) {
    uint64_t v = 0;
    EXPECT_EQ(machine_->address_space().read(gpa, 4, &v), MmioStatus::kOk);
    return v;
  }

  std::filesystem::path dir_;
  MachineConfig config_;
  EventLoop loop_;
  NoPanic panics_;
  std::unique_ptr<VmappleMachine> machine_;
  std::unique_ptr<ControlServer> server_;
  std::string path_;
  int quits_ = 0;
  std::map<int, std::string> buffers_;
};

// A guest-side keyboard driver: the xHCI brought up, the keyboard on root
// port 5 addressed and configured, its interrupt IN endpoint polled one
// 8-byte report at a time.
class GuestKeyboard {
 public:
  explicit GuestKeyboard(VmappleMachine& m)
      : m_(m), arena_(board::kRamBase + (16 << 20), 16 << 20) {
    test::Ecam ecam(m.address_space(), board::kPcieEcam.base);
    auto found = test::enumerate(ecam, board::kPcieMmio.base, board::kPcieMmio.size);
    const test::PciFound* usb = nullptr;
    for (const auto& f : found)
      if (f.slot == VmappleMachine::kUsbSlot) usb = &f;
    EXPECT_NE(usb, nullptr);
    unsigned spi = board::kPcieIntxSpiBase + m.pcie().bus().intx_line(usb->slot, pci::IntxPin::kA);
    drv_ = std::make_unique<test::XhciDriver>(m.address_space(), arena_, usb->bar_address[0],
                                              [&m, spi] { return m.gic().spi_input_level(spi); });
    drv_->start({});
    drv_->reset_port(VmappleMachine::kKeyboardPort);
    dev_ = &drv_->enable_and_address(VmappleMachine::kKeyboardPort);
    EXPECT_EQ(drv_->configure_interrupt_in(*dev_, 0x81, 8, 10, 0), test::xhci::kCcSuccess);
    EXPECT_EQ(drv_->control(*dev_, 0x00, 9, 1, 0, {}, 0).cc, test::xhci::kCcSuccess);
    EXPECT_EQ(drv_->control(*dev_, 0x21, 0x0A, 0, 0, {}, 0).cc, test::xhci::kCcSuccess);  // idle 0
    drv_->service(0);
    drv_->pending(0).clear();
    buffer_ = arena_.alloc(8, 64);
  }
  // Polls the endpoint once; the report if the device had one queued or
  // produces one while `wait` pumps the loop.
  std::optional<std::array<uint8_t, 8>> poll(const std::function<void()>& wait) {
    if (!trb_) trb_ = drv_->queue_normal(*dev_, test::xhci::dci(1, true), buffer_, 8);
    for (int i = 0; i < 400; ++i) {
      auto e = drv_->take_event(0, [&](const test::Trb& t) { return t.parameter == *trb_; });
      if (e) {
        trb_.reset();
        EXPECT_EQ(e->completion_code(), test::xhci::kCcSuccess);
        std::array<uint8_t, 8> r{};
        for (unsigned b = 0; b < 8; ++b)
          r[b] = m_.memory().read_le<uint8_t>(buffer_ + b).value();
        drv_->acknowledge(0);
        return r;
      }
      wait();
    }
    return std::nullopt;
  }

 private:
  VmappleMachine& m_;
  test::GuestArena arena_;
  std::unique_ptr<test::XhciDriver> drv_;
  test::XhciDriver::Device* dev_ = nullptr;
  uint64_t buffer_ = 0;
  std::optional<uint64_t> trb_;
};

using Report = std::array<uint8_t, 8>;
constexpr Report kNoKeys{};
Report keys(uint8_t modifiers, uint8_t usage = 0) {
  return {modifiers, 0, usage, 0, 0, 0, 0, 0};
}

TEST_F(ControlServerTest, StatusCombinesTheVmsStateWithTheDevices) {
  build();
  int c = connect_client();
  json r = request(c, R"({"command":"status","id":"s1"})");
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["id"], "s1");
  EXPECT_EQ(r["state"], "running");
  EXPECT_EQ(r["cpus"], 1);
  EXPECT_EQ(r["keyboard"], true);
  EXPECT_EQ(r["tablet"], true);
  EXPECT_EQ(r["clients"], 1);
}

TEST_F(ControlServerTest, PowerButtonRaisesPl061Line3ForItsPulse) {
  build();
  // As gpio-pl061 + gpio-keys set line 3 up: input, rising edge, enabled.
  machine_->address_space().write(0x2006'0400, 4, 0);
  machine_->address_space().write(0x2006'0404, 4, 0);
  machine_->address_space().write(0x2006'040c, 4, 0x08);
  machine_->address_space().write(0x2006'0410, 4, 0x08);
  auto line3 = [&] { return mmio(0x2006'0000 + (0x08 << 2)); };  // GPIODATA, mask line 3
  auto spi5_pending = [&] { return (mmio(0x1000'0204) >> 5 & 1) != 0; };
  EXPECT_EQ(line3(), 0u);
  int c = connect_client();
  EXPECT_EQ(request(c, R"({"command":"power-button"})"), json::parse(R"({"ok":true})"));
  EXPECT_EQ(line3(), 0x08u);
  EXPECT_TRUE(spi5_pending());
  pump(150);  // the 100 ms pulse ends on the loop's timer
  EXPECT_EQ(line3(), 0u);
}

TEST_F(ControlServerTest, KeyIsAPressThenAReleaseThroughTheXhci) {
  build();
  GuestKeyboard kbd(*machine_);
  int c = connect_client();
  send_text(c, R"({"command":"key","key":"KEY_A","id":1})"
               "\n");
  auto start = Clock::now();
  auto down = kbd.poll([&] { loop_.run_once(1); });
  ASSERT_TRUE(down);
  EXPECT_EQ(*down, keys(0, 0x04));
  auto up = kbd.poll([&] { loop_.run_once(1); });
  ASSERT_TRUE(up);
  EXPECT_EQ(*up, kNoKeys);
  // The release came a hold time after the press, and the reply after both.
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(control::kKeyHoldMs));
  EXPECT_EQ(json::parse(reply(c)), json::parse(R"({"ok":true,"id":1})"));
}

TEST_F(ControlServerTest, TypeHoldsShiftForUpperCase) {
  build();
  GuestKeyboard kbd(*machine_);
  int c = connect_client();
  send_text(c, R"({"command":"type","text":"Hi\n"})"
               "\n");
  std::vector<Report> seen;
  for (int i = 0; i < 8; ++i) {
    auto r = kbd.poll([&] { loop_.run_once(1); });
    ASSERT_TRUE(r) << i;
    seen.push_back(*r);
  }
  const uint8_t shift = 0x02;  // Left Shift modifier bit
  EXPECT_EQ(seen, (std::vector<Report>{keys(shift), keys(shift, 0x0B), keys(shift), kNoKeys,
                                       keys(0, 0x0C), kNoKeys, keys(0, 0x28), kNoKeys}));
  EXPECT_EQ(json::parse(reply(c))["ok"], true);
}

TEST_F(ControlServerTest, RequestsOfOneClientRunInOrder) {
  build();
  int c = connect_client();
  // Pipelined in one write: the status waits for the key's release.
  send_text(c, R"({"command":"key","key":"KEY_B","id":1})"
               "\n"
               R"({"command":"status","id":2})"
               "\r\n\n   \n"
               R"({"command":"nope","id":3})"
               "\n");
  EXPECT_EQ(json::parse(reply(c))["id"], 1);
  EXPECT_EQ(json::parse(reply(c))["id"], 2);
  json third = json::parse(reply(c));
  EXPECT_EQ(third["id"], 3);
  EXPECT_EQ(third["ok"], false);
}

TEST_F(ControlServerTest, GarbageGetsErrorRepliesAndTheClientStays) {
  build();
  int c = connect_client();
  for (std::string junk :
       {std::string("hello"), std::string("\x00\xff\x01{", 4),
        std::string("{\"command\":\"type\",\"text\":\"\\u0000\"}"), std::string("[\"status\"]")}) {
    json r = request(c, junk);
    EXPECT_EQ(r["ok"], false) << junk;
    EXPECT_TRUE(r["error"].is_string());
  }
  EXPECT_EQ(request(c, R"({"command":"status"})")["ok"], true);
}

TEST_F(ControlServerTest, AnOversizedLineIsRefusedAndDisconnected) {
  build();
  int bad = connect_client();
  int good = connect_client();
  send_text(bad, std::string(control::kMaxRequestBytes + 10, 'x'));
  json r = json::parse(reply(bad));
  EXPECT_EQ(r["ok"], false);
  EXPECT_EQ(r["error"], "request longer than 4095 bytes");
  EXPECT_TRUE(closed_by_server(bad));
  EXPECT_EQ(request(good, R"({"command":"status"})")["clients"], 1);
}

TEST_F(ControlServerTest, AClientThatNeverReadsIsDisconnected) {
  build();
  int slow = connect_client();
  int good = connect_client();
  std::string burst;
  for (int i = 0; i < 200; ++i)
    burst += R"({"command":"status"})"
             "\n";
  // Keep writing requests, never reading a reply: the server's pending
  // output grows past its bound and it hangs up; the loop never blocks.
  bool cut = false;
  for (int round = 0; round < 5000 && !cut; ++round) {
    ssize_t n = ::send(slow, burst.data(), burst.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN) cut = true;
    loop_.run_once(0);
    cut = cut || server_->client_count() == 1;
  }
  EXPECT_TRUE(cut);
  EXPECT_EQ(server_->client_count(), 1u);
  EXPECT_EQ(request(good, R"({"command":"status"})")["ok"], true);
}

TEST_F(ControlServerTest, HangingUpMidTypeStillReleasesEveryKey) {
  build();
  GuestKeyboard kbd(*machine_);
  int c = connect_client();
  send_text(c, R"({"command":"type","text":"AB"})"
               "\n");
  close(c);
  buffers_.erase(c);
  std::vector<Report> seen;
  for (int i = 0; i < 8; ++i) {
    auto r = kbd.poll([&] { loop_.run_once(1); });
    ASSERT_TRUE(r) << i;
    seen.push_back(*r);
  }
  EXPECT_EQ(seen.back(), kNoKeys);
  EXPECT_EQ(seen[5], keys(0x02, 0x05));  // Shift+B went out after the hang-up
  pump(20);
  EXPECT_EQ(server_->client_count(), 0u);
}

TEST_F(ControlServerTest, HalfClosedClientGetsEveryReply) {
  build();
  int c = connect_client();
  send_text(c, R"({"command":"key","key":"KEY_C"})"
               "\n"
               R"({"command":"status","id":9})");  // no newline before the end
  shutdown(c, SHUT_WR);
  EXPECT_EQ(json::parse(reply(c))["ok"], true);
  EXPECT_EQ(json::parse(reply(c))["id"], 9);
  EXPECT_TRUE(closed_by_server(c));
}

TEST_F(ControlServerTest, TooManyClientsAreTurnedAway) {
  build();
  std::vector<int> clients;
  for (size_t i = 0; i < ControlServer::kMaxClients; ++i)
    clients.push_back(connect_client());
  EXPECT_EQ(server_->client_count(), ControlServer::kMaxClients);
  int extra = connect_client();
  json r = json::parse(reply(extra));
  EXPECT_EQ(r["ok"], false);
  EXPECT_NE(r["error"].get<std::string>().find("too many"), std::string::npos);
  EXPECT_TRUE(closed_by_server(extra));
  EXPECT_EQ(request(clients.back(), R"({"command":"status"})")["clients"],
            ControlServer::kMaxClients);
}

TEST_F(ControlServerTest, QuitRepliesThenStopsTheVm) {
  build();
  int c = connect_client();
  EXPECT_EQ(request(c, R"({"command":"quit"})")["ok"], true);
  EXPECT_EQ(quits_, 1);
  EXPECT_TRUE(closed_by_server(c));
}

TEST_F(ControlServerTest, WithoutUsbDevicesInputRequestsAreRefused) {
  config_.default_devices = false;
  build();
  int c = connect_client();
  json k = request(c, R"({"command":"key","key":"KEY_A"})");
  EXPECT_EQ(k["ok"], false);
  EXPECT_NE(k["error"].get<std::string>().find("no USB keyboard"), std::string::npos);
  EXPECT_EQ(request(c, R"({"command":"pointer","x":0,"y":0})")["ok"], false);
  EXPECT_EQ(request(c, R"({"command":"power-button"})")["ok"], true);
  json s = request(c, R"({"command":"status"})");
  EXPECT_EQ(s["keyboard"], false);
  EXPECT_EQ(s["tablet"], false);
}

TEST_F(ControlServerTest, SocketFileIsCreatedAndRemoved) {
  build();
  struct stat st;
  ASSERT_EQ(lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  server_.reset();
  EXPECT_NE(lstat(path_.c_str(), &st), 0);
}

TEST_F(ControlServerTest, AStaleSocketIsReplacedALiveOneIsNot) {
  build(false);
  {
    // A socket file nobody listens on any more: a VM that died.
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    close(fd);
  }
  server_ = std::make_unique<ControlServer>(path_, loop_, *machine_, hooks());
  try {
    ControlServer second(path_, loop_, *machine_, hooks());
    FAIL() << "a live control socket was taken over";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--control: '" + path_ + "': another VM is listening on this control socket");
  }
  // The first server still owns its socket.
  int c = connect_client();
  EXPECT_EQ(request(c, R"({"command":"status"})")["ok"], true);
}

TEST_F(ControlServerTest, UnusablePathsAreConfigErrorsNamingTheFlag) {
  build(false);
  std::ofstream((dir_ / "file").string()) << "x";
  for (std::string bad : {(dir_ / "file").string(), (dir_ / "no-such-dir" / "vm.sock").string(),
                          std::string(200, 'a'), std::string()}) {
    try {
      ControlServer s(bad, loop_, *machine_, hooks());
      ADD_FAILURE() << bad;
    } catch (const ConfigError& e) {
      std::string what = e.what();
      EXPECT_TRUE(what.starts_with("--control: ")) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos);
    }
  }
  std::ifstream still((dir_ / "file").string());
  EXPECT_TRUE(still.good());  // a file that is not a socket is never removed
}

// `vmapple ctl` against the server, the loop on its own thread as in a VM.
TEST_F(ControlServerTest, CtlPrintsTheReplyAndExitsByItsOutcome) {
  build();
  std::thread io([this] { loop_.run(); });
  auto ctl = [&](std::vector<std::string> args, std::string* out_text = nullptr) {
    std::ostringstream out, err;
    int status = ctl_main(args, out, err);
    if (out_text) *out_text = out.str();
    return status;
  };
  std::string out;
  EXPECT_EQ(ctl({path_, "status"}, &out), 0);
  EXPECT_EQ(json::parse(out)["state"], "running");
  EXPECT_EQ(ctl({path_, "key", "KEY_ENTER"}, &out), 0);
  EXPECT_EQ(out, "{\"ok\":true}\n");
  EXPECT_EQ(ctl({path_, "type", "ls -l\\n"}), 0);
  EXPECT_EQ(ctl({path_, "wheel", "-3", "1"}), 0);
  EXPECT_EQ(ctl({path_, "key", "KEY_NOPE"}, &out), 1);
  EXPECT_EQ(json::parse(out)["ok"], false);
  EXPECT_EQ(ctl({path_, "pointer", "2", "0"}), 1);
  EXPECT_EQ(ctl({path_, "frobnicate"}), 2);
  EXPECT_EQ(ctl({path_}), 2);
  EXPECT_EQ(ctl({(dir_ / "absent.sock").string(), "status"}), 2);
  EXPECT_EQ(ctl({path_, "quit"}), 0);
  loop_.stop();
  io.join();
  EXPECT_EQ(quits_, 1);
}

TEST(CtlRequest, EachCommandBuildsItsRequest) {
  std::string error;
  auto req = [&](std::vector<std::string> w) {
    auto j = ctl_request(w, &error);
    EXPECT_TRUE(j) << error;
    return j.value_or(json());
  };
  EXPECT_EQ(req({"power-button"}), json::parse(R"({"command":"power-button"})"));
  EXPECT_EQ(req({"status"}), json::parse(R"({"command":"status"})"));
  EXPECT_EQ(req({"quit"}), json::parse(R"({"command":"quit"})"));
  EXPECT_EQ(req({"key", "KEY_A"}), json::parse(R"({"command":"key","key":"KEY_A"})"));
  EXPECT_EQ(req({"key-down", "a"}), json::parse(R"({"command":"key-down","key":"a"})"));
  EXPECT_EQ(req({"key-up", "a"}), json::parse(R"({"command":"key-up","key":"a"})"));
  EXPECT_EQ(req({"type", "a\\tb\\\\c\\n"}), (json{{"command", "type"}, {"text", "a\tb\\c\n"}}));
  EXPECT_EQ(req({"pointer", "0.5", "1"}), json::parse(R"({"command":"pointer","x":0.5,"y":1.0})"));
  EXPECT_EQ(req({"buttons", "0x3"}), json::parse(R"({"command":"buttons","mask":3})"));
  EXPECT_EQ(req({"wheel", "-2"}), json::parse(R"({"command":"wheel","vertical":-2})"));
  EXPECT_EQ(req({"wheel", "0", "4"}),
            json::parse(R"({"command":"wheel","vertical":0,"horizontal":4})"));
  EXPECT_EQ(req({"json", R"({"command":"status","id":5})"}),
            json::parse(R"({"command":"status","id":5})"));
}

TEST(CtlRequest, UsageErrors) {
  std::string error;
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{},
                                             {"fly"},
                                             {"status", "extra"},
                                             {"key"},
                                             {"key", "A", "B"},
                                             {"type", "bad \\q escape"},
                                             {"type", "trailing \\"},
                                             {"pointer", "0.5"},
                                             {"pointer", "x", "1"},
                                             {"buttons", "1.5"},
                                             {"wheel"},
                                             {"wheel", "1", "2", "3"},
                                             {"json", "[1]"},
                                             {"json", "{"}}) {
    error.clear();
    EXPECT_FALSE(ctl_request(bad, &error)) << ::testing::PrintToString(bad);
    EXPECT_NE(error, "");
  }
}

}  // namespace
}  // namespace vmapple
