#pragma once
// VM bundles: the directories (or JSON files) in which the tools built on
// Virtualization.framework keep a macOS VM, read into what `vmapple run`
// needs: the ECID, the aux storage, the root disk, and RAM and CPUs where the
// layout records them. docs/bundles.md describes every supported layout.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmapple {

// Virtualization.framework's aux storage starts with a metadata header the
// guest never sees (QEMU's documentation has users cut it off by hand).
inline constexpr uint64_t kAuxStorageHeaderSize = 0x4000;

struct Bundle {
  enum class Layout { kAppleSample, kTart, kMacosvm };
  Layout layout;
  uint64_t ecid = 0;
  std::string aux_path;  // with its kAuxStorageHeaderSize header
  std::string root_path;
  bool root_read_only = false;
  std::optional<uint64_t> ram_size;
  std::optional<uint64_t> cpus;
  std::string firmware;  // AVPBooter.vmapple2.bin found for it, or empty
};

std::string_view layout_name(Bundle::Layout layout);

// Reads a bundle directory or a macosvm/tart JSON file. Throws ConfigError
// with one line starting "bundle 'PATH': ".
Bundle read_bundle(const std::string& path);

// The ECID of a machine identifier (VZMacMachineIdentifier.dataRepresentation):
// a binary or XML property list whose root dictionary holds an integer
// "ECID". Throws ConfigError (no prefix) naming what is wrong.
uint64_t ecid_from_machine_identifier(std::span<const uint8_t> data);

// `vmapple ecid`: a bundle, a macosvm or tart JSON file, or a bare machine
// identifier file. Throws ConfigError with one line starting with the path.
uint64_t read_ecid(const std::string& path);

// Strict base64 (RFC 4648, padding optional); nullopt on any other character.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace vmapple
