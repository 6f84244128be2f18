// Advanced SIMD vector x indexed element, floating-point forms.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_by_element_fp(HandlerTable&) {}

}  // namespace vmapple::arm64
