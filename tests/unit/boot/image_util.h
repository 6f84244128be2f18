#pragma once
// Synthetic arm64 Images for the boot tests (no zlib: the system tests use
// it too).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace vmapple::boot::testing {

inline void put_le(std::vector<uint8_t>& b, size_t at, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A plain Image of `file_size` bytes whose header says text_offset,
// image_size and flags (booting.rst layout); the body is a byte pattern.
inline std::vector<uint8_t> make_image(size_t file_size, uint64_t text_offset, uint64_t image_size,
                                       uint64_t flags = 0xa /* 4K pages, anywhere */) {
  std::vector<uint8_t> b(file_size);
  for (size_t i = 64; i < file_size; ++i)
    b[i] = static_cast<uint8_t>(i * 7 + 1);
  put_le(b, 0, 0x91005a4d, 4);  // code0 as Linux writes it ("MZ" + add x13)
  put_le(b, 8, text_offset, 8);
  put_le(b, 16, image_size, 8);
  put_le(b, 24, flags, 8);
  put_le(b, 0x38, 0x644d5241, 4);
  return b;
}

inline void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& data) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

}  // namespace vmapple::boot::testing
