// Floating-point (scalar) data processing: conversions to/from integers and
// fixed point, FCVT between precisions, 1-, 2- and 3-source arithmetic,
// compares, FCCMP, FCSEL and FMOV (register/immediate).
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_fp_data_processing(HandlerTable&) {}

}  // namespace vmapple::arm64
