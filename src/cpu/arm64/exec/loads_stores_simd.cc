// Advanced SIMD load/store multiple and single structures (LD1-LD4, ST1-ST4,
// LD1R-LD4R), with and without post-index.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_loads_stores_simd(HandlerTable&) {}

}  // namespace vmapple::arm64
