// Advanced SIMD structure loads/stores through the MMU (loads_stores_simd.cc):
// a fault leaves every register and the base unchanged, page-crossing
// blocks, SCTLR_EL1.A element alignment, stores to code pages reaching
// CodeWatch, and the reserved encodings. The instruction semantics as such
// are covered against qemu by diff_simd_ldst_test.
#include <cstring>

#include "unit/cpu/mmu_fixture.h"

namespace vmapple::arm64::test {
namespace {

using u128 = unsigned __int128;

class SimdLdstTest : public MmuFixture {
 protected:
  static constexpr uint64_t kData = kRam + 0x10'0000;
  static constexpr uint64_t kVa = kKernelVa + 0x10'0000;  // two mapped pages, then a hole

  SimdLdstTest() {
    for (uint64_t i = 0; i < 2; ++i)
      pt_.map(root1_, kVa + i * 4096, kData + i * 4096, kKernelData);
    for (unsigned i = 0; i < 2 * 4096; ++i)
      mem()[i] = static_cast<uint8_t>(i * 13 + 7);
    core_.pc = kKernelVa + 0x80'0000;
    for (unsigned r = 0; r < 32; ++r)
      core_.v[r] = static_cast<u128>(0x1111111111111111ull * (r % 15 + 1)) << 64 | (r + 0x100);
  }

  uint8_t* mem() { return ram_.span_at(kData, 2 * 4096)->data(); }

  u128 bytes_at(unsigned offset) {
    u128 v;
    std::memcpy(&v, mem() + offset, 16);
    return v;
  }
};

// Encodings (GNU as).
constexpr uint32_t ld4_16b(unsigned t, unsigned n) {  // LD4 {Vt.16B-Vt+3.16B}, [Xn]
  return 0x4c400000u | n << 5 | t;
}
constexpr uint32_t ld1_4x16b_post(unsigned t, unsigned n) {  // LD1 {..4 regs}, [Xn], #64
  return 0x4cdf2000u | n << 5 | t;
}
constexpr uint32_t st1_4x16b_post(unsigned t, unsigned n) {  // ST1 {..4 regs}, [Xn], #64
  return 0x4c9f2000u | n << 5 | t;
}
constexpr uint32_t ld1_4s(unsigned t, unsigned n) {  // LD1 {Vt.4S}, [Xn]
  return 0x4c407800u | n << 5 | t;
}
constexpr uint32_t ld4r_2d_post_reg(unsigned t, unsigned n, unsigned m) {  // LD4R .2D, [Xn], Xm
  return 0x4de0ec00u | m << 16 | n << 5 | t;
}
constexpr uint32_t ld3_lane_d_post(unsigned t, unsigned n) {  // LD3 {..}.D[1], [Xn], #24
  return 0x4ddfa400u | n << 5 | t;
}

TEST_F(SimdLdstTest, LoadCrossingIntoAnUnmappedPageChangesNothing) {
  // LD4 of 64 bytes starting 16 bytes before the hole, register list
  // wrapping V30, V31, V0, V1; and LD1 with post-index.
  const uint64_t base = kVa + 2 * 4096 - 16;
  Core before = core_;
  for (uint32_t insn : {ld4_16b(30, 3), ld1_4x16b_post(30, 3), ld4r_2d_post_reg(31, 3, 4)}) {
    core_.x[3] = base;
    core_.x[4] = 0x40;
    before = core_;
    const uint64_t esr = exec_fault(insn);
    EXPECT_EQ(esr >> 26, ec::kDataAbortSame) << std::hex << insn;
    EXPECT_EQ(core_.sys.far, kVa + 2 * 4096) << std::hex << insn;
    for (unsigned r = 0; r < 32; ++r)
      EXPECT_TRUE(core_.v[r] == before.v[r]) << "V" << r << " " << std::hex << insn;
    for (unsigned r = 0; r < 31; ++r)
      EXPECT_EQ(core_.x[r], before.x[r]) << "X" << r << " " << std::hex << insn;
    EXPECT_EQ(core_.sp, before.sp);
  }
}

TEST_F(SimdLdstTest, StoreFaultKeepsTheBase) {
  core_.x[5] = kVa + 2 * 4096 - 32;
  EXPECT_EQ(exec_fault(st1_4x16b_post(0, 5)) >> 26, ec::kDataAbortSame);
  EXPECT_EQ(core_.x[5], kVa + 2 * 4096 - 32);
}

TEST_F(SimdLdstTest, BlocksAcrossAPageBoundary) {
  // 64 bytes from 24 bytes before the second page: both spans mapped.
  core_.x[3] = kVa + 4096 - 24;
  exec(ld1_4x16b_post(30, 3));
  EXPECT_EQ(core_.x[3], kVa + 4096 - 24 + 64);
  for (unsigned r = 0; r < 4; ++r)
    EXPECT_TRUE(core_.v[(30 + r) % 32] == bytes_at(4096 - 24 + 16 * r)) << r;

  // Store them back 8 bytes further on and read memory.
  core_.x[3] = kVa + 4096 - 16;
  exec(st1_4x16b_post(30, 3));
  for (unsigned r = 0; r < 4; ++r)
    EXPECT_TRUE(bytes_at(4096 - 16 + 16 * r) == core_.v[(30 + r) % 32]) << r;

  // The first load found a cold TLB (element by element); now both pages
  // hit: two host copies. Same result.
  core_.x[3] = kVa + 4096 - 24;
  for (unsigned r = 0; r < 4; ++r)
    core_.v[(30 + r) % 32] = 0;
  const uint64_t walks = mmu().walks();
  exec(ld1_4x16b_post(30, 3));
  EXPECT_EQ(mmu().walks(), walks);
  for (unsigned r = 0; r < 4; ++r)
    EXPECT_TRUE(core_.v[(30 + r) % 32] == bytes_at(4096 - 24 + 16 * r)) << r;
}

TEST_F(SimdLdstTest, InterleavedLoadsAndLanes) {
  // LD4 de-interleaves: V[t+s].B[e] = mem[4e + s].
  core_.x[3] = kVa + 100;
  exec(ld4_16b(30, 3));
  for (unsigned s = 0; s < 4; ++s)
    for (unsigned e = 0; e < 16; ++e)
      EXPECT_EQ(static_cast<uint8_t>(core_.v[(30 + s) % 32] >> (8 * e)), mem()[100 + 4 * e + s]);

  // LD3 single structure into D[1] of V31, V0, V1; D[0] is kept.
  const Core before = core_;
  core_.x[3] = kVa + 8;
  exec(ld3_lane_d_post(31, 3));
  EXPECT_EQ(core_.x[3], kVa + 8 + 24);
  for (unsigned s = 0; s < 3; ++s) {
    const unsigned r = (31 + s) % 32;
    uint64_t want;
    std::memcpy(&want, mem() + 8 + 8 * s, 8);
    EXPECT_EQ(static_cast<uint64_t>(core_.v[r] >> 64), want) << s;
    EXPECT_EQ(static_cast<uint64_t>(core_.v[r]), static_cast<uint64_t>(before.v[r])) << s;
  }

  // LD4R .2D post-indexed by X4.
  core_.x[3] = kVa + 0x200;
  core_.x[4] = 0x1234;
  exec(ld4r_2d_post_reg(2, 3, 4));
  EXPECT_EQ(core_.x[3], kVa + 0x200 + 0x1234);
  for (unsigned s = 0; s < 4; ++s) {
    uint64_t want;
    std::memcpy(&want, mem() + 0x200 + 8 * s, 8);
    EXPECT_TRUE(core_.v[2 + s] == (static_cast<u128>(want) << 64 | want)) << s;
  }
}

TEST_F(SimdLdstTest, StrictAlignmentChecksTheElementSize) {
  core_.sys.sctlr |= sctlr::kA;
  regs_changed();
  core_.x[3] = kVa + 4;  // 4-aligned: fine for .4S
  exec(ld1_4s(0, 3));
  EXPECT_TRUE(core_.v[0] == bytes_at(4));
  core_.x[3] = kVa + 2;
  const u128 v0 = core_.v[0];
  const uint64_t esr = exec_fault(ld1_4s(0, 3));
  EXPECT_EQ(esr >> 26, ec::kDataAbortSame);
  EXPECT_EQ(esr & 0x3f, 0x21u);  // alignment fault
  EXPECT_TRUE(core_.v[0] == v0);
}

TEST_F(SimdLdstTest, StoreToACodePageReachesCodeWatch) {
  code_.make_code(kData + 4096);
  mmu().sync_code_generation();
  core_.x[3] = kVa + 4096 + 0x40;
  exec(st1_4x16b_post(0, 3));
  EXPECT_FALSE(code_.writes.empty());
  for (auto [gpa, size] : code_.writes) {
    EXPECT_GE(gpa, kData + 4096 + 0x40);
    EXPECT_LT(gpa, kData + 4096 + 0x80);
  }
  for (unsigned r = 0; r < 4; ++r)
    EXPECT_TRUE(bytes_at(4096 + 0x40 + 16 * r) == core_.v[r]) << r;
}

TEST_F(SimdLdstTest, ReservedEncodingsAreUndefined) {
  core_.x[3] = kVa;
  // LD2 {.1D}: size = 3 with Q = 0; LD1 single .D with S = 1; LD1 single .S
  // with size = 10.
  for (uint32_t insn : {0x0c408c00u | 3u << 5, 0x0d409400u | 3u << 5, 0x0d408800u | 3u << 5}) {
    const uint64_t esr = exec_fault(insn);
    EXPECT_EQ(esr >> 26, ec::kUnknown) << std::hex << insn;
  }
}

TEST_F(SimdLdstTest, TrapsWhenFpIsDisabled) {
  core_.sys.cpacr = 0;
  core_.x[3] = kVa;
  EXPECT_EQ(exec_fault(ld4_16b(0, 3)) >> 26, ec::kFpAccess);
}

}  // namespace
}  // namespace vmapple::arm64::test
