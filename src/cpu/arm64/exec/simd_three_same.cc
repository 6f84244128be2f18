// Advanced SIMD three same (integer forms) and their scalar encodings.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_three_same(HandlerTable&) {}

}  // namespace vmapple::arm64
