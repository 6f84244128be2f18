// VM bundles as Apple's sample code, tart and macosvm write them, built in a
// temporary directory with libplist, read through read_bundle() and through
// `vmapple run BUNDLE`'s flag validation.
#include "cli/bundle.h"

#include <gtest/gtest.h>
#include <plist/plist.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cli/run_flags.h"

namespace vmapple {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
constexpr uint64_t kEcid = 0x1122334455667788ull;

std::string to_bin(plist_t p) {
  char* bytes = nullptr;
  uint32_t len = 0;
  plist_to_bin(p, &bytes, &len);
  std::string out(bytes, len);
  plist_to_bin_free(bytes);
  plist_free(p);
  return out;
}

// VZMacMachineIdentifier.dataRepresentation: a binary plist {ECID: integer}.
std::string identifier(uint64_t ecid) {
  plist_t dict = plist_new_dict();
  plist_dict_set_item(dict, "ECID", plist_new_uint(ecid));
  return to_bin(dict);
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += k[n >> 18 & 63];
    out += k[n >> 12 & 63];
    out += i + 1 < in.size() ? k[n >> 6 & 63] : '=';
    out += i + 2 < in.size() ? k[n & 63] : '=';
  }
  return out;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vmapple-bundle-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  fs::path sized(const fs::path& p, uint64_t size) {
    write(p, "");
    fs::resize_file(p, size);
    return p;
  }
  // Apple's sample code layout.
  fs::path apple(const std::string& name = "VM.bundle") {
    fs::path b = dir_ / name;
    write(b / "MachineIdentifier", identifier(kEcid));
    write(b / "HardwareModel", identifier(0));  // not read
    sized(b / "AuxiliaryStorage", 0x4000 + (1 << 20));
    sized(b / "Disk.img", 8 << 20);
    return b;
  }
  fs::path tart(const std::string& name = "tartvm") {
    fs::path b = dir_ / name;
    json cfg = {{"version", 1},
                {"os", "darwin"},
                {"arch", "arm64"},
                {"ecid", base64(identifier(kEcid))},
                {"hardwareModel", ""},
                {"cpuCountMin", 4},
                {"cpuCount", 6},
                {"memorySizeMin", 4ull << 30},
                {"memorySize", 8ull << 30},
                {"macAddress", "aa:bb:cc:dd:ee:ff"}};
    write(b / "config.json", cfg.dump(2));
    sized(b / "nvram.bin", 0x4000 + 0x10000);
    sized(b / "disk.img", 8 << 20);
    return b;
  }
  fs::path macosvm(const std::string& name = "mvm") {
    fs::path b = dir_ / name;
    json cfg = {{"hardwareModel", "YnBsaXN0"},
                {"storage",
                 {{{"type", "disk"}, {"file", "disk.img"}, {"readOnly", true}},
                  {{"type", "aux"}, {"file", "aux.img"}, {"readOnly", false}}}},
                {"ram", 2ull << 30},
                {"machineId", base64(identifier(kEcid))},
                {"cpus", 2},
                {"version", 1}};
    write(b / "macosvm.json", cfg.dump());
    sized(b / "aux.img", 0x4000 + 0x8000);
    sized(b / "disk.img", 4 << 20);
    return b;
  }
  // The one-line error of a malformed bundle.
  std::string error(const fs::path& path) {
    try {
      read_bundle(path.string());
    } catch (const ConfigError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_EQ(what.rfind("bundle '" + path.string() + "': ", 0), 0u) << what;
      return what;
    }
    ADD_FAILURE() << "no error for " << path;
    return {};
  }

  fs::path dir_;
};

TEST_F(BundleTest, AppleSampleBundle) {
  fs::path b = apple();
  Bundle got = read_bundle(b.string());
  EXPECT_EQ(got.layout, Bundle::Layout::kAppleSample);
  EXPECT_EQ(got.ecid, kEcid);
  EXPECT_EQ(got.aux_path, (b / "AuxiliaryStorage").string());
  EXPECT_EQ(got.root_path, (b / "Disk.img").string());
  EXPECT_FALSE(got.ram_size);
  EXPECT_FALSE(got.cpus);
  EXPECT_EQ(read_ecid(b.string()), kEcid);
  EXPECT_EQ(read_ecid((b / "MachineIdentifier").string()), kEcid);
}

TEST_F(BundleTest, TartDirectory) {
  fs::path b = tart();
  Bundle got = read_bundle(b.string());
  EXPECT_EQ(got.layout, Bundle::Layout::kTart);
  EXPECT_EQ(got.ecid, kEcid);
  EXPECT_EQ(got.aux_path, (b / "nvram.bin").string());
  EXPECT_EQ(got.root_path, (b / "disk.img").string());
  EXPECT_EQ(got.cpus, 6u);
  EXPECT_EQ(got.ram_size, 8ull << 30);
  EXPECT_EQ(read_bundle((b / "config.json").string()).ecid, kEcid);
  EXPECT_EQ(read_ecid((b / "config.json").string()), kEcid);
}

TEST_F(BundleTest, MacosvmJson) {
  fs::path b = macosvm();
  for (const fs::path& p : {b, b / "macosvm.json"}) {
    Bundle got = read_bundle(p.string());
    EXPECT_EQ(got.layout, Bundle::Layout::kMacosvm);
    EXPECT_EQ(got.ecid, kEcid);
    EXPECT_EQ(got.aux_path, (b / "aux.img").string());
    EXPECT_EQ(got.root_path, (b / "disk.img").string());
    EXPECT_TRUE(got.root_read_only);
    EXPECT_EQ(got.cpus, 2u);
    EXPECT_EQ(got.ram_size, 2ull << 30);
  }
  // The README's JSON, written by another tool: absolute image paths.
  json cfg = {{"machineId",
               "YnBsaXN0MDDRAQJURUNJRBMRIjNEVWZ3iAgLEAAAAAAAAAEBAAAAAAAAAAMAAAAAAAAAAAAAAAAAAAAZ"},
              {"storage",
               {{{"type", "aux"}, {"file", (b / "aux.img").string()}},
                {{"type", "disk"}, {"file", (b / "disk.img").string()}}}}};
  fs::path other = write(dir_ / "elsewhere" / "vm.json", cfg.dump());
  EXPECT_EQ(read_bundle(other.string()).ecid, kEcid);
  EXPECT_EQ(read_ecid(other.string()), kEcid);
}

TEST_F(BundleTest, IdentifierEncodings) {
  // Bytes written by Python's plistlib, not libplist.
  const std::string py =
      "62706c6973743030d101025445434944140000000000000000f123456789abcdef080b10000000000000"
      "0101000000000000000300000000000000000000000000000021";
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < py.size(); i += 2)
    bytes.push_back(static_cast<uint8_t>(std::stoul(py.substr(i, 2), nullptr, 16)));
  EXPECT_EQ(ecid_from_machine_identifier(bytes), 0xF123456789ABCDEFull);
  // XML property lists are accepted too.
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>"
      "<key>ECID</key><integer>42</integer></dict></plist>\n";
  EXPECT_EQ(ecid_from_machine_identifier(
                std::span(reinterpret_cast<const uint8_t*>(xml.data()), xml.size())),
            42u);
  EXPECT_EQ(read_ecid(write(dir_ / "id.plist", xml).string()), 42u);
}

TEST_F(BundleTest, Base64) {
  EXPECT_EQ(decode_base64("aGVsbG8="), "hello");
  EXPECT_EQ(decode_base64("aGVsbG8"), "hello");
  EXPECT_EQ(decode_base64("aGVsbA=="), "hell");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("aGV*bG8="));
  EXPECT_FALSE(decode_base64("a"));
}

TEST_F(BundleTest, MalformedBundlesGiveOneClearLine) {
  fs::path b = apple("missing-aux");
  fs::remove(b / "AuxiliaryStorage");
  EXPECT_NE(error(b).find("AuxiliaryStorage (aux storage) is missing"), std::string::npos);

  b = apple("missing-disk");
  fs::remove(b / "Disk.img");
  EXPECT_NE(error(b).find("Disk.img (root disk) is missing"), std::string::npos);

  b = apple("array-plist");
  plist_t array = plist_new_array();
  plist_array_append_item(array, plist_new_uint(kEcid));
  write(b / "MachineIdentifier", to_bin(array));
  EXPECT_NE(error(b).find("MachineIdentifier is a array property list, not a dictionary"),
            std::string::npos);

  b = apple("string-ecid");
  plist_t dict = plist_new_dict();
  plist_dict_set_item(dict, "ECID", plist_new_string("1234"));
  write(b / "MachineIdentifier", to_bin(dict));
  EXPECT_NE(error(b).find("MachineIdentifier has an ECID that is a string, not an integer"),
            std::string::npos);

  b = apple("no-ecid");
  dict = plist_new_dict();
  plist_dict_set_item(dict, "UniqueID", plist_new_uint(kEcid));
  write(b / "MachineIdentifier", to_bin(dict));
  EXPECT_NE(error(b).find("MachineIdentifier has no ECID key"), std::string::npos);

  b = apple("garbage-identifier");
  write(b / "MachineIdentifier", "not a property list at all");
  EXPECT_NE(error(b).find("MachineIdentifier is not a property list"), std::string::npos);

  b = apple("empty-identifier");
  write(b / "MachineIdentifier", "");
  EXPECT_NE(error(b).find("MachineIdentifier is empty"), std::string::npos);

  for (uint64_t size : {uint64_t{0}, uint64_t{0x4000}, uint64_t{0x4000 + 100}}) {
    b = apple("truncated-aux-" + std::to_string(size));
    fs::resize_file(b / "AuxiliaryStorage", size);
    EXPECT_NE(error(b).find("AuxiliaryStorage (aux storage) is truncated: " + std::to_string(size) +
                            " bytes"),
              std::string::npos);
  }

  b = tart("tart-bad-base64");
  write(b / "config.json", json({{"ecid", "@@@"}}).dump());
  EXPECT_NE(error(b).find("config.json: \"ecid\" is not valid base64"), std::string::npos);

  b = tart("tart-linux");
  write(b / "config.json", json({{"os", "linux"}, {"ecid", "x"}}).dump());
  EXPECT_NE(error(b).find("\"os\" is \"linux\", not a macOS VM"), std::string::npos);

  b = tart("tart-no-ecid");
  write(b / "config.json", json({{"os", "darwin"}}).dump());
  EXPECT_NE(error(b).find("config.json has no \"ecid\" key"), std::string::npos);

  b = tart("tart-truncated-nvram");
  fs::resize_file(b / "nvram.bin", 0x2000);
  EXPECT_NE(error(b).find("nvram.bin (aux storage) is truncated"), std::string::npos);

  b = tart("tart-bad-json");
  write(b / "config.json", "{\"ecid\": ");
  EXPECT_NE(error(b).find("config.json is not valid JSON"), std::string::npos);

  b = macosvm("macosvm-no-aux");
  write(b / "macosvm.json", json({{"machineId", base64(identifier(1))},
                                  {"storage", {{{"type", "disk"}, {"file", "disk.img"}}}}})
                                .dump());
  EXPECT_NE(error(b).find("no \"storage\" entry of type \"aux\""), std::string::npos);

  b = macosvm("macosvm-ecid-type");
  write(b / "macosvm.json", json({{"machineId", 5}}).dump());
  EXPECT_NE(error(b).find("\"machineId\" is a number, not a base64 string"), std::string::npos);

  b = macosvm("macosvm-identifier-type");
  write(b / "macosvm.json", json({{"machineId", base64(to_bin(plist_new_string("x")))}}).dump());
  EXPECT_NE(error(b).find("\"machineId\" is a string property list, not a dictionary"),
            std::string::npos);

  fs::create_directories(dir_ / "empty");
  EXPECT_NE(error(dir_ / "empty").find("not a VM bundle"), std::string::npos);
  EXPECT_NE(error(dir_ / "nonexistent").find("No such file or directory"), std::string::npos);
  EXPECT_NE(error(write(dir_ / "other.json", "{}")).find("neither \"machineId\""),
            std::string::npos);
}

TEST_F(BundleTest, RunBundleFillsTheMachineConfig) {
  fs::path b = tart();
  write(b / "AVPBooter.vmapple2.bin", std::string(4096, '\x1f'));
  RunFlags f;
  f.bundle = b.string();
  MachineConfig m = validate_run_flags(f).machine;
  EXPECT_EQ(m.ecid, kEcid);
  EXPECT_EQ(m.cpus, 6u);
  EXPECT_EQ(m.ram_size, 8ull << 30);
  EXPECT_EQ(m.firmware, (b / "AVPBooter.vmapple2.bin").string());
  ASSERT_EQ(m.disks.size(), 2u);
  EXPECT_EQ(m.disks[0].role, DiskConfig::Role::kAux);
  EXPECT_EQ(m.disks[0].path, (b / "nvram.bin").string());
  EXPECT_EQ(m.disks[0].header_offset, 0x4000u);
  EXPECT_EQ(m.disks[1].role, DiskConfig::Role::kRoot);
  EXPECT_EQ(m.disks[1].path, (b / "disk.img").string());
  EXPECT_EQ(m.disks[1].header_offset, 0u);
}

TEST_F(BundleTest, ExplicitFlagsOverrideTheBundle) {
  fs::path b = macosvm();
  fs::path fw = write(dir_ / "fw.bin", std::string(64, '\0'));
  fs::path aux = sized(dir_ / "trimmed-aux.img", 0x8000);
  fs::path extra = sized(dir_ / "extra.img", 0x8000);
  RunFlags f;
  f.bundle = b.string();
  f.firmware = fw.string();
  f.memory = "1G";
  f.cpus = "3";
  f.ecid = "0x99";
  f.aux_disk = aux.string() + ",header=0";
  f.disks = {extra.string()};
  MachineConfig m = validate_run_flags(f).machine;
  EXPECT_EQ(m.ecid, 0x99u);
  EXPECT_EQ(m.cpus, 3u);
  EXPECT_EQ(m.ram_size, 1ull << 30);
  EXPECT_EQ(m.firmware, fw.string());
  ASSERT_EQ(m.disks.size(), 3u);
  EXPECT_EQ(m.disks[0].role, DiskConfig::Role::kRoot);  // from the bundle, read-only there
  EXPECT_TRUE(m.disks[0].read_only);
  EXPECT_EQ(m.disks[1].role, DiskConfig::Role::kAux);
  EXPECT_EQ(m.disks[1].path, aux.string());
  EXPECT_EQ(m.disks[1].header_offset, 0u);
  EXPECT_EQ(m.disks[2].role, DiskConfig::Role::kData);
}

TEST_F(BundleTest, BackdoorDiskSpecs) {
  DiskConfig d = parse_backdoor_disk_spec("aux.img,header=16K,ro", DiskConfig::Role::kAux);
  EXPECT_EQ(d.path, "aux.img");
  EXPECT_EQ(d.header_offset, 0x4000u);
  EXPECT_TRUE(d.read_only);
  EXPECT_EQ(d.role, DiskConfig::Role::kAux);
  d = parse_backdoor_disk_spec("root.img", DiskConfig::Role::kRoot);
  EXPECT_EQ(d.header_offset, 0u);
  EXPECT_THROW(parse_backdoor_disk_spec("x.img,header=zz", DiskConfig::Role::kAux), ConfigError);
  EXPECT_THROW(parse_backdoor_disk_spec(",header=0", DiskConfig::Role::kAux), ConfigError);
}

TEST_F(BundleTest, BundleWithoutFirmwareOrWithBadValuesIsAnError) {
  fs::path b = apple();
  RunFlags f;
  f.bundle = b.string();
  try {
    validate_run_flags(f);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("nothing to boot: bundle '" + b.string() + "'", 0), 0u)
        << e.what();
  }
  fs::path t = tart("tart-many-cpus");
  write(t / "AVPBooter.vmapple2.bin", "x");
  json cfg = json::parse(std::ifstream(t / "config.json"));
  cfg["cpuCount"] = 64;
  write(t / "config.json", cfg.dump());
  f.bundle = t.string();
  try {
    validate_run_flags(f);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bundle '" + t.string() + "': CPU count: '64'", 0), 0u)
        << e.what();
  }
  f.cpus = "2";  // an explicit flag wins over the bad value
  EXPECT_EQ(validate_run_flags(f).machine.cpus, 2u);
}

}  // namespace
}  // namespace vmapple
