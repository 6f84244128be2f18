#include "hw/vmapple/cfg.h"

#include <algorithm>
#include <stdexcept>

#include "base/bits.h"
#include "base/error.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("vmapple-cfg");

void check_string(std::string_view property, const std::string& value) {
  if (value.size() > VmappleCfg::kMaxStringLength)
    throw ConfigError(fmt::format("cfg: {}: value too long ({} characters, maximum {})", property,
                                  value.size(), VmappleCfg::kMaxStringLength));
  if (value.find('\0') != std::string::npos)
    throw ConfigError(fmt::format("cfg: {}: value contains a NUL character", property));
}

void validate(const VmappleCfgProperties& p) {
  check_string("serial", p.serial);
  check_string("model", p.model);
  check_string("soc_name", p.soc_name);
  if (p.nr_cpus < 1 || p.nr_cpus > VmappleCfg::kMaxCpus)
    throw ConfigError(
        fmt::format("cfg: nr_cpus: {} is out of range (1 to {})", p.nr_cpus, VmappleCfg::kMaxCpus));
}

// Writes fields at explicit offsets, little-endian, so the image does not
// depend on the host compiler's struct layout.
class ImageWriter {
 public:
  explicit ImageWriter(std::vector<uint8_t>& image) : image_(image) {}
  void u32(size_t offset, uint32_t v) { store_le<uint32_t>(at(offset, sizeof v), v); }
  void u64(size_t offset, uint64_t v) { store_le<uint64_t>(at(offset, sizeof v), v); }
  void bytes(size_t offset, std::span<const uint8_t> b) {
    std::copy(b.begin(), b.end(), at(offset, b.size()));
  }
  // NUL-terminated and NUL-padded to char[32]: the image starts zeroed and
  // validation keeps strings to 31 characters.
  void string(size_t offset, std::string_view s) {
    bytes(offset, std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }

 private:
  uint8_t* at(size_t offset, size_t len) {
    if (offset > image_.size() || len > image_.size() - offset)
      throw std::logic_error("cfg: field outside the image");
    return image_.data() + offset;
  }

  std::vector<uint8_t>& image_;
};

std::vector<uint8_t> build_image(const VmappleCfgProperties& p) {
  using C = VmappleCfg;
  std::vector<uint8_t> image(C::kImageSize, 0);
  ImageWriter w(image);
  w.u32(C::kOffVersion, C::kVersion);
  w.u32(C::kOffNrCpus, p.nr_cpus);
  w.u32(C::kOffUnknown1, 1);
  w.u32(C::kOffUnknown2, 1);
  w.u32(C::kOffUnknown3, 0x20);
  w.u32(C::kOffUnknown4, 0);
  w.u64(C::kOffEcid, p.ecid);
  w.u64(C::kOffRamSize, p.ram_size);
  w.u32(C::kOffRunInstaller1, p.run_installer1);
  w.u32(C::kOffUnknown5, 1);
  w.u32(C::kOffUnknown6, 1);
  w.u32(C::kOffRunInstaller2, p.run_installer2);
  w.u32(C::kOffRnd, p.rnd);
  w.u32(C::kOffUnknown7, 0);
  // MACs: 6 bytes in transmission order, then 2 zero bytes of padding.
  w.bytes(C::kOffMacEn0, p.mac_en0);
  w.bytes(C::kOffMacEn1, p.mac_en1);
  w.bytes(C::kOffMacWifi0, p.mac_wifi0);
  w.bytes(C::kOffMacBt0, p.mac_bt0);
  // The guest sees plain CPU indices, not MPIDRs (spec 3.2).
  for (uint32_t i = 0; i < p.nr_cpus; ++i)
    w.u32(C::kOffCpuIds + 4 * i, i);
  w.string(C::kOffSerial, p.serial);
  w.string(C::kOffUnknown8, "D/A");
  w.string(C::kOffModel, p.model);
  w.u32(C::kOffUnknown10, 1);
  w.string(C::kOffSocName, p.soc_name);
  return image;
}

}  // namespace

VmappleCfg::VmappleCfg(const VmappleCfgProperties& properties) {
  validate(properties);
  image_ = build_image(properties);
}

bool VmappleCfg::reset(const GuestMemory& memory) const {
  if (!memory.span_at(kBase, kSize)) return false;
  memory.zero(kBase, kSize);
  memory.write(kBase, image_);
  VMAPPLE_TRACE(kTrace, "region at {:#x} rewritten ({} bytes of configuration)", kBase,
                image_.size());
  return true;
}

VmappleCfgDevice::VmappleCfgDevice(const VmappleCfgProperties& properties, GuestMemory& memory)
    : cfg_(properties), memory_(memory) {
  if (!memory_.span_at(VmappleCfg::kBase, VmappleCfg::kSize))
    throw ConfigError(fmt::format("cfg: no guest RAM region covers {:#x}..{:#x}", VmappleCfg::kBase,
                                  VmappleCfg::kBase + VmappleCfg::kSize));
}

void VmappleCfgDevice::reset() {
  // Regions are never removed, so the check made at construction still holds.
  cfg_.reset(memory_);
}

}  // namespace vmapple
