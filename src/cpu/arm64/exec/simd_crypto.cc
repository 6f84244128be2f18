// Cryptographic extension (FEAT_AES with FEAT_PMULL, FEAT_SHA1, FEAT_SHA256):
// AESE/AESD/AESMC/AESIMC, SHA1C/P/M/H/SU0/SU1, SHA256H/H2/SU0/SU1 and
// PMULL/PMULL2 (8-bit and 64-bit lanes, from the three-different group).
// The arithmetic is crypto::active() (crypto.h): host instructions where
// the host has them, portable C++ otherwise.
#include <bit>

#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/exec/crypto.h"
#include "cpu/arm64/exec/simd.h"
#include "cpu/arm64/handlers.h"

namespace vmapple::arm64 {
namespace {

using crypto::u128;

unsigned rd(uint32_t insn) {
  return insn & 31;
}
unsigned rn(uint32_t insn) {
  return insn >> 5 & 31;
}
unsigned rm(uint32_t insn) {
  return insn >> 16 & 31;
}

// Vd = f(Vd, Vn): AESE, AESD.
template <u128 (*crypto::Ops::*F)(u128, u128)>
void aes_round(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = (crypto::active().*F)(c.v[rd(insn)], c.v[rn(insn)]);
}

// Vd = f(Vn): AESMC, AESIMC.
template <u128 (*crypto::Ops::*F)(u128)>
void aes_mix(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = (crypto::active().*F)(c.v[rn(insn)]);
}

// SHA1C/SHA1P/SHA1M Qd, Sn, Vm.4S.
template <u128 (*crypto::Ops::*F)(u128, uint32_t, u128)>
void sha1_hash(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] =
      (crypto::active().*F)(c.v[rd(insn)], static_cast<uint32_t>(c.v[rn(insn)]), c.v[rm(insn)]);
}

// SHA1H Sd, Sn: ROL(Sn, 30); the rest of Vd is cleared.
void sha1h(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = std::rotl(static_cast<uint32_t>(c.v[rn(insn)]), 30);
}

void sha1su0(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = crypto::sha1su0(c.v[rd(insn)], c.v[rn(insn)], c.v[rm(insn)]);
}

void sha1su1(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = crypto::sha1su1(c.v[rd(insn)], c.v[rn(insn)]);
}

// SHA256H Qd(abcd), Qn(efgh), Vm.4S; SHA256H2 Qd(efgh), Qn(abcd), Vm.4S.
void sha256h(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = crypto::active().sha256h(c.v[rd(insn)], c.v[rn(insn)], c.v[rm(insn)]);
}
void sha256h2(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = crypto::active().sha256h2(c.v[rn(insn)], c.v[rd(insn)], c.v[rm(insn)]);
}
void sha256su0(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = crypto::active().sha256su0(c.v[rd(insn)], c.v[rn(insn)]);
}
void sha256su1(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  c.v[rd(insn)] = crypto::active().sha256su1(c.v[rd(insn)], c.v[rn(insn)], c.v[rm(insn)]);
}

// PMULL{2} Vd.8H, Vn.{8,16}B, Vm.{8,16}B (size 00) and Vd.1Q, Vn.{1,2}D,
// Vm.{1,2}D (size 11); PMULL2 (Q = 1) takes the upper halves. Sizes 01/10
// are unallocated in the decoder (checked again for a direct call).
void pmull(Core& c, uint32_t insn) {
  c.check_fp_enabled();
  const unsigned half = bit(insn, 30) ? 64 : 0, size = bits(insn, 23, 22);
  const auto a = static_cast<uint64_t>(c.v[rn(insn)] >> half);
  const auto b = static_cast<uint64_t>(c.v[rm(insn)] >> half);
  if (size == 0)
    c.v[rd(insn)] = crypto::pmull8(a, b);
  else if (size == 3)
    c.v[rd(insn)] = crypto::active().pmull64(a, b);
  else
    c.undefined();
}

}  // namespace

void register_simd_crypto(HandlerTable& t) {
  t[Op::AESE] = &aes_round<&crypto::Ops::aese>;
  t[Op::AESD] = &aes_round<&crypto::Ops::aesd>;
  t[Op::AESMC] = &aes_mix<&crypto::Ops::aesmc>;
  t[Op::AESIMC] = &aes_mix<&crypto::Ops::aesimc>;
  t[Op::SHA1C] = &sha1_hash<&crypto::Ops::sha1c>;
  t[Op::SHA1P] = &sha1_hash<&crypto::Ops::sha1p>;
  t[Op::SHA1M] = &sha1_hash<&crypto::Ops::sha1m>;
  t[Op::SHA1H] = &sha1h;
  t[Op::SHA1SU0] = &sha1su0;
  t[Op::SHA1SU1] = &sha1su1;
  t[Op::SHA256H] = &sha256h;
  t[Op::SHA256H2] = &sha256h2;
  t[Op::SHA256SU0] = &sha256su0;
  t[Op::SHA256SU1] = &sha256su1;
  t[Op::PMULL] = &pmull;
}

}  // namespace vmapple::arm64
