// Advanced SIMD modified immediate: MOVI, MVNI, ORR, BIC, FMOV (vector, immediate).
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_modified_imm(HandlerTable&) {}

}  // namespace vmapple::arm64
