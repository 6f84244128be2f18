#pragma once
// Helpers shared by the fuzz targets: reading operands from the fuzzer's
// bytes (zeros once they run out) and checking device invariants.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/log.h"
#include "memory/address_space.h"

namespace vmapple::fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  bool empty() const { return n_ == 0; }
  uint8_t u8() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
  uint32_t u32() { return u16() | uint32_t{u16()} << 16; }
  // `bytes` (0..8) little-endian bytes.
  uint64_t take(unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && i < 8; ++i)
      v |= uint64_t{u8()} << (8 * i);
    return v;
  }
  // A string of up to max_length - 1 bytes, its length read first.
  std::string string(size_t max_length = 40) {
    size_t len = u8() % max_length;
    std::string s;
    for (size_t i = 0; i < len && !empty(); ++i)
      s += static_cast<char>(u8());
    return s;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

// Drops trace output: a fuzzer provokes guest errors by the million.
inline void silence_traces() {
  static const bool once = (trace::set_sink([](std::string_view, std::string_view) {}), true);
  (void)once;
}

// Aborts (a finding) when an invariant does not hold.
inline void check(bool ok, const char* what = "invariant") {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// The guest's view of a device mapped at `base` in `space`: op 0 reads and
// op 1 writes through the bus (its size and alignment rules apply), op 2
// calls the handler directly with any offset and size, as no bus would.
inline void mmio_op(Input& in, unsigned op, AddressSpace& space, MmioHandler& device,
                    uint64_t base) {
  uint64_t value = 0;
  uint64_t offset = in.u16();
  unsigned size = in.u8();
  switch (op) {
    case 0:
      space.read(base + offset, 1u << (size & 3), &value);
      break;
    case 1:
      space.write(base + offset, 1u << (size & 3), in.u32());
      break;
    default:
      if (in.u8() & 1)
        device.write(offset, size, in.u32());
      else
        device.read(offset, size);
  }
}

}  // namespace vmapple::fuzz
