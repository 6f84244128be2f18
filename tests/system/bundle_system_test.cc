// `vmapple run BUNDLE` and `vmapple ecid` through the real binary: a good
// bundle builds the machine with the bundle's ECID and disks, every malformed
// bundle exits 2 with one error line.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include "vmapple_process.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// {ECID: 0x1122334455667788} as Python's plistlib writes a binary plist.
std::string identifier_bytes() {
  const std::string hex =
      "62706c6973743030d101025445434944131122334455667788080b1000000000000001010000000000"
      "00000300000000000000000000000000000019";
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}
constexpr const char* kEcidDecimal = "1234605616436508552";

using Result = vmapple::testing::ProcessResult;
using vmapple::testing::slurp;

class BundleSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vmapple-bundle-sys-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }
  void sized(const fs::path& p, uint64_t size) {
    write(p, "");
    fs::resize_file(p, size);
  }
  fs::path bundle(const std::string& name) {
    fs::path b = dir_ / name;
    write(b / "MachineIdentifier", identifier_bytes());
    write(b / "HardwareModel", "");
    sized(b / "AuxiliaryStorage", 0x4000 + 0x10000);
    sized(b / "Disk.img", 1 << 20);
    write(b / "AVPBooter.vmapple2.bin", std::string(4096, '\0'));
    return b;
  }

  Result run(const std::vector<std::string>& args) {
    return vmapple::testing::run_vmapple(dir_, args);
  }

  // Exit status 2, nothing on stdout, exactly one line on stderr with `fragment`.
  void expect_one_line_error(const std::vector<std::string>& args, const std::string& prefix,
                             const std::string& fragment) {
    Result r = run(args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  }

  fs::path dir_;
};

TEST_F(BundleSystemTest, EcidPrintsTheDecimalEcid) {
  fs::path b = bundle("good");
  for (const fs::path& p : {b, b / "MachineIdentifier"}) {
    Result r = run({"ecid", p.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, std::string(kEcidDecimal) + "\n");
    EXPECT_EQ(r.err, "");
  }
}

TEST_F(BundleSystemTest, RunBundleBuildsTheMachineFromIt) {
  fs::path b = bundle("good");
  // --accel kvm (not on this host): the machine is built and described,
  // then the run stops with status 4 instead of running the zero firmware.
  Result r = run({"run", b.string(), "--serial", "none", "--memory", "64M", "--accel", "kvm"});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find("ecid 0x1122334455667788"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("backdoor: root " + (b / "Disk.img").string() + ", aux " +
                       (b / "AuxiliaryStorage").string() + " (after a 16384-byte header)"),
            std::string::npos)
      << r.err;
}

TEST_F(BundleSystemTest, MalformedBundlesExitTwoWithOneLine) {
  fs::path b = bundle("no-aux");
  fs::remove(b / "AuxiliaryStorage");
  const std::string prefix = "vmapple: bundle '" + b.string() + "': ";
  expect_one_line_error({"run", b.string()}, prefix, "AuxiliaryStorage (aux storage) is missing");

  b = bundle("truncated");
  fs::resize_file(b / "AuxiliaryStorage", 0x3000);
  expect_one_line_error({"run", b.string()}, "vmapple: bundle '" + b.string() + "': ",
                        "AuxiliaryStorage (aux storage) is truncated");

  b = bundle("xml-array");
  write(b / "MachineIdentifier",
        "<?xml version=\"1.0\"?><plist version=\"1.0\"><array><integer>1</integer></array>"
        "</plist>");
  expect_one_line_error({"run", b.string()},
                        "vmapple: bundle '" + b.string() + "': ", "not a dictionary");
  expect_one_line_error({"ecid", b.string()},
                        "vmapple: bundle '" + b.string() + "': ", "not a dictionary");

  b = bundle("no-ecid");
  write(b / "MachineIdentifier",
        "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>Other</key><integer>1"
        "</integer></dict></plist>");
  expect_one_line_error({"run", b.string()}, "vmapple: bundle '" + b.string() + "': ",
                        "MachineIdentifier has no ECID key");

  expect_one_line_error(
      {"ecid", (dir_ / "missing").string()},
      "vmapple: '" + (dir_ / "missing").string() + "': ", "No such file or directory");
  expect_one_line_error(
      {"run", (dir_ / "missing").string()},
      "vmapple: bundle '" + (dir_ / "missing").string() + "': ", "No such file or directory");
}

}  // namespace
