#pragma once
// The arm64 Linux Image format (Documentation/arch/arm64/booting.rst): a
// 64-byte header at the start of the decompressed kernel, and gzip, the
// compression distributions use for vmlinuz.
#include <cstdint>
#include <span>
#include <vector>

namespace vmapple::boot {

struct Arm64ImageHeader {
  static constexpr uint32_t kMagic = 0x644d5241;  // "ARM\x64" at offset 0x38
  static constexpr size_t kSize = 64;
  static constexpr uint64_t kFlagBigEndian = 1;
  static constexpr uint64_t kFlagPlaceAnywhere = 1 << 3;
  // Kernels before 3.17 leave image_size 0 and expect this text_offset.
  static constexpr uint64_t kLegacyTextOffset = 0x80000;

  uint64_t text_offset = 0;  // from a 2 MiB aligned base
  uint64_t image_size = 0;   // bytes from the load address the kernel uses, BSS included
  uint64_t flags = 0;
};

// Checks the header of an uncompressed Image. Throws ConfigError whose
// message is a phrase about the file ("is not an arm64 Image (...)").
Arm64ImageHeader parse_arm64_image(std::span<const uint8_t> image);

// The bytes a kernel occupies from its load address: the header's
// image_size, or the file itself when that is larger or unknown.
uint64_t image_footprint(const Arm64ImageHeader& header, uint64_t file_size);

bool is_gzip(std::span<const uint8_t> data);
// Inflates a gzip stream; throws ConfigError ("is a corrupt gzip file (...)",
// "decompresses to more than N bytes") so a hostile file cannot make the
// VMM allocate without bound.
std::vector<uint8_t> gunzip(std::span<const uint8_t> data, uint64_t max_size);

}  // namespace vmapple::boot
