// CRC32B/H/W/X and CRC32CB/H/W/X (FEAT_CRC32, data processing 2 source):
// Wd = CRC of the low 8 << sz bits of Rm into the accumulator Wn, bit
// reflected and without inversion. The arithmetic is crypto::active()
// (SSE4.2 CRC32 or the arm64 CRC instructions where present, tables
// otherwise).
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/crypto.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

// Bytes is 1 << sz (bits 11:10); X forms have sf = 1 (the decoder pairs
// them).
template <unsigned Bytes, bool Castagnoli>
void crc32(Core& c, uint32_t insn) {
  const uint32_t acc = c.wreg(insn >> 5 & 31);
  const uint64_t value = c.xreg(insn >> 16 & 31);
  const crypto::Ops& ops = crypto::active();
  c.set_wreg(insn & 31, Castagnoli ? ops.crc32c(acc, value, Bytes) : ops.crc32(acc, value, Bytes));
}

}  // namespace

void register_crc32(HandlerTable& t) {
  t[Op::CRC32B] = &crc32<1, false>;
  t[Op::CRC32H] = &crc32<2, false>;
  t[Op::CRC32W] = &crc32<4, false>;
  t[Op::CRC32X] = &crc32<8, false>;
  t[Op::CRC32CB] = &crc32<1, true>;
  t[Op::CRC32CH] = &crc32<2, true>;
  t[Op::CRC32CW] = &crc32<4, true>;
  t[Op::CRC32CX] = &crc32<8, true>;
}

}  // namespace vmapple::arm64
