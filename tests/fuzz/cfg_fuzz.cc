// Random configuration properties, long strings and NULs included: either
// ConfigError for a property that really is invalid, or an image whose
// invariants hold, and a reset that writes only inside the 64 KiB region.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/bits.h"
#include "base/error.h"
#include "fuzz/fuzz_input.h"
#include "hw/vmapple/cfg.h"

namespace vmapple {
namespace {

using fuzz::check;
using fuzz::Input;

constexpr uint64_t kGuard = 0x1000;
constexpr uint8_t kGuardByte = 0xA5;

// RAM around the region, built once: guards on both sides keep a pattern.
const GuestMemory& memory() {
  static GuestMemory* m = [] {
    auto* mem = new GuestMemory;
    mem->add_region("below", VmappleCfg::kBase - kGuard, kGuard);
    mem->add_region("cfg", VmappleCfg::kBase, VmappleCfg::kSize);
    mem->add_region("above", VmappleCfg::kBase + VmappleCfg::kSize, kGuard);
    std::vector<uint8_t> pattern(kGuard, kGuardByte);
    mem->write(VmappleCfg::kBase - kGuard, pattern);
    mem->write(VmappleCfg::kBase + VmappleCfg::kSize, pattern);
    return mem;
  }();
  return *m;
}

bool valid_string(const std::string& s) {
  return s.size() <= VmappleCfg::kMaxStringLength && s.find('\0') == std::string::npos;
}

void check_string(std::span<const uint8_t> image, size_t offset, const std::string& s) {
  check(std::memcmp(image.data() + offset, s.data(), s.size()) == 0);
  for (size_t i = s.size(); i < VmappleCfg::kStringSize; ++i)
    check(image[offset + i] == 0);
}

void check_image(std::span<const uint8_t> image, const VmappleCfgProperties& p) {
  check(image.size() == VmappleCfg::kImageSize);
  check(load_le<uint32_t>(&image[0]) == 2);
  check(load_le<uint32_t>(&image[4]) == p.nr_cpus);
  check(load_le<uint64_t>(&image[0x18]) == p.ecid);
  check(load_le<uint64_t>(&image[0x20]) == p.ram_size);
  check(load_le<uint32_t>(&image[0x38]) == p.rnd);
  check(std::memcmp(&image[0x50], p.mac_wifi0.data(), 6) == 0 && image[0x56] == 0);
  for (uint32_t i = 0; i < VmappleCfg::kMaxCpus; ++i)
    check(load_le<uint32_t>(&image[0x100 + 4 * i]) == (i < p.nr_cpus ? i : 0));
  check_string(image, 0x500, p.serial);
  check_string(image, 0x520, "D/A");
  check_string(image, 0x540, p.model);
  check_string(image, 0x584, p.soc_name);
}

void check_reset(const VmappleCfg& cfg, uint8_t scribble) {
  const GuestMemory& mem = memory();
  auto region = *mem.span_at(VmappleCfg::kBase, VmappleCfg::kSize);
  std::memset(region.data(), scribble, region.size());  // what the guest left
  check(cfg.reset(mem));
  auto image = cfg.image();
  check(std::memcmp(region.data(), image.data(), image.size()) == 0);
  static const std::vector<uint8_t> zeros(VmappleCfg::kSize, 0);
  check(std::memcmp(region.data() + image.size(), zeros.data(), region.size() - image.size()) == 0);
  static const std::vector<uint8_t> pattern(kGuard, kGuardByte);
  for (uint64_t gpa : {VmappleCfg::kBase - kGuard, VmappleCfg::kBase + VmappleCfg::kSize})
    check(std::memcmp(mem.span_at(gpa, kGuard)->data(), pattern.data(), kGuard) == 0);
}

}  // namespace
}  // namespace vmapple

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmapple;
  Input in(data, size);
  VmappleCfgProperties p;
  uint8_t selector = static_cast<uint8_t>(in.take(1));
  p.nr_cpus =
      (selector & 1) ? static_cast<uint32_t>(in.take(4)) : static_cast<uint32_t>(in.take(1));
  p.ecid = in.take(8);
  p.ram_size = in.take(8);
  p.run_installer1 = static_cast<uint32_t>(in.take(4));
  p.run_installer2 = static_cast<uint32_t>(in.take(4));
  p.rnd = static_cast<uint32_t>(in.take(4));
  for (auto* mac : {&p.mac_en0, &p.mac_en1, &p.mac_wifi0, &p.mac_bt0})
    for (auto& b : *mac)
      b = static_cast<uint8_t>(in.take(1));
  if (selector & 2) p.serial = in.string();
  if (selector & 4) p.model = in.string();
  if (selector & 8) p.soc_name = in.string();

  bool valid = valid_string(p.serial) && valid_string(p.model) && valid_string(p.soc_name) &&
               p.nr_cpus >= 1 && p.nr_cpus <= VmappleCfg::kMaxCpus;
  try {
    VmappleCfg cfg(p);
    check(valid);
    check_image(cfg.image(), p);
    check_reset(cfg, static_cast<uint8_t>(in.take(1)));
  } catch (const ConfigError& e) {
    check(!valid);
    check(std::strncmp(e.what(), "cfg: ", 5) == 0 && !std::strchr(e.what(), '\n'));
  }
  return 0;
}
