// Load/store instruction semantics through the decoder and handler table:
// every addressing mode, sizes and sign extension, writeback (including the
// CONSTRAINED UNPREDICTABLE Rn == Rt choices), pairs, SIMD&FP registers,
// literals, LDTR/STTR, exclusives, acquire/release, prefetch, SP alignment,
// and the LSE/RCpc/LOR forms that must stay UNDEFINED. Encodings come from
// GNU as (aarch64-linux-gnu-as) output.
#include <cstring>

#include "unit/cpu/mmu_fixture.h"

namespace vmapple::arm64::test {
namespace {

using u128 = unsigned __int128;

class LoadStoreTest : public MmuFixture {
 protected:
  static constexpr uint64_t kData = kRam + 0x10'0000;
  static constexpr uint64_t kVa = kKernelVa + 0x10'0000;  // 4 pages of kernel data
  static constexpr uint64_t kUserPage = kRam + 0x20'0000;

  LoadStoreTest() {
    for (uint64_t i = 0; i < 4; ++i)
      pt_.map(root1_, kVa + i * 4096, kData + i * 4096, kKernelData);
    pt_.map(root0_, kUserVa, kUserPage, kUserData);
    pt_.map(root0_, kUserVa + 0x1000, kUserPage, kUserText);
    for (unsigned i = 0; i < 4 * 4096; ++i)
      mem()[i] = static_cast<uint8_t>(i * 13 + 7);
    core_.pc = kKernelVa + 0x80'0000;
  }

  uint8_t* mem() { return ram_.span_at(kData, 4 * 4096)->data(); }
  template <typename T>
  T at(unsigned offset) {
    T v;
    std::memcpy(&v, mem() + offset, sizeof v);
    return v;
  }
  template <typename T>
  void set(unsigned offset, T v) {
    std::memcpy(mem() + offset, &v, sizeof v);
  }
  uint64_t& x(unsigned n) { return core_.x[n]; }
};

TEST_F(LoadStoreTest, UnsignedOffsetSizes) {
  x(0) = kVa;
  x(1) = ~0ull;
  exec(0xf9400401);  // ldr x1, [x0, #8]
  EXPECT_EQ(x(1), at<uint64_t>(8));
  x(1) = ~0ull;
  exec(0xb9400401);  // ldr w1, [x0, #4]
  EXPECT_EQ(x(1), at<uint32_t>(4));
  x(1) = ~0ull;
  exec(0x39400c01);  // ldrb w1, [x0, #3]
  EXPECT_EQ(x(1), at<uint8_t>(3));
  x(1) = ~0ull;
  exec(0x79400c01);  // ldrh w1, [x0, #6]
  EXPECT_EQ(x(1), at<uint16_t>(6));
  EXPECT_EQ(core_.pc, kKernelVa + 0x80'0010);
}

TEST_F(LoadStoreTest, SignExtendingLoads) {
  set<uint16_t>(0, 0xff80);
  set<uint32_t>(4, 0x80000001);
  x(0) = kVa;
  exec(0x39800001);  // ldrsb x1, [x0]
  EXPECT_EQ(x(1), 0xffffffffffffff80u);
  exec(0x39c00001);  // ldrsb w1, [x0]
  EXPECT_EQ(x(1), 0x00000000ffffff80u);
  exec(0x79800001);  // ldrsh x1, [x0]
  EXPECT_EQ(x(1), 0xffffffffffffff80u);
  set<uint16_t>(2, 0x8001);
  exec(0x79c00401);  // ldrsh w1, [x0, #2]
  EXPECT_EQ(x(1), 0x00000000ffff8001u);
  exec(0xb9800401);  // ldrsw x1, [x0, #4]
  EXPECT_EQ(x(1), 0xffffffff80000001u);
  x(0) = kVa + 1;
  exec(0x389ff001);  // ldursb x1, [x0, #-1]
  EXPECT_EQ(x(1), 0xffffffffffffff80u);
}

TEST_F(LoadStoreTest, PreAndPostIndexWriteBack) {
  x(0) = kVa;
  exec(0xf8410c01);  // ldr x1, [x0, #16]!
  EXPECT_EQ(x(1), at<uint64_t>(16));
  EXPECT_EQ(x(0), kVa + 16);
  exec(0xf85f8401);  // ldr x1, [x0], #-8
  EXPECT_EQ(x(1), at<uint64_t>(16));
  EXPECT_EQ(x(0), kVa + 8);
  exec(0xf8408401);  // ldr x1, [x0], #8
  EXPECT_EQ(x(1), at<uint64_t>(8));
  EXPECT_EQ(x(0), kVa + 16);
  x(1) = 0x1122334455667788;
  exec(0xb8004401);  // str w1, [x0], #4
  EXPECT_EQ(at<uint32_t>(16), 0x55667788u);
  EXPECT_EQ(x(0), kVa + 20);
}

TEST_F(LoadStoreTest, WriteBackWithRtEqualRnFollowsQemu) {
  // ldr x0, [x0, #8]! : the writeback wins (Rn = updated address).
  x(0) = kVa;
  exec(0xf8408c00);
  EXPECT_EQ(x(0), kVa + 8);
  // str x0, [x0, #8]! : the original base value is stored.
  x(0) = kVa;
  exec(0xf8008c00);
  EXPECT_EQ(at<uint64_t>(8), kVa);
  EXPECT_EQ(x(0), kVa + 8);
  // ldp x1, x1, [x0, #16] : Rt gets the first value.
  x(0) = kVa;
  exec(0xa9410401);
  EXPECT_EQ(x(1), at<uint64_t>(16));
}

TEST_F(LoadStoreTest, RegisterOffsetExtends) {
  x(0) = kVa + 0x10;
  x(2) = ~0ull;      // -1
  exec(0xf862d801);  // ldr x1, [x0, w2, sxtw #3]
  EXPECT_EQ(x(1), at<uint64_t>(8));
  x(2) = 2;
  exec(0xf8627801);  // ldr x1, [x0, x2, lsl #3]
  EXPECT_EQ(x(1), at<uint64_t>(0x20));
  x(2) = 5;
  exec(0x38626801);  // ldrb w1, [x0, x2]
  EXPECT_EQ(x(1), at<uint8_t>(0x15));
  x(2) = 0xffffffff'00000004ull;
  exec(0xb8624801);  // ldr w1, [x0, w2, uxtw]
  EXPECT_EQ(x(1), at<uint32_t>(0x14));
  x(2) = static_cast<uint64_t>(-8);
  exec(0xf862e801);  // ldr x1, [x0, x2, sxtx]
  EXPECT_EQ(x(1), at<uint64_t>(8));
  x(2) = 0xffffffffu;  // w2 = -1
  exec(0xb862d801);    // ldr w1, [x0, w2, sxtw #2]
  EXPECT_EQ(x(1), at<uint32_t>(0xc));
  x(2) = 1;
  exec(0x3ce27801);  // ldr q1, [x0, x2, lsl #4]
  EXPECT_EQ(core_.v[1], at<u128>(0x20));
}

TEST_F(LoadStoreTest, UnscaledAndUnalignedAccesses) {
  x(0) = kVa + 11;
  exec(0xf85fd001);  // ldur x1, [x0, #-3]
  EXPECT_EQ(x(1), at<uint64_t>(8));
  x(1) = 0x0102030405060708;
  exec(0xf81fd001);  // stur x1, [x0, #-3]
  EXPECT_EQ(at<uint64_t>(8), 0x0102030405060708u);
  // Unaligned and page-crossing: ldr x1, [x0, #8] with x0 = page end - 12.
  x(0) = kVa + 0xff4;
  exec(0xf9400401);
  EXPECT_EQ(x(1), at<uint64_t>(0xffc));
}

TEST_F(LoadStoreTest, Stores) {
  x(0) = kVa;
  x(1) = 0xa1a2a3a4a5a6a7a8;
  const uint8_t before = at<uint8_t>(2);
  exec(0x39000401);  // strb w1, [x0, #1]
  EXPECT_EQ(at<uint8_t>(1), 0xa8);
  EXPECT_EQ(at<uint8_t>(2), before);
  exec(0x79000401);  // strh w1, [x0, #2]
  EXPECT_EQ(at<uint16_t>(2), 0xa7a8);
  exec(0xf9000401);  // str x1, [x0, #8]
  EXPECT_EQ(at<uint64_t>(8), 0xa1a2a3a4a5a6a7a8u);
  // XZR as the source.
  exec(0xf900041f);  // str xzr, [x0, #8]
  EXPECT_EQ(at<uint64_t>(8), 0u);
}

TEST_F(LoadStoreTest, Literals) {
  const uint64_t pc = kVa + 0x100;
  core_.pc = pc;
  exec(0x58000081);  // ldr x1, pc+16
  EXPECT_EQ(x(1), at<uint64_t>(0x110));
  core_.pc = pc;
  set<uint32_t>(0x108, 0x80000000);
  exec(0x98000041);  // ldrsw x1, pc+8
  EXPECT_EQ(x(1), 0xffffffff80000000u);
  core_.pc = pc;
  exec(0x9c000101);  // ldr q1, pc+32
  EXPECT_EQ(core_.v[1], at<u128>(0x120));
  core_.pc = pc;
  core_.v[1] = ~u128{0};
  exec(0x1cffffe1);  // ldr s1, pc-4
  EXPECT_EQ(core_.v[1], at<uint32_t>(0xfc));
  core_.pc = pc;
  exec(0x5c000041);  // ldr d1, pc+8
  EXPECT_EQ(core_.v[1], at<uint64_t>(0x108));
  core_.pc = pc;
  x(1) = ~0ull;
  exec(0x18000081);  // ldr w1, pc+16
  EXPECT_EQ(x(1), at<uint32_t>(0x110));
}

TEST_F(LoadStoreTest, Pairs) {
  x(0) = kVa + 0x40;
  exec(0xa9410801);  // ldp x1, x2, [x0, #16]
  EXPECT_EQ(x(1), at<uint64_t>(0x50));
  EXPECT_EQ(x(2), at<uint64_t>(0x58));
  exec(0x28c10801);  // ldp w1, w2, [x0], #8
  EXPECT_EQ(x(1), at<uint32_t>(0x40));
  EXPECT_EQ(x(2), at<uint32_t>(0x44));
  EXPECT_EQ(x(0), kVa + 0x48);
  set<uint32_t>(0x48, 0x80000000);
  set<uint32_t>(0x4c, 0x7fffffff);
  exec(0x69400801);  // ldpsw x1, x2, [x0]
  EXPECT_EQ(x(1), 0xffffffff80000000u);
  EXPECT_EQ(x(2), 0x7fffffffu);
  x(1) = 111;
  x(2) = 222;
  exec(0xa9bf0801);  // stp x1, x2, [x0, #-16]!
  EXPECT_EQ(x(0), kVa + 0x38);
  EXPECT_EQ(at<uint64_t>(0x38), 111u);
  EXPECT_EQ(at<uint64_t>(0x40), 222u);
  exec(0xa8010801);  // stnp x1, x2, [x0, #16]
  EXPECT_EQ(at<uint64_t>(0x48), 111u);
  EXPECT_EQ(at<uint64_t>(0x50), 222u);
  x(1) = x(2) = 0;
  exec(0xa8400801);  // ldnp x1, x2, [x0]
  EXPECT_EQ(x(1), 111u);
  EXPECT_EQ(x(2), 222u);
  // A pair across a page boundary.
  x(0) = kVa + 0xff8;
  exec(0xa9400801 & ~(0x7fu << 15));  // ldp x1, x2, [x0]
  EXPECT_EQ(x(1), at<uint64_t>(0xff8));
  EXPECT_EQ(x(2), at<uint64_t>(0x1000));
}

TEST_F(LoadStoreTest, SimdPairs) {
  x(0) = kVa + 0x80;
  exec(0xad400801);  // ldp q1, q2, [x0]
  EXPECT_EQ(core_.v[1], at<u128>(0x80));
  EXPECT_EQ(core_.v[2], at<u128>(0x90));
  core_.v[1] = ~u128{0};
  core_.v[2] = 5;
  exec(0x6d008801);  // stp d1, d2, [x0, #8]
  EXPECT_EQ(at<uint64_t>(0x88), ~0ull);
  EXPECT_EQ(at<uint64_t>(0x90), 5u);
  exec(0x2dff0801);  // ldp s1, s2, [x0, #-8]!
  EXPECT_EQ(x(0), kVa + 0x78);
  EXPECT_EQ(core_.v[1], at<uint32_t>(0x78));  // upper bits cleared
  EXPECT_EQ(core_.v[2], at<uint32_t>(0x7c));
}

TEST_F(LoadStoreTest, SimdRegisterLoadsClearTheUpperBits) {
  x(0) = kVa;
  const std::pair<uint32_t, u128> cases[] = {
      {0x3d400001, at<uint8_t>(0)},   // ldr b1, [x0]
      {0x7d400401, at<uint16_t>(2)},  // ldr h1, [x0, #2]
      {0xbd400401, at<uint32_t>(4)},  // ldr s1, [x0, #4]
      {0xfd400401, at<uint64_t>(8)},  // ldr d1, [x0, #8]
      {0x3dc00001, at<u128>(0)},      // ldr q1, [x0]
  };
  for (const auto& [insn, want] : cases) {
    core_.v[1] = ~u128{0};
    exec(insn);
    EXPECT_EQ(core_.v[1], want) << std::hex << insn;
  }
  x(0) = kVa + 8;
  exec(0xfc5f8001);  // ldur d1, [x0, #-8]
  EXPECT_EQ(core_.v[1], at<uint64_t>(0));
}

TEST_F(LoadStoreTest, SimdRegisterStores) {
  x(0) = kVa;
  core_.v[1] = static_cast<u128>(0x0f0e0d0c0b0a0908) << 64 | 0x0706050403020100;
  exec(0x3d800401);  // str q1, [x0, #16]
  EXPECT_EQ(at<u128>(16), core_.v[1]);
  x(2) = 0x33;
  const uint8_t next = at<uint8_t>(0x34);
  exec(0x3c226801);  // str b1, [x0, x2]
  EXPECT_EQ(at<uint8_t>(0x33), 0x00);
  EXPECT_EQ(at<uint8_t>(0x34), next);
  exec(0xbc004401);  // str s1, [x0], #4
  EXPECT_EQ(at<uint32_t>(0), 0x03020100u);
  EXPECT_EQ(x(0), kVa + 4);
}

TEST_F(LoadStoreTest, SimdAccessTrapsWhenFpIsDisabled) {
  core_.sys.cpacr = 0;
  x(0) = kVa;
  core_.v[1] = 7;
  for (uint32_t insn : {0x3dc00001u, 0x3d800401u, 0xad400801u, 0x9c000101u, 0xbc004401u}) {
    EXPECT_EQ(exec_fault(insn) >> 26, 0x07u) << std::hex << insn;
    EXPECT_EQ(core_.v[1], 7u);
    EXPECT_EQ(x(0), kVa);
  }
}

TEST_F(LoadStoreTest, StackPointerBaseAndAlignmentCheck) {
  core_.sp = kVa + 0x40;
  exec(0xf94007e1);  // ldr x1, [sp, #8]
  EXPECT_EQ(x(1), at<uint64_t>(0x48));
  x(1) = 77;
  exec(0xf81f0fe1);  // str x1, [sp, #-16]!
  EXPECT_EQ(core_.sp, kVa + 0x30);
  EXPECT_EQ(at<uint64_t>(0x30), 77u);
  // Misaligned SP: allowed while SCTLR_EL1.SA = 0 ...
  core_.sp = kVa + 0x48;
  exec(0xf94007e1);
  EXPECT_EQ(x(1), at<uint64_t>(0x50));
  // ... an SP alignment fault (EC 0x26) with SA = 1, before any access.
  core_.sys.sctlr |= sctlr::kSa;
  x(1) = 5;
  EXPECT_EQ(exec_fault(0xf94007e1), esr(0x26, 0));
  EXPECT_EQ(x(1), 5u);
  EXPECT_EQ(exec_fault(0xf81f0fe1), esr(0x26, 0));
  EXPECT_EQ(core_.sp, kVa + 0x48);
  // A prefetch never checks.
  exec(0xf98003e0);  // prfm pldl1keep, [sp]
  // EL0 uses SA0.
  to_el0();
  core_.sp = kUserVa + 8;
  exec(0xf94007e1);
  core_.sys.sctlr |= sctlr::kSa0;
  EXPECT_EQ(exec_fault(0xf94007e1), esr(0x26, 0));
}

TEST_F(LoadStoreTest, UnprivilegedLoadsAndStores) {
  ASSERT_TRUE(ram_.write_le<uint64_t>(kUserPage, 0x8070605040302010));
  x(0) = kUserVa;
  exec(0xf8400801);  // ldtr x1, [x0]
  EXPECT_EQ(x(1), 0x8070605040302010u);
  exec(0x38401801);  // ldtrb w1, [x0, #1]
  EXPECT_EQ(x(1), 0x20u);
  exec(0xb8804801);  // ldtrsw x1, [x0, #4]
  EXPECT_EQ(x(1), 0xffffffff80706050u);
  exec(0x78c00801);  // ldtrsh w1, [x0]
  EXPECT_EQ(x(1), 0x2010u);
  x(1) = 9;
  exec(0xf8000801);  // sttr x1, [x0]
  EXPECT_EQ(ram_.read_le<uint64_t>(kUserPage).value(), 9u);
  // The kernel's own page is not accessible to LDTR from EL1.
  x(0) = kVa;
  x(1) = 3;
  EXPECT_EQ(exec_fault(0xf8400801), esr(0x25, 0x0f));
  EXPECT_EQ(core_.sys.far, kVa);
  EXPECT_EQ(x(1), 3u);
  // STTR to user read-only text.
  x(0) = kUserVa + 0x1000;
  EXPECT_EQ(exec_fault(0xf8000801), esr(0x25, 0x4f));
}

TEST_F(LoadStoreTest, DataAbortFromAnInstructionKeepsRegisters) {
  x(0) = kVa + 0x4000;  // unmapped
  x(1) = 1;
  EXPECT_EQ(exec_fault(0xf8410c01), esr(0x25, 0x07));  // ldr x1, [x0, #16]!
  EXPECT_EQ(x(0), kVa + 0x4000);
  EXPECT_EQ(x(1), 1u);
  EXPECT_EQ(core_.sys.far, kVa + 0x4010);
  EXPECT_EQ(core_.sys.elr, kKernelVa + 0x80'0000);
  x(0) = kVa + 0x5000;
  EXPECT_EQ(exec_fault(0xa9bf0801), esr(0x25, 0x47));  // stp x1, x2, [x0, #-16]!
  EXPECT_EQ(x(0), kVa + 0x5000);
  EXPECT_EQ(core_.sys.far, kVa + 0x4ff0);
}

TEST_F(LoadStoreTest, ExclusivesThroughInstructions) {
  x(0) = kVa + 0x100;
  set<uint64_t>(0x100, 41);
  x(2) = 0xdead'0000'dead;
  exec(0xc85f7c01);  // ldxr x1, [x0]
  EXPECT_EQ(x(1), 41u);
  x(3) = 42;
  exec(0xc8027c03);  // stxr w2, x3, [x0]
  EXPECT_EQ(x(2), 0u);
  EXPECT_EQ(at<uint64_t>(0x100), 42u);
  x(3) = 43;
  exec(0xc8027c03);  // again, without the monitor
  EXPECT_EQ(x(2), 1u);
  EXPECT_EQ(at<uint64_t>(0x100), 42u);

  exec(0x085f7c01);  // ldxrb w1, [x0]
  EXPECT_EQ(x(1), 42u);
  x(3) = 0x1ff;
  exec(0x08027c03);  // stxrb w2, w3, [x0]
  EXPECT_EQ(x(2), 0u);
  EXPECT_EQ(at<uint64_t>(0x100), 0xffu);

  exec(0x485ffc01);  // ldaxrh w1, [x0]
  EXPECT_EQ(x(1), 0xffu);
  x(3) = 0x1234;
  exec(0x4802fc03);  // stlxrh w2, w3, [x0]
  EXPECT_EQ(x(2), 0u);
  EXPECT_EQ(at<uint64_t>(0x100), 0x1234u);

  exec(0x885f7c01);  // ldxr w1, [x0]
  x(3) = 0xffffffff'87654321ull;
  exec(0x88027c03);  // stxr w2, w3, [x0]
  EXPECT_EQ(x(2), 0u);
  EXPECT_EQ(at<uint64_t>(0x100), 0x87654321u);

  exec(0xc85ffc01);  // ldaxr x1, [x0]
  x(1) += 1;
  exec(0xc802fc01);  // stlxr w2, x1, [x0]
  EXPECT_EQ(x(2), 0u);
  EXPECT_EQ(at<uint64_t>(0x100), 0x87654322u);
}

TEST_F(LoadStoreTest, ExclusivePairsThroughInstructions) {
  x(0) = kVa + 0x200;
  set<uint64_t>(0x200, 1);
  set<uint64_t>(0x208, 2);
  exec(0xc87f0801);  // ldxp x1, x2, [x0]
  EXPECT_EQ(x(1), 1u);
  EXPECT_EQ(x(2), 2u);
  x(4) = 10;
  x(5) = 20;
  exec(0xc8231404);  // stxp w3, x4, x5, [x0]
  EXPECT_EQ(x(3), 0u);
  EXPECT_EQ(at<uint64_t>(0x200), 10u);
  EXPECT_EQ(at<uint64_t>(0x208), 20u);
  exec(0x887f0801);  // ldxp w1, w2, [x0]
  EXPECT_EQ(x(1), 10u);
  EXPECT_EQ(x(2), 0u);
  x(4) = 0x11;
  x(5) = 0x22;
  exec(0x88231404);  // stxp w3, w4, w5, [x0]
  EXPECT_EQ(x(3), 0u);
  EXPECT_EQ(at<uint64_t>(0x200), 0x22'0000'0011u);
  exec(0xc87f8801);          // ldaxp x1, x2, [x0]
  set<uint64_t>(0x208, 99);  // another observer writes in between
  exec(0xc8238801);          // stlxp w3, x1, x2, [x0]
  EXPECT_EQ(x(3), 1u);
  EXPECT_EQ(at<uint64_t>(0x208), 99u);
  // A 16-byte exclusive must be 16-byte aligned.
  x(0) = kVa + 0x208;
  EXPECT_EQ(exec_fault(0xc87f0801), esr(0x25, 0x21));
}

TEST_F(LoadStoreTest, AcquireRelease) {
  x(0) = kVa + 0x300;
  set<uint64_t>(0x300, 0x1122334455667788);
  exec(0xc8dffc01);  // ldar x1, [x0]
  EXPECT_EQ(x(1), 0x1122334455667788u);
  exec(0x08dffc01);  // ldarb w1, [x0]
  EXPECT_EQ(x(1), 0x88u);
  x(1) = 0xaabbccdd;
  exec(0x889ffc01);  // stlr w1, [x0]
  EXPECT_EQ(at<uint64_t>(0x300), 0x11223344aabbccddu);
  exec(0x489ffc01);  // stlrh w1, [x0]
  EXPECT_EQ(at<uint64_t>(0x300), 0x11223344aabbccddu);
  x(1) = 0x5566;
  exec(0x489ffc01);
  EXPECT_EQ(at<uint64_t>(0x300), 0x11223344aabb5566u);
  x(0) = kVa + 0x302;
  EXPECT_EQ(exec_fault(0xc8dffc01), esr(0x25, 0x21));
  EXPECT_EQ(exec_fault(0x889ffc01), esr(0x25, 0x61));
}

TEST_F(LoadStoreTest, PrefetchesNeverFault) {
  x(0) = kVa + 0x10'0000;  // unmapped
  x(2) = 8;
  exec(0xf9800400);  // prfm pldl1keep, [x0, #8]
  exec(0xf8801000);  // prfum pldl1keep, [x0, #1]
  exec(0xf8a26800);  // prfm pldl1keep, [x0, x2]
  exec(0xd8000040);  // prfm pldl1keep, pc+8
  EXPECT_EQ(x(0), kVa + 0x10'0000);
}

TEST_F(LoadStoreTest, HiddenExtensionsStayUndefined) {
  x(0) = kVa;
  for (uint32_t insn : {0xf8bfc001u /* ldapr */, 0xc8df7c01u /* ldlar */, 0xc89f7c01u /* stllr */,
                        0xc8a17c02u /* cas */, 0xf8210002u /* ldadd */, 0x48227c04u /* casp */}) {
    EXPECT_EQ(exec_fault(insn), esr(0x00, 0)) << std::hex << insn;
  }
}

}  // namespace
}  // namespace vmapple::arm64::test
