// Advanced SIMD shift by immediate: fixed-point conversions (SCVTF, UCVTF,
// FCVTZS, FCVTZU with fbits), vector and scalar.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_shift_imm_fp(HandlerTable&) {}

}  // namespace vmapple::arm64
