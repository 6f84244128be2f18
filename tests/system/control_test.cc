// `vmapple run --control PATH` with `vmapple ctl PATH ...` as a user runs
// them: the button firmware (tests/guest/firmware/button.c) waits for the
// power button; status and quit, or a power-button press that the firmware
// answers with PSCI SYSTEM_OFF, end the VMM with status 0.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "vmapple_process.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct CtlResult {
  int status = -1;
  std::string out;
};

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vmapple-ctl-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    socket_ = (dir_ / "vm.sock").string();
    firmware_ = std::string(VMAPPLE_GUEST_DIR) + "/firmware/button_firmware.bin";
    ASSERT_TRUE(fs::exists(firmware_)) << firmware_;
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  // Starts the VM in the background; returns once its control socket exists.
  void start_vm() {
    pid_ = fork();
    if (pid_ == 0) {
      freopen("/dev/null", "r", stdin);
      freopen((dir_ / "stdout").c_str(), "w", stdout);
      freopen((dir_ / "stderr").c_str(), "w", stderr);
      std::string serial = "file:" + (dir_ / "serial").string();
      execl(VMAPPLE_BINARY, VMAPPLE_BINARY, "run", "--firmware", firmware_.c_str(), "--memory",
            "64M", "--serial", serial.c_str(), "--control", socket_.c_str(), nullptr);
      _exit(127);
    }
    ASSERT_GT(pid_, 0);
    for (int i = 0; i < 1000 && !fs::exists(socket_); ++i)
      std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(fs::exists(socket_)) << vmapple::testing::slurp(dir_ / "stderr");
  }
  // Waits for the VM to end; its exit status, or -1 after 30 s.
  int wait_vm() {
    for (int i = 0; i < 3000; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }
  bool serial_shows(const std::string& text) {
    for (int i = 0; i < 1000; ++i) {
      if (vmapple::testing::slurp(dir_ / "serial").find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  CtlResult ctl(const std::string& args) {
    std::string cmd = std::string(VMAPPLE_BINARY) + " ctl " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    CtlResult r;
    char buffer[512];
    while (fgets(buffer, sizeof buffer, p))
      r.out += buffer;
    int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  fs::path dir_;
  std::string socket_, firmware_;
  pid_t pid_ = -1;
};

TEST_F(ControlTest, StatusThenQuitEndsTheVmWithStatusZero) {
  start_vm();
  ASSERT_TRUE(serial_shows("button: waiting for the power button"));
  CtlResult status = ctl(socket_ + " status");
  EXPECT_EQ(status.status, 0) << status.out;
  EXPECT_NE(status.out.find("\"state\":\"running\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"cpus\":1"), std::string::npos) << status.out;
  CtlResult bad = ctl(socket_ + " key KEY_NOPE");
  EXPECT_EQ(bad.status, 1) << bad.out;
  CtlResult quit = ctl(socket_ + " quit");
  EXPECT_EQ(quit.status, 0) << quit.out;
  EXPECT_EQ(quit.out, "{\"ok\":true}\n");
  EXPECT_EQ(wait_vm(), 0) << vmapple::testing::slurp(dir_ / "stderr");
  EXPECT_FALSE(fs::exists(socket_));  // removed at exit
  EXPECT_EQ(vmapple::testing::slurp(dir_ / "serial").find("pressed"), std::string::npos);
}

TEST_F(ControlTest, PowerButtonMakesTheFirmwarePowerOff) {
  start_vm();
  ASSERT_TRUE(serial_shows("button: waiting for the power button"));
  CtlResult press = ctl(socket_ + " power-button");
  EXPECT_EQ(press.status, 0) << press.out;
  EXPECT_EQ(wait_vm(), 0) << vmapple::testing::slurp(dir_ / "stderr");
  EXPECT_NE(vmapple::testing::slurp(dir_ / "serial").find("button: pressed"), std::string::npos);
  EXPECT_NE(vmapple::testing::slurp(dir_ / "stderr").find("PSCI SYSTEM_OFF"), std::string::npos);
}

TEST_F(ControlTest, ALiveControlSocketIsNotTakenOver) {
  start_vm();
  auto second = vmapple::testing::run_vmapple(
      dir_,
      {"run", "--firmware", firmware_, "--memory", "64M", "--serial", "none", "--control", socket_},
      {.timeout = 30s});
  EXPECT_EQ(second.status, 2);
  ASSERT_EQ(second.err_lines().size(), 1u) << second.err;
  EXPECT_EQ(second.err_lines()[0], "vmapple: --control: '" + socket_ +
                                       "': another VM is listening on this control socket");
  EXPECT_EQ(ctl(socket_ + " quit").status, 0);  // the first VM still answers
  EXPECT_EQ(wait_vm(), 0);
}

TEST_F(ControlTest, UnusablePathIsAUsageError) {
  auto r =
      vmapple::testing::run_vmapple(dir_,
                                    {"run", "--firmware", firmware_, "--memory", "64M", "--serial",
                                     "none", "--control", (dir_ / "missing" / "vm.sock").string()},
                                    {.timeout = 30s});
  EXPECT_EQ(r.status, 2);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_TRUE(r.err_lines()[0].starts_with("vmapple: --control: ")) << r.err;
}

TEST_F(ControlTest, CtlWithoutAVmIsAUsageError) {
  CtlResult r = ctl((dir_ / "absent.sock").string() + " status");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "vmapple ctl: cannot connect to '" + (dir_ / "absent.sock").string() +
                       "': No such file or directory\n");
  EXPECT_EQ(ctl(socket_ + " fly").status, 2);
}

}  // namespace
