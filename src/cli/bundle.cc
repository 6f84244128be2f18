#include "cli/bundle.h"

#include <plist/plist.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace vmapple {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kMaxDescriptionFile = 1 << 20;  // identifiers and JSON are tiny
constexpr uint64_t kSectorSize = 512;
constexpr const char* kFirmwareName = "AVPBooter.vmapple2.bin";
constexpr const char* kSystemFirmware =
    "/System/Library/Frameworks/Virtualization.framework/Resources/AVPBooter.vmapple2.bin";

// stat() of a file the bundle must have; `what` says what it is for.
uint64_t required_file_size(const fs::path& path, std::string_view what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    throw ConfigError(fmt::format("{} ({}) is missing: {}", path.filename().string(), what,
                                  std::strerror(errno)));
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
    throw ConfigError(fmt::format("{} ({}) is not a regular file", path.filename().string(), what));
  return static_cast<uint64_t>(st.st_size);
}

std::string read_small_file(const fs::path& path, std::string_view what) {
  uint64_t size = required_file_size(path, what);
  if (size > kMaxDescriptionFile)
    throw ConfigError(
        fmt::format("{} ({}) is {} bytes, too large", path.filename().string(), what, size));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(fmt::format("{} ({}) cannot be read: {}", path.filename().string(), what,
                                  std::strerror(errno)));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The aux storage must hold its header and whole sectors after it.
void check_aux_storage(const fs::path& path) {
  uint64_t size = required_file_size(path, "aux storage");
  if (size <= kAuxStorageHeaderSize || (size - kAuxStorageHeaderSize) % kSectorSize != 0)
    throw ConfigError(fmt::format(
        "{} (aux storage) is truncated: {} bytes, expected its {}-byte header and whole "
        "512-byte sectors after it",
        path.filename().string(), size, kAuxStorageHeaderSize));
}

std::string find_firmware(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir / kFirmwareName, ec)) return (dir / kFirmwareName).string();
  if (fs::is_regular_file(kSystemFirmware, ec)) return kSystemFirmware;
  return {};
}

const char* plist_type_name(plist_type type) {
  switch (type) {
    case PLIST_BOOLEAN:
      return "boolean";
    case PLIST_UINT:
      return "integer";
    case PLIST_REAL:
      return "real";
    case PLIST_STRING:
      return "string";
    case PLIST_ARRAY:
      return "array";
    case PLIST_DICT:
      return "dictionary";
    case PLIST_DATE:
      return "date";
    case PLIST_DATA:
      return "data";
    default:
      return "other";
  }
}

uint64_t ecid_from_named_identifier(std::string_view bytes, std::string_view name) {
  try {
    return ecid_from_machine_identifier(
        std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{} {}", name, e.what()));
  }
}

// A base64 JSON string holding a machine identifier (tart's "ecid",
// macosvm's "machineId").
uint64_t ecid_from_json(const json& doc, const char* key, std::string_view file) {
  auto it = doc.find(key);
  if (it == doc.end()) throw ConfigError(fmt::format("{} has no \"{}\" key", file, key));
  if (!it->is_string())
    throw ConfigError(
        fmt::format("{}: \"{}\" is a {}, not a base64 string", file, key, it->type_name()));
  auto bytes = decode_base64(it->get<std::string>());
  if (!bytes) throw ConfigError(fmt::format("{}: \"{}\" is not valid base64", file, key));
  return ecid_from_named_identifier(*bytes, fmt::format("{} \"{}\"", file, key));
}

json parse_json(const fs::path& path, std::string_view what) {
  std::string text = read_small_file(path, what);
  try {
    json doc = json::parse(text);
    if (!doc.is_object())
      throw ConfigError(
          fmt::format("{} is a JSON {}, not an object", path.filename().string(), doc.type_name()));
    return doc;
  } catch (const json::exception& e) {
    std::string why = e.what();
    for (char& c : why)
      if (c == '\n') c = ' ';
    throw ConfigError(fmt::format("{} is not valid JSON: {}", path.filename().string(), why));
  }
}

std::optional<uint64_t> json_count(const json& doc, const char* key, std::string_view file) {
  auto it = doc.find(key);
  if (it == doc.end()) return std::nullopt;
  if (!it->is_number_unsigned())
    throw ConfigError(fmt::format("{}: \"{}\" is not a positive integer", file, key));
  return it->get<uint64_t>();
}

fs::path beside(const fs::path& json_file, const std::string& name) {
  fs::path p(name);
  return p.is_absolute() ? p : json_file.parent_path() / p;
}

// Apple's sample code ("Running macOS in a virtual machine on Apple silicon").
Bundle apple_sample(const fs::path& dir) {
  Bundle b{Bundle::Layout::kAppleSample};
  b.ecid = ecid_from_named_identifier(
      read_small_file(dir / "MachineIdentifier", "machine identifier"), "MachineIdentifier");
  check_aux_storage(dir / "AuxiliaryStorage");
  b.aux_path = (dir / "AuxiliaryStorage").string();
  required_file_size(dir / "Disk.img", "root disk");
  b.root_path = (dir / "Disk.img").string();
  b.firmware = find_firmware(dir);
  return b;
}

// tart: ~/.tart/vms/NAME/{config.json, nvram.bin, disk.img}.
Bundle tart(const fs::path& config) {
  Bundle b{Bundle::Layout::kTart};
  const std::string file = config.filename().string();
  json doc = parse_json(config, "tart configuration");
  if (auto os = doc.find("os"); os != doc.end() && *os != "darwin")
    throw ConfigError(fmt::format("{}: \"os\" is {}, not a macOS VM", file, os->dump()));
  b.ecid = ecid_from_json(doc, "ecid", file);
  b.cpus = json_count(doc, "cpuCount", file);
  b.ram_size = json_count(doc, "memorySize", file);
  fs::path dir = config.parent_path();
  check_aux_storage(dir / "nvram.bin");
  b.aux_path = (dir / "nvram.bin").string();
  required_file_size(dir / "disk.img", "root disk");
  b.root_path = (dir / "disk.img").string();
  b.firmware = find_firmware(dir);
  return b;
}

// macosvm: one JSON file; relative image paths are taken from its directory.
Bundle macosvm(const fs::path& config) {
  Bundle b{Bundle::Layout::kMacosvm};
  const std::string file = config.filename().string();
  json doc = parse_json(config, "macosvm configuration");
  b.ecid = ecid_from_json(doc, "machineId", file);
  b.cpus = json_count(doc, "cpus", file);
  b.ram_size = json_count(doc, "ram", file);
  auto storage = doc.find("storage");
  if (storage == doc.end() || !storage->is_array())
    throw ConfigError(fmt::format("{} has no \"storage\" array", file));
  for (const auto& entry : *storage) {
    if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string() ||
        !entry.contains("file") || !entry["file"].is_string())
      throw ConfigError(
          fmt::format("{}: a \"storage\" entry lacks a \"type\" or \"file\" string", file));
    std::string type = entry["type"], path = beside(config, entry["file"]).string();
    if (type == "aux" && b.aux_path.empty()) {
      check_aux_storage(path);
      b.aux_path = path;
    } else if (type == "disk" && b.root_path.empty()) {
      required_file_size(path, "root disk");
      b.root_path = path;
      b.root_read_only = entry.value("readOnly", false);
    }
  }
  if (b.aux_path.empty())
    throw ConfigError(fmt::format("{} has no \"storage\" entry of type \"aux\"", file));
  if (b.root_path.empty())
    throw ConfigError(fmt::format("{} has no \"storage\" entry of type \"disk\"", file));
  b.firmware = find_firmware(config.parent_path());
  return b;
}

// A JSON file: macosvm's (machineId) or tart's (ecid).
Bundle json_bundle(const fs::path& path) {
  json doc = parse_json(path, "configuration");
  if (doc.contains("machineId")) return macosvm(path);
  if (doc.contains("ecid")) return tart(path);
  throw ConfigError(fmt::format("{} has neither \"machineId\" (macosvm) nor \"ecid\" (tart)",
                                path.filename().string()));
}

Bundle read_any(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ConfigError(std::strerror(ENOENT));
  if (!fs::is_directory(path, ec)) return json_bundle(path);
  if (fs::exists(path / "MachineIdentifier", ec)) return apple_sample(path);
  if (fs::exists(path / "config.json", ec)) return tart(path / "config.json");
  if (fs::exists(path / "macosvm.json", ec)) return macosvm(path / "macosvm.json");
  throw ConfigError(
      "not a VM bundle: no MachineIdentifier (Apple sample code), config.json (tart) or "
      "macosvm.json (macosvm)");
}

}  // namespace

std::string_view layout_name(Bundle::Layout layout) {
  switch (layout) {
    case Bundle::Layout::kAppleSample:
      return "Virtualization.framework sample bundle";
    case Bundle::Layout::kTart:
      return "tart VM";
    case Bundle::Layout::kMacosvm:
      return "macosvm configuration";
  }
  return "?";
}

uint64_t ecid_from_machine_identifier(std::span<const uint8_t> data) {
  if (data.empty()) throw ConfigError("is empty");
  if (data.size() > kMaxDescriptionFile) throw ConfigError("is too large for a property list");
  plist_t root = nullptr;
  plist_from_memory(reinterpret_cast<const char*>(data.data()), static_cast<uint32_t>(data.size()),
                    &root);
  if (!root) throw ConfigError("is not a property list");
  std::unique_ptr<void, void (*)(plist_t)> owner(root, plist_free);
  if (plist_get_node_type(root) != PLIST_DICT)
    throw ConfigError(fmt::format("is a {} property list, not a dictionary",
                                  plist_type_name(plist_get_node_type(root))));
  plist_t ecid = plist_dict_get_item(root, "ECID");
  if (!ecid) throw ConfigError("has no ECID key");
  if (plist_get_node_type(ecid) != PLIST_UINT)
    throw ConfigError(fmt::format("has an ECID that is a {}, not an integer",
                                  plist_type_name(plist_get_node_type(ecid))));
  uint64_t value = 0;
  plist_get_uint_val(ecid, &value);
  return value;
}

Bundle read_bundle(const std::string& path) {
  try {
    return read_any(path);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("bundle '{}': {}", path, e.what()));
  }
}

uint64_t read_ecid(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return read_bundle(path).ecid;
  try {
    if (!fs::exists(path, ec)) throw ConfigError(std::strerror(ENOENT));
    std::string bytes = read_small_file(path, "machine identifier or VM configuration");
    if (bytes.starts_with("bplist") || bytes.starts_with("<?xml") || bytes.starts_with("<plist"))
      return ecid_from_named_identifier(bytes, "machine identifier");
    return json_bundle(path).ecid;
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("'{}': {}", path, e.what()));
  }
}

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>(bits >> 16);
      out += static_cast<char>(bits >> 8);
      out += static_cast<char>(bits);
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) out += static_cast<char>(bits >> 4);
  if (count == 3) {
    out += static_cast<char>(bits >> 10);
    out += static_cast<char>(bits >> 2);
  }
  return out;
}

}  // namespace vmapple
