// Advanced SIMD across lanes and scalar pairwise (integer forms).
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_across_lanes(HandlerTable&) {}

}  // namespace vmapple::arm64
