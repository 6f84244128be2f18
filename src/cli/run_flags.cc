#include "cli/run_flags.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "base/error.h"
#include "base/log.h"
#include "base/size.h"
#include "cli/bundle.h"
#include "hw/char/char_backend.h"
#include "hw/virtio/virtio_blk.h"
#include "machine/memory_map.h"

namespace vmapple {
namespace {

// Runs `check` and prefixes any ConfigError with the flag's name.
template <typename F>
auto for_flag(std::string_view flag, F&& check) {
  try {
    return check();
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: {}", flag, e.what()));
  }
}

// A file the VMM will read: it exists, is a regular file and can be opened.
uint64_t readable_file_size(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    throw ConfigError(fmt::format("'{}': {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) throw ConfigError(fmt::format("'{}' is not a regular file", path));
  std::ifstream probe(path, std::ios::binary);
  if (!probe)
    throw ConfigError(fmt::format("'{}': cannot be read: {}", path, std::strerror(errno)));
  return static_cast<uint64_t>(st.st_size);
}

uint64_t validate_memory(const std::string& text) {
  uint64_t size = parse_size(text);
  if (size < board::kMinRamSize)
    throw ConfigError(
        fmt::format("'{}' is too small (at least {})", text, format_size(board::kMinRamSize)));
  if (size % board::kRamAlignment)
    throw ConfigError(fmt::format("'{}' is not a multiple of 4 KiB", text));
  if (size > board::kMaxRamSize)
    throw ConfigError(fmt::format(
        "'{}' does not fit the memory map (RAM starts at {:#x} and must end below {}-bit "
        "physical addresses: at most {})",
        text, board::kRamBase, board::kPhysAddrBits, format_size(board::kMaxRamSize)));
  return size;
}

unsigned validate_cpus(const std::string& text) {
  uint64_t n = parse_u64(text);
  if (n < 1 || n > board::kMaxCpus)
    throw ConfigError(fmt::format("'{}' is out of range (1 to {})", text, board::kMaxCpus));
  return static_cast<unsigned>(n);
}

void validate_firmware(const std::string& path) {
  uint64_t size = readable_file_size(path);
  if (size == 0) throw ConfigError(fmt::format("'{}' is empty", path));
  if (size > board::kFirmware.size)
    throw ConfigError(fmt::format("'{}' is {}, larger than the {} firmware region", path,
                                  format_size(size), format_size(board::kFirmware.size)));
}

Accel validate_accel(const std::string& text) {
  if (text == "interp") return Accel::kInterp;
  if (text == "kvm") return Accel::kKvm;
  if (text == "hvf") return Accel::kHvf;
  throw ConfigError(fmt::format("'{}' is not an accelerator (use interp, kvm or hvf)", text));
}

PanicAction validate_on_panic(const std::string& text) {
  if (text == "exit") return PanicAction::kExit;
  if (text == "continue") return PanicAction::kContinue;
  throw ConfigError(fmt::format("'{}' is not a panic action (use exit or continue)", text));
}

}  // namespace

DiskConfig parse_disk_spec(const std::string& spec) {
  DiskConfig disk;
  size_t comma = spec.find(',');
  disk.path = spec.substr(0, comma);
  if (disk.path.empty()) throw ConfigError(fmt::format("'{}' names no image file", spec));
  while (comma != std::string::npos) {
    size_t next = spec.find(',', comma + 1);
    std::string opt = spec.substr(comma + 1, next == std::string::npos ? next : next - comma - 1);
    comma = next;
    if (opt == "ro") {
      disk.read_only = true;
    } else if (opt == "rw") {
      disk.read_only = false;
    } else if (opt.starts_with("engine=")) {
      disk.engine = opt.substr(7);
      if (disk.engine != "auto" && disk.engine != "io_uring" && disk.engine != "threads")
        throw ConfigError(fmt::format("'{}': engine must be auto, io_uring or threads", opt));
    } else if (opt == "apple" || opt.starts_with("apple=")) {
      // The Apple variant needs its variant (spec 6.1): the device's own
      // parser gives the spec's message for anything but root or aux.
      disk.apple = opt == "apple" ? "" : opt.substr(6);
      virtio::parse_apple_variant(disk.apple);
    } else {
      throw ConfigError(
          fmt::format("unknown disk option '{}' (use ro, rw, engine=... or apple=root|aux)", opt));
    }
  }
  return disk;
}

DiskConfig parse_backdoor_disk_spec(const std::string& spec, DiskConfig::Role role) {
  // Take ",header=SIZE" out, hand the rest to the common parser.
  std::string rest;
  uint64_t header = 0;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? comma : comma - start);
    if (start > 0 && part.starts_with("header=")) {
      header = parse_size(part.substr(7));
    } else {
      rest += (start > 0 ? "," : "") + part;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  DiskConfig disk = parse_disk_spec(rest);
  disk.role = role;
  disk.header_offset = header;
  return disk;
}

namespace {

// What the flags leave open, filled from the bundle: memory, CPUs, ECID,
// firmware, and the aux and root disks.
struct Defaults {
  std::string memory = "4G", cpus = "1", ecid = "0", firmware;
  std::vector<DiskConfig> disks;
};

Defaults bundle_defaults(const RunFlags& f) {
  Defaults d;
  if (f.bundle.empty()) return d;
  Bundle b = read_bundle(f.bundle);
  std::string label = fmt::format("bundle '{}'", f.bundle);
  if (b.ram_size) {
    d.memory = std::to_string(*b.ram_size);
    if (f.memory.empty()) for_flag(label + ": RAM size", [&] { validate_memory(d.memory); });
  }
  if (b.cpus) {
    d.cpus = std::to_string(*b.cpus);
    if (f.cpus.empty()) for_flag(label + ": CPU count", [&] { validate_cpus(d.cpus); });
  }
  d.ecid = std::to_string(b.ecid);
  d.firmware = b.firmware;
  DiskConfig aux{b.aux_path};
  aux.role = DiskConfig::Role::kAux;
  aux.header_offset = kAuxStorageHeaderSize;
  DiskConfig root{b.root_path, b.root_read_only};
  root.role = DiskConfig::Role::kRoot;
  d.disks = {aux, root};
  return d;
}

// The bundle's aux and root disks unless --aux-disk/--root-disk replace
// them, then the plain --disk images.
std::vector<DiskConfig> collect_disks(const RunFlags& f, const Defaults& d) {
  std::vector<DiskConfig> disks;
  for (const auto& disk : d.disks)
    if ((disk.role == DiskConfig::Role::kAux && f.aux_disk.empty()) ||
        (disk.role == DiskConfig::Role::kRoot && f.root_disk.empty()))
      disks.push_back(disk);
  if (!f.aux_disk.empty())
    disks.push_back(for_flag("--aux-disk", [&] {
      return parse_backdoor_disk_spec(f.aux_disk, DiskConfig::Role::kAux);
    }));
  if (!f.root_disk.empty())
    disks.push_back(for_flag("--root-disk", [&] {
      return parse_backdoor_disk_spec(f.root_disk, DiskConfig::Role::kRoot);
    }));
  for (const auto& spec : f.disks)
    disks.push_back(for_flag("--disk", [&] { return parse_disk_spec(spec); }));
  return disks;
}

}  // namespace

VmConfig validate_run_flags(const RunFlags& f) {
  VmConfig vm;
  MachineConfig& m = vm.machine;
  Defaults d = bundle_defaults(f);
  auto given = [](const std::string& flag, const std::string& fallback) {
    return flag.empty() ? fallback : flag;
  };
  m.ram_size = for_flag("--memory", [&] { return validate_memory(given(f.memory, d.memory)); });
  m.cpus = for_flag("--cpus", [&] { return validate_cpus(given(f.cpus, d.cpus)); });
  m.ecid = for_flag("--ecid", [&] { return parse_u64(given(f.ecid, d.ecid)); });
  if (!f.firmware.empty() && !f.kernel.empty())
    throw ConfigError("--firmware and --kernel cannot be used together (choose one way to boot)");
  std::string firmware = f.kernel.empty() ? given(f.firmware, d.firmware) : f.firmware;
  if (firmware.empty() && f.kernel.empty() && !f.bundle.empty())
    throw ConfigError(fmt::format(
        "nothing to boot: bundle '{}' has no AVPBooter.vmapple2.bin beside it; give --firmware "
        "FILE (Virtualization.framework's AVPBooter.vmapple2.bin)",
        f.bundle));
  if (firmware.empty() && f.kernel.empty() && !f.describe_only)
    throw ConfigError("nothing to boot: give --firmware FILE or --kernel FILE");
  if (f.kernel.empty() && !f.initrd.empty()) throw ConfigError("--initrd needs --kernel");
  if (f.kernel.empty() && !f.append.empty()) throw ConfigError("--append needs --kernel");
  if (!firmware.empty()) for_flag("--firmware", [&] { validate_firmware(firmware); });
  if (!f.kernel.empty()) for_flag("--kernel", [&] { readable_file_size(f.kernel); });
  if (!f.initrd.empty()) for_flag("--initrd", [&] { readable_file_size(f.initrd); });
  m.firmware = firmware;
  m.kernel = f.kernel;
  m.initrd = f.initrd;
  m.append = f.append;
  m.disks = collect_disks(f, d);
  for_flag("--serial", [&] { parse_serial_spec(f.serial); });
  m.serial = f.serial;
  if (!f.trace.empty()) for_flag("--trace", [&] { trace::configure(f.trace); });
  vm.on_panic = for_flag("--on-panic", [&] { return validate_on_panic(f.on_panic); });
  vm.accel = for_flag("--accel", [&] { return validate_accel(f.accel); });
  vm.stats = f.stats;
  vm.control_path = f.control;
  m.default_devices = !f.no_defaults;
  return vm;
}

}  // namespace vmapple
