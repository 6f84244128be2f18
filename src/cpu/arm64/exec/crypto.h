#pragma once
// The arithmetic of the cryptographic extension (AES, SHA1, SHA256, PMULL)
// and of CRC32/CRC32C on register values, in two implementations: portable
// C++ and host instructions (x86-64: AES-NI, PCLMULQDQ, SHA-NI, SSE4.2;
// arm64: the crypto and CRC extensions). The handlers (simd_crypto.cc,
// crc32.cc) use active(), chosen once from the host's features; the unit
// test runs both on the same inputs.
//
// A 128-bit value is the register as the Arm ARM sees it: lane 0 (bits
// 31:0 of a .4S view, byte 0 of a .16B view) in the low bits.
#include <cstdint>

namespace vmapple::arm64::crypto {

using u128 = unsigned __int128;

struct Ops {
  // AESE/AESD: (Inv)SubBytes((Inv)ShiftRows(state ^ key)).
  u128 (*aese)(u128 state, u128 key);
  u128 (*aesd)(u128 state, u128 key);
  u128 (*aesmc)(u128 state);   // MixColumns
  u128 (*aesimc)(u128 state);  // InvMixColumns
  // SHA1C/SHA1P/SHA1M: four rounds on hash abcd (x), e (y) and wk (w).
  u128 (*sha1c)(u128 x, uint32_t y, u128 w);
  u128 (*sha1p)(u128 x, uint32_t y, u128 w);
  u128 (*sha1m)(u128 x, uint32_t y, u128 w);
  // SHA256H (part 1: x = abcd, y = efgh, result abcd) and SHA256H2
  // (x = abcd, y = efgh, result efgh): four rounds with wk (w).
  u128 (*sha256h)(u128 x, u128 y, u128 w);
  u128 (*sha256h2)(u128 x, u128 y, u128 w);
  u128 (*sha256su0)(u128 d, u128 n);
  u128 (*sha256su1)(u128 d, u128 n, u128 m);
  u128 (*pmull64)(uint64_t a, uint64_t b);  // carry-less 64 x 64 -> 128
  // CRC32 (polynomial 0x04C11DB7) and CRC32C (0x1EDC6F41), bit-reflected,
  // no inversion, of the low `bytes` (1, 2, 4, 8) bytes of `value`.
  uint32_t (*crc32)(uint32_t acc, uint64_t value, unsigned bytes);
  uint32_t (*crc32c)(uint32_t acc, uint64_t value, unsigned bytes);
  const char* name;
};

// The portable implementation (every function).
const Ops& portable();
// Host instructions where the host has them, portable entries elsewhere;
// nullptr when the host has none of them.
const Ops* host();
// What the handlers use: host() if present, else portable(). Chosen once;
// the environment variable VMAPPLE_CRYPTO_PORTABLE forces portable().
const Ops& active();

// Pieces without a host instruction worth calling (the same on every path).
u128 sha1su0(u128 d, u128 n, u128 m);
u128 sha1su1(u128 d, u128 n);
// PMULL with 8-bit lanes: eight 8 x 8 -> 16 carry-less products of the
// bytes of a and b.
u128 pmull8(uint64_t a, uint64_t b);

}  // namespace vmapple::arm64::crypto
