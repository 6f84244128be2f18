#pragma once
// Helpers shared by the FP/SIMD tests: random register contents for the
// differential generators (diff_groups.h) and a bare Core that runs one
// instruction and reports the exception it took.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <span>

#include "cpu/arm64/core.h"
#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/handlers.h"
#include "unit/cpu/diff_groups.h"

namespace vmapple::arm64::test::diff {

using u128 = unsigned __int128;

inline uint64_t lane_mask(unsigned esize) {
  return esize == 64 ? ~0ull : (1ull << esize) - 1;
}

// A register of 128 / esize lanes, each drawn by lane(r, esize).
template <class Lane>
u128 vector_of(Rng& r, unsigned esize, Lane lane) {
  u128 v = 0;
  for (unsigned i = 0; i < 128 / esize; ++i)
    v |= u128{lane(r, esize) & lane_mask(esize)} << (esize * i);
  return v;
}

// A random FPCR (every mode that matters) and FPSR (QC and the cumulative
// flags must stay sticky).
inline void fp_state(Rng& r, Case& c) {
  c.in.fpcr = r.fpcr();
  c.in.fpsr = r.fpsr();
}

// A bare Core at EL1, FP/SIMD enabled unless `fp_enabled` is false (then
// CPACR_EL1.FPEN traps every FP/SIMD instruction with EC 0x07).
inline void init_core(Core& c, bool fp_enabled = true) {
  c.el = 1;
  c.sys.cpacr = fp_enabled ? 3u << 20 : 0;
  c.pc = 0x1000;
  c.next_pc = c.pc + 4;
}

// Runs `insn` on `c`; returns the exception class taken, or -1 if the
// instruction completed.
inline int execute(Core& c, uint32_t insn) {
  int ec = -1;
  c.exception_hook = [&](Core&, uint32_t cls, uint32_t) {
    ec = static_cast<int>(cls);
    return true;
  };
  try {
    HandlerTable::instance()[decode(insn)](c, insn);
  } catch (const ExceptionTaken&) {
  }
  return ec;
}

// The exception class `insn` takes on a fresh Core (0x00: UNDEFINED, 0x07:
// FP access trap), or -1.
inline int exception_of(uint32_t insn, bool fp_enabled = true) {
  Core c;
  init_core(c, fp_enabled);
  return execute(c, insn);
}

// An encoding to probe, and what it is (for the failure message).
struct Probe {
  uint32_t insn;
  const char* what;
};

// Every probe takes exception class `ec` (0x00: UNDEFINED), or none for -1.
inline void expect_exception_of(std::span<const Probe> probes, int ec) {
  for (const Probe& p : probes)
    EXPECT_EQ(exception_of(p.insn), ec) << p.what << fmt::format(" ({:#010x})", p.insn);
}

}  // namespace vmapple::arm64::test::diff
