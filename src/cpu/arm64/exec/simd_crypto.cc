// Cryptographic extension: AES, SHA1, SHA256 and PMULL/PMULL2.
// (Handlers are being written for the FP/SIMD issue; until then the group's
// encodings stay UNDEFINED.)
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {

void register_simd_crypto(HandlerTable&) {}

}  // namespace vmapple::arm64
