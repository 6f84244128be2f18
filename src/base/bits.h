#pragma once
// Bit-field and little-endian helpers, named as the Arm ARM writes them.
#include <bit>
#include <cstdint>
#include <cstring>

namespace vmapple {

constexpr uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & (hi - lo == 63 ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}
constexpr bool bit(uint64_t v, unsigned n) {
  return (v >> n) & 1;
}
constexpr uint64_t mask(unsigned width) {
  return width >= 64 ? ~0ull : (1ull << width) - 1;
}

template <typename T>
T load_le(const void* p) {
  static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void store_le(void* p, T v) {
  static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
  std::memcpy(p, &v, sizeof v);
}

}  // namespace vmapple
