// Advanced SIMD permute (ZIP/UZP/TRN), extract (EXT) and table lookup (TBL/TBX).
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_permute(HandlerTable&) {}

}  // namespace vmapple::arm64
