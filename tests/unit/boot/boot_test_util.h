#pragma once
// Synthetic arm64 Images and gzip streams for the boot unit tests.
#include <zlib.h>

#include <stdexcept>

#include "unit/boot/image_util.h"

namespace vmapple::boot::testing {

inline std::vector<uint8_t> gzip(const std::vector<uint8_t>& data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::vector<uint8_t> out(deflateBound(&z, data.size()));
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace vmapple::boot::testing
