// Advanced SIMD three different: widening, narrowing and long forms.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_three_different(HandlerTable&) {}

}  // namespace vmapple::arm64
