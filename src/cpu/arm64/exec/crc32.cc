// CRC32 and CRC32C (data processing, 2 source).
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_crc32(HandlerTable&) {}

}  // namespace vmapple::arm64
