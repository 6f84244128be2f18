// Advanced SIMD copy: DUP (element, general), INS (element, general), UMOV, SMOV.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_copy(HandlerTable&) {}

}  // namespace vmapple::arm64
