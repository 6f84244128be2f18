#pragma once
// The vmapple configuration region (spec section 3): 64 KiB of guest RAM at
// 0x0040_0000 through which the VMM hands platform parameters to Apple's boot
// ROM. No registers: on every reset the region is zeroed and a fixed byte
// image, built once from the properties, is written at its start. Offsets are
// the "as laid out" column of the spec (serial at 0x500, after the 128-entry
// cpu_ids table).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hw/device.h"
#include "memory/guest_memory.h"

namespace vmapple {

struct VmappleCfgProperties {
  uint32_t nr_cpus = 1;
  uint64_t ecid = 0;
  uint64_t ram_size = 0;
  uint32_t run_installer1 = 0;
  uint32_t run_installer2 = 0;
  uint32_t rnd = 0;  // drawn by the machine once, when it is created
  std::array<uint8_t, 6> mac_en0{};
  std::array<uint8_t, 6> mac_en1{};
  std::array<uint8_t, 6> mac_wifi0{};
  std::array<uint8_t, 6> mac_bt0{};
  std::string serial = "1234";
  std::string model = "VM0001";
  std::string soc_name = "Apple M1 (Virtual)";
};

class VmappleCfg {
 public:
  static constexpr uint64_t kBase = 0x0040'0000;
  static constexpr uint64_t kSize = 0x1'0000;
  static constexpr uint32_t kVersion = 2;
  static constexpr uint32_t kMaxCpus = 128;
  static constexpr size_t kMaxStringLength = 31;  // char[32] with its NUL

  // Field offsets as laid out.
  static constexpr size_t kOffVersion = 0x000;
  static constexpr size_t kOffNrCpus = 0x004;
  static constexpr size_t kOffUnknown1 = 0x008;
  static constexpr size_t kOffUnknown2 = 0x00C;
  static constexpr size_t kOffUnknown3 = 0x010;
  static constexpr size_t kOffUnknown4 = 0x014;
  static constexpr size_t kOffEcid = 0x018;
  static constexpr size_t kOffRamSize = 0x020;
  static constexpr size_t kOffRunInstaller1 = 0x028;
  static constexpr size_t kOffUnknown5 = 0x02C;
  static constexpr size_t kOffUnknown6 = 0x030;
  static constexpr size_t kOffRunInstaller2 = 0x034;
  static constexpr size_t kOffRnd = 0x038;
  static constexpr size_t kOffUnknown7 = 0x03C;
  static constexpr size_t kOffMacEn0 = 0x040;
  static constexpr size_t kOffMacEn1 = 0x048;
  static constexpr size_t kOffMacWifi0 = 0x050;
  static constexpr size_t kOffMacBt0 = 0x058;
  static constexpr size_t kOffCpuIds = 0x100;  // kMaxCpus x u32
  static constexpr size_t kOffSerial = 0x500;
  static constexpr size_t kOffUnknown8 = 0x520;  // "D/A"
  static constexpr size_t kOffModel = 0x540;
  static constexpr size_t kOffUnknown10 = 0x580;
  static constexpr size_t kOffSocName = 0x584;
  static constexpr size_t kStringSize = 32;
  static constexpr size_t kImageSize = 0x5A8;  // including trailing padding

  // Throws ConfigError (one line, naming the property) for a string longer
  // than 31 characters or holding a NUL (checked in the order serial, model,
  // soc_name), or nr_cpus outside 1..128.
  explicit VmappleCfg(const VmappleCfgProperties& properties);

  std::span<const uint8_t> image() const { return image_; }

  // Zeroes [kBase, kBase + kSize) and writes the image at kBase. Returns false
  // (and writes nothing) if that range is not one RAM region of `memory`.
  bool reset(const GuestMemory& memory) const;

 private:
  std::vector<uint8_t> image_;
};

// The configuration region as a machine device: reset() rewrites it.
class VmappleCfgDevice final : public Device {
 public:
  // Throws ConfigError for bad properties or if `memory` has no RAM region
  // covering the whole configuration region.
  VmappleCfgDevice(const VmappleCfgProperties& properties, GuestMemory& memory);

  std::string_view name() const override { return "vmapple-cfg"; }
  void reset() override;
  const VmappleCfg& cfg() const { return cfg_; }

 private:
  const VmappleCfg cfg_;
  GuestMemory& memory_;
};

}  // namespace vmapple
