#pragma once
// `--serial none`: output is discarded, there is no input.
#include "hw/char/char_backend.h"

namespace vmapple {

class NullBackend final : public CharBackend {
 public:
  void write(std::span<const uint8_t> /*bytes*/) override {}
};

}  // namespace vmapple
