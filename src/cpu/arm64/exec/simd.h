#pragma once
// Lane access to the FP/SIMD registers for the Advanced SIMD handlers. A
// handler copies its source registers into VRegs, computes the result lanes
// in a local VReg and writes the destination last, so Vd may equal Vn/Vm.
#include <cstdint>
#include <cstring>

#include "cpu/arm64/core.h"
#include "cpu/arm64/fp/fp.h"

namespace vmapple::arm64 {

// One 128-bit register as little-endian lanes (lane 0 = the low bits).
struct VReg {
  uint8_t b[16] = {};

  template <class T>
  T get(unsigned i) const {
    T v;
    std::memcpy(&v, b + i * sizeof(T), sizeof(T));
    return v;
  }
  template <class T>
  void set(unsigned i, T v) {
    std::memcpy(b + i * sizeof(T), &v, sizeof(T));
  }
  // Lane i of `esize` bits (8, 16, 32 or 64), zero-extended.
  uint64_t elem(unsigned i, unsigned esize) const {
    uint64_t v = 0;
    std::memcpy(&v, b + i * (esize / 8), esize / 8);
    return v;
  }
  void set_elem(unsigned i, unsigned esize, uint64_t v) {
    std::memcpy(b + i * (esize / 8), &v, esize / 8);
  }
};

inline VReg vreg(const Core& c, unsigned n) {
  VReg r;
  std::memcpy(r.b, &c.v[n], 16);
  return r;
}

// Writes Vd; a 64-bit (Q = 0) or scalar result clears bits 127..64.
inline void set_vreg(Core& c, unsigned d, const VReg& r, bool q = true) {
  VReg w = r;
  if (!q) std::memset(w.b + 8, 0, 8);
  std::memcpy(&c.v[d], w.b, 16);
}

// Scalar element of `esize` bits in V[n]'s low lane; writing one clears the
// rest of the register (as every scalar FP/SISD result does).
inline uint64_t vscalar(const Core& c, unsigned n, unsigned esize) {
  return vreg(c, n).elem(0, esize);
}
inline void set_vscalar(Core& c, unsigned d, unsigned esize, uint64_t v) {
  VReg r;
  r.set_elem(0, esize, v);
  set_vreg(c, d, r);
}

// Saturation sets FPSR.QC.
inline void set_qc(Core& c) {
  c.fpsr |= fp::fpsr::kQc;
}

// Runs `body` under FPCR and accumulates the flags it raised into FPSR.
template <class Body>
void with_fp_env(Core& c, Body&& body) {
  fp::Env env(c.fpcr);
  body(env);
  c.fpsr |= env.flags;
}

}  // namespace vmapple::arm64
