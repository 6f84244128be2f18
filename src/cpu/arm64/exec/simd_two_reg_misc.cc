// Advanced SIMD two-register miscellaneous (integer forms), vector and scalar.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_two_reg_misc(HandlerTable&) {}

}  // namespace vmapple::arm64
