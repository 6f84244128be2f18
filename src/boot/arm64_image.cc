#include "boot/arm64_image.h"

#include <zlib.h>

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"

namespace vmapple::boot {
namespace {

uint64_t le64(std::span<const uint8_t> d, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i)
    v |= uint64_t{d[at + i]} << (8 * i);
  return v;
}

uint32_t le32(std::span<const uint8_t> d, size_t at) {
  return uint32_t{d[at]} | uint32_t{d[at + 1]} << 8 | uint32_t{d[at + 2]} << 16 |
         uint32_t{d[at + 3]} << 24;
}

}  // namespace

Arm64ImageHeader parse_arm64_image(std::span<const uint8_t> image) {
  if (image.size() < Arm64ImageHeader::kSize || le32(image, 0x38) != Arm64ImageHeader::kMagic)
    throw ConfigError("is not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38)");
  Arm64ImageHeader h;
  h.text_offset = le64(image, 8);
  h.image_size = le64(image, 16);
  h.flags = le64(image, 24);
  if (h.image_size == 0) {
    h.text_offset = Arm64ImageHeader::kLegacyTextOffset;
    h.flags = 0;
  }
  if (h.flags & Arm64ImageHeader::kFlagBigEndian)
    throw ConfigError("is a big-endian arm64 Image; the vmapple CPU is little-endian");
  // text_offset is an offset into a 2 MiB block; larger values are corrupt.
  if (h.text_offset >= (uint64_t{2} << 20) || (h.text_offset & 0xfff))
    throw ConfigError(fmt::format("is not a valid arm64 Image (text_offset {:#x})", h.text_offset));
  if (h.image_size > (uint64_t{1} << 40))
    throw ConfigError(fmt::format("is not a valid arm64 Image (image_size {:#x})", h.image_size));
  return h;
}

uint64_t image_footprint(const Arm64ImageHeader& header, uint64_t file_size) {
  return std::max(header.image_size, file_size);
}

bool is_gzip(std::span<const uint8_t> data) {
  return data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

std::vector<uint8_t> gunzip(std::span<const uint8_t> data, uint64_t max_size) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw ConfigError("cannot start zlib");
  std::vector<uint8_t> out;
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  int rc = Z_OK;
  while (rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0)) {
    if (out.size() >= max_size) {
      inflateEnd(&z);
      throw ConfigError(fmt::format("decompresses to more than {} bytes", max_size));
    }
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(max_size - out.size(), 16u << 20));
    size_t old = out.size();
    out.resize(old + chunk);
    z.next_out = out.data() + old;
    z.avail_out = static_cast<uInt>(chunk);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(old + chunk - z.avail_out);
  }
  std::string why = z.msg ? z.msg : (rc == Z_BUF_ERROR ? "truncated" : "error");
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw ConfigError(fmt::format("is a corrupt gzip file ({})", why));
  return out;
}

}  // namespace vmapple::boot
