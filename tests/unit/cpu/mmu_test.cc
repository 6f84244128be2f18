// Stage-1 translation, every fault kind with its exact ESR/FAR, TBI, the
// software TLB (ASID tagging, each TLBI form, blocks, faults not cached),
// AT into PAR_EL1, DC ZVA, cache-maintenance checks and code-page tracking.
#include <cstring>

#include "base/log.h"
#include "unit/cpu/mmu_fixture.h"

namespace vmapple::arm64::test {
namespace {

constexpr uint32_t kDabtSame = 0x25;
constexpr uint32_t kDabtLower = 0x24;
constexpr uint32_t kIabtSame = 0x21;
constexpr uint32_t kIabtLower = 0x20;
constexpr uint32_t kWnR = 1u << 6;
constexpr uint32_t kCm = 1u << 8;

class MmuTest : public MmuFixture {
 protected:
  static constexpr uint64_t kPageA = kRam + 0x10'0000;  // data pages
  static constexpr uint64_t kPageB = kRam + 0x10'1000;
  static constexpr uint64_t kHole = 0x1000'0000;  // neither RAM nor MMIO

  uint64_t load64(uint64_t va) { return mmu().load<uint64_t>(va); }
  void put64(uint64_t pa, uint64_t v) { ASSERT_TRUE(ram_.write_le<uint64_t>(pa, v)); }
  uint64_t get64(uint64_t pa) { return ram_.read_le<uint64_t>(pa).value(); }

  std::optional<Abort> load_abort(uint64_t va, AccessFlags f = {}) {
    return abort_of([&] { (void)mmu().load<uint64_t>(va, f); });
  }
  std::optional<Abort> store_abort(uint64_t va, AccessFlags f = {}) {
    return abort_of([&] { mmu().store<uint64_t>(va, 0x5555, f); });
  }
  std::optional<Abort> fetch_abort(uint64_t va) {
    return abort_of([&] { (void)mmu().fetch(va); });
  }
};

// --- translation results ----------------------------------------------

TEST_F(MmuTest, PageTwoMegabyteAndGigabyteLeaves) {
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, kKernelData);
  pt_.map(root1_, kKernelVa + 0x20'0000, kRam + 0x20'0000, kKernelData, 2);
  pt_.map(root1_, kKernelVa + 0x4000'0000, kRam, kKernelData, 1);

  Translation t = mmu().translate(kKernelVa + 0x1008, false, false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, kPageA + 8);
  EXPECT_EQ(t.level, 3);
  EXPECT_EQ(t.leaf_shift, 12);
  EXPECT_EQ(t.attr, 0xff);
  EXPECT_EQ(t.sh, 3);
  EXPECT_TRUE(t.global);
  EXPECT_TRUE(t.read && t.write && !t.exec);

  t = mmu().translate(kKernelVa + 0x2f'1234, false, false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, kRam + 0x2f'1234);
  EXPECT_EQ(t.level, 2);
  EXPECT_EQ(t.leaf_shift, 21);

  t = mmu().translate(kKernelVa + 0x4012'3458, false, false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, kRam + 0x12'3458);
  EXPECT_EQ(t.level, 1);
  EXPECT_EQ(t.leaf_shift, 30);

  put64(kPageA + 8, 0x1122334455667788);
  put64(kRam + 0x2f'1230, 0xaabbccdd);
  put64(kRam + 0x12'3458, 42);
  EXPECT_EQ(load64(kKernelVa + 0x1008), 0x1122334455667788u);
  EXPECT_EQ(mmu().load<uint32_t>(kKernelVa + 0x2f'1230), 0xaabbccddu);
  EXPECT_EQ(load64(kKernelVa + 0x4012'3458), 42u);
  mmu().store<uint16_t>(kKernelVa + 0x100a, 0xbeef);
  EXPECT_EQ(get64(kPageA + 8), 0x11223344beef7788u);
}

TEST_F(MmuTest, UserHalfUsesTtbr0AndNonGlobalEntries) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);
  const Translation t = mmu().translate(kUserVa + 0x10, true, false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, kPageA + 0x10);
  EXPECT_FALSE(t.global);
  EXPECT_TRUE(t.read && t.write && !t.exec);
  // The same VA with bit 55 set is the kernel half: nothing mapped there.
  EXPECT_EQ(mmu().translate(kUserVa | 0xffff'0000'0000'0000ull, false, false).fault,
            FaultKind::kTranslation);
}

TEST_F(MmuTest, MmuOffIsFlatDeviceMemoryForData) {
  core_.sys.sctlr &= ~sctlr::kM;
  regs_changed();
  put64(kRam + 0x100, 0x0102030405060708);
  EXPECT_EQ(load64(kRam + 0x100), 0x0102030405060708u);
  // Data is Device-nGnRnE: an unaligned access is an alignment fault.
  auto a = abort_of([&] { (void)mmu().load<uint32_t>(kRam + 0x102); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
  EXPECT_EQ(a->far, kRam + 0x102);
  // Instruction fetches are Normal.
  const FetchPage fp = mmu().fetch(kRam + 0x104);
  EXPECT_EQ(fp.gpa, kRam);
  EXPECT_EQ(fp.host, ram_.span_at(kRam, 1)->data());
  // Beyond PARange (48 bits): address size fault at level 0 (TBI0 is set,
  // so only bits [55:48] count).
  a = load_abort(1ull << 50);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x00));
  EXPECT_FALSE(load_abort(0x7700'0000'0000'0000ull | (kRam + 0x100)));
  // AT with the MMU off: PA = VA, Device-nGnRnE, Outer Shareable.
  EXPECT_EQ(mmu().address_translate(kRam + 0x123, false, false),
            kRam | 1ull << 11 | 1ull << 9 | 2ull << 7);
}

// --- translation faults ---------------------------------------------------

TEST_F(MmuTest, TranslationFaultAtEachLevel) {
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, kKernelData);
  const uint64_t at_level[4] = {
      kKernelVa + (5ull << 39),  // L0 entry empty
      kKernelVa + (7ull << 30),  // L1 entry empty
      kKernelVa + (9ull << 21),  // L2 entry empty
      kKernelVa + 0x5000,        // L3 entry empty
  };
  for (unsigned level = 0; level < 4; ++level) {
    core_.pc = 0x1234'0000 + level * 4;
    auto a = load_abort(at_level[level] + 0x18);
    ASSERT_TRUE(a) << level;
    EXPECT_EQ(a->esr, esr(kDabtSame, 0x04 | level)) << level;
    EXPECT_EQ(a->far, at_level[level] + 0x18);
    EXPECT_EQ(a->elr, core_.pc);
    a = store_abort(at_level[level]);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x04 | level));
  }
  // From EL0: the lower-EL data abort class.
  to_el0();
  auto a = load_abort(kUserVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, 0x04));
  // An instruction fetch: instruction abort, FAR and ELR = the address.
  to_el1();
  a = fetch_abort(kKernelVa + 0x5000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x07));
  EXPECT_EQ(a->far, kKernelVa + 0x5000);
  EXPECT_EQ(a->elr, kKernelVa + 0x5000);
  to_el0();
  a = fetch_abort(kUserVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtLower, 0x04));
}

TEST_F(MmuTest, OutOfRangeAndDisabledHalvesFaultAtLevelZero) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);
  pt_.map(root1_, kKernelVa, kPageB, kKernelData);
  // Bit 48 set in the lower half with T0SZ = 16.
  auto a = load_abort(kUserVa | 1ull << 48);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
  // Upper half with a bit of [54:48] clear.
  a = load_abort(kKernelVa & ~(1ull << 50));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
  // TBI1 is off: a tagged kernel pointer faults.
  a = load_abort((kKernelVa & ~(0xffull << 56)) | 0x5aull << 56 | 1ull << 55);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));

  EXPECT_FALSE(load_abort(kUserVa));
  EXPECT_FALSE(load_abort(kKernelVa));
  core_.sys.tcr |= 1ull << 7;  // EPD0
  regs_changed();
  a = load_abort(kUserVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
  EXPECT_FALSE(load_abort(kKernelVa));
  core_.sys.tcr |= 1ull << 23;  // EPD1
  regs_changed();
  a = load_abort(kKernelVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
}

TEST_F(MmuTest, ThirtyNineBitSpaceStartsAtLevelOne) {
  // T0SZ = 25: three levels, the walk starts at level 1 with 512 entries.
  core_.sys.tcr = (core_.sys.tcr & ~0x3full) | 25;
  const uint64_t l1 = pt_.new_table();
  const uint64_t l2 = pt_.new_table();
  const uint64_t l3 = pt_.new_table();
  const uint64_t va = 0x7f'c060'3000ull;  // L1 index 511, L2 3, L3 3
  pt_.write(l1 + 511 * 8, l2 | desc::kTable);
  pt_.write(l2 + 3 * 8, l3 | desc::kTable);
  pt_.write(l3 + 3 * 8, kPageA | kUserData | desc::kPage);
  core_.sys.ttbr0 = l1;
  regs_changed();
  put64(kPageA + 0x40, 77);
  EXPECT_EQ(load64(va + 0x40), 77u);
  // A 40-bit address is out of range now.
  auto a = load_abort(1ull << 39);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
  // An empty level-1 entry is a level-1 fault (the first level walked).
  a = load_abort(0x1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x05));
}

TEST_F(MmuTest, InvalidDescriptorShapes) {
  // A block descriptor at level 0 does not exist with 4K pages.
  pt_.write(root1_ + 0x110 * 8, kRam | kKernelData | desc::kBlock);
  auto a = load_abort(kKernelVa + (0x10ull << 39));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
  // Bits [1:0] = 01 at level 3 are reserved.
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  pt_.write(pt_.entry(root1_, kKernelVa + 0x1000, 3), kPageB | kKernelData | desc::kBlock);
  a = load_abort(kKernelVa + 0x1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x07));
}

// --- access flag ----------------------------------------------------------

TEST_F(MmuTest, AccessFlagFaultAtLevelsOneToThree) {
  const uint64_t no_af = kKernelData & ~desc::kAf;
  pt_.map(root1_, kKernelVa + 0x4000'0000, kRam, no_af, 1);
  pt_.map(root1_, kKernelVa + 0x20'0000, kRam + 0x20'0000, no_af, 2);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, no_af, 3);
  const uint64_t va[4] = {0, kKernelVa + 0x4000'0010, kKernelVa + 0x20'0010, kKernelVa + 0x1010};
  for (unsigned level = 1; level <= 3; ++level) {
    auto a = load_abort(va[level]);
    ASSERT_TRUE(a) << level;
    EXPECT_EQ(a->esr, esr(kDabtSame, 0x08 | level));
    EXPECT_EQ(a->far, va[level]);
    a = store_abort(va[level]);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x08 | level));
  }
  // The access flag is checked before permissions (a write to a read-only
  // page with AF = 0 reports the access flag).
  pt_.map(root1_, kKernelVa + 0x2000, kPageB, (kKernelData | desc::kReadOnly) & ~desc::kAf);
  auto a = store_abort(kKernelVa + 0x2000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0b));
  // Software sets AF (as Linux's fault handler does): the access then works.
  const uint64_t at = pt_.entry(root1_, kKernelVa + 0x1000, 3);
  pt_.write(at, pt_.read(at) | desc::kAf);
  EXPECT_FALSE(load_abort(kKernelVa + 0x1010));
}

// --- permissions ----------------------------------------------------------

TEST_F(MmuTest, WritePermissionFaultsReportTheLeafLevel) {
  const uint64_t ro = kKernelData | desc::kReadOnly;
  pt_.map(root1_, kKernelVa + 0x4000'0000, kRam, ro, 1);
  pt_.map(root1_, kKernelVa + 0x20'0000, kRam + 0x20'0000, ro, 2);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, ro, 3);
  const uint64_t va[4] = {0, kKernelVa + 0x4000'0008, kKernelVa + 0x20'0008, kKernelVa + 0x1008};
  for (unsigned level = 1; level <= 3; ++level) {
    EXPECT_FALSE(load_abort(va[level]));
    auto a = store_abort(va[level]);
    ASSERT_TRUE(a) << level;
    EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0c | level));
    EXPECT_EQ(a->far, va[level]);
  }
}

TEST_F(MmuTest, El0AccessFollowsApBits) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);               // AP=01
  pt_.map(root0_, kUserVa + 0x1000, kPageA, kUserText);      // AP=11
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);           // AP=00
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, kKernelText);  // AP=10
  to_el0();
  EXPECT_FALSE(load_abort(kUserVa));
  EXPECT_FALSE(store_abort(kUserVa));
  EXPECT_FALSE(load_abort(kUserVa + 0x1000));
  auto a = store_abort(kUserVa + 0x1008);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, kWnR | 0x0f));
  a = load_abort(kKernelVa + 8);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, 0x0f));
  EXPECT_EQ(a->far, kKernelVa + 8);
  a = load_abort(kKernelVa + 0x1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, 0x0f));
  // EL1 may read and write the user page (no PAN).
  to_el1();
  EXPECT_FALSE(store_abort(kUserVa));
  EXPECT_FALSE(load_abort(kUserVa + 0x1000));
  EXPECT_TRUE(store_abort(kUserVa + 0x1000));
}

TEST_F(MmuTest, UnprivilegedAccessChecksAsEl0) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);
  pt_.map(root0_, kUserVa + 0x1000, kPageB, kUserText);
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  const AccessFlags t{.unprivileged = true};
  EXPECT_FALSE(load_abort(kUserVa, t));
  EXPECT_FALSE(store_abort(kUserVa, t));
  EXPECT_FALSE(load_abort(kUserVa + 0x1000, t));
  // LDTR of a kernel page from EL1: permission fault, same-EL class.
  auto a = load_abort(kKernelVa + 0x10, t);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x0f));
  EXPECT_EQ(a->far, kKernelVa + 0x10);
  a = store_abort(kUserVa + 0x1000, t);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0f));
  // The privileged access to the same page still works (separate TLBs).
  EXPECT_FALSE(load_abort(kKernelVa + 0x10));
  EXPECT_FALSE(load_abort(kUserVa + 0x1000));
}

TEST_F(MmuTest, HierarchicalApTableRestrictions) {
  // APTable[0]: no EL0 access below this level-0 table entry.
  const uint64_t va_no_el0 = 0x0000'0080'0000'0000ull;  // L0 index 1
  pt_.map(root0_, va_no_el0, kPageA, kUserData, 3, desc::kApTableNoEl0);
  // APTable[1]: read-only below this entry.
  const uint64_t va_ro = 0x0000'0100'0000'0000ull;  // L0 index 2
  pt_.map(root0_, va_ro, kPageA, kUserData, 3, desc::kApTableReadOnly);
  to_el0();
  auto a = load_abort(va_no_el0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, 0x0f));
  EXPECT_FALSE(load_abort(va_ro));
  a = store_abort(va_ro);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, kWnR | 0x0f));
  to_el1();
  EXPECT_FALSE(load_abort(va_no_el0));
  EXPECT_FALSE(store_abort(va_no_el0));
  a = store_abort(va_ro);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0f));
}

TEST_F(MmuTest, ExecuteNeverRules) {
  const uint64_t exec_el1 = kKernelText;                                     // PXN=0
  const uint64_t exec_el0 = kUserText;                                       // UXN=0
  const uint64_t user_rw_no_xn = kUserData & ~(desc::kPxn | desc::kUxn);     // AP=01
  const uint64_t exec_only = (kUserText & ~desc::kUser) & ~desc::kReadOnly;  // AP=00, UXN=0
  pt_.map(root1_, kKernelVa, kPageA, exec_el1);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, kKernelData);  // PXN
  pt_.map(root1_, kKernelVa + 0x0080'0000'0000ull, kPageA, exec_el1, 3, desc::kPxnTable);
  pt_.map(root0_, kUserVa, kPageA, exec_el0);
  pt_.map(root0_, kUserVa + 0x1000, kPageA, kUserData);  // UXN
  pt_.map(root0_, 0x0000'0080'0000'0000ull, kPageA, exec_el0, 3, desc::kUxnTable);
  pt_.map(root0_, kUserVa + 0x2000, kPageA, user_rw_no_xn);
  pt_.map(root0_, kUserVa + 0x3000, kPageA, exec_only);

  // EL1.
  EXPECT_EQ(mmu().fetch(kKernelVa + 0x40).gpa, kPageA);
  auto a = fetch_abort(kKernelVa + 0x1040);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x0f));
  EXPECT_EQ(a->far, kKernelVa + 0x1040);
  a = fetch_abort(kKernelVa + 0x0080'0000'0000ull);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x0f));
  // EL1 never executes what EL0 can write, even with PXN clear.
  a = fetch_abort(kUserVa + 0x2000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x0f));
  // User text (AP=11, PXN) is not executable at EL1; with PXN clear and
  // not writable by EL0 it is.
  a = fetch_abort(kUserVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x0f));
  pt_.map(root0_, kUserVa + 0x4000, kPageA, kUserText & ~desc::kPxn);
  EXPECT_FALSE(fetch_abort(kUserVa + 0x4000));

  // EL0.
  to_el0();
  EXPECT_FALSE(fetch_abort(kUserVa));
  a = fetch_abort(kUserVa + 0x1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtLower, 0x0f));
  a = fetch_abort(0x0000'0080'0000'0000ull);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtLower, 0x0f));
  EXPECT_FALSE(fetch_abort(kUserVa + 0x2000));  // EL0 RWX is allowed at EL0
  // Execute-only: EL0 executes what it cannot read.
  EXPECT_FALSE(fetch_abort(kUserVa + 0x3000));
  a = load_abort(kUserVa + 0x3000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, 0x0f));
}

TEST_F(MmuTest, WxnMakesWritableMemoryExecuteNever) {
  const uint64_t rwx = kKernelData & ~desc::kPxn;
  pt_.map(root1_, kKernelVa, kPageA, rwx);
  EXPECT_FALSE(fetch_abort(kKernelVa));
  core_.sys.sctlr |= 1ull << 19;
  regs_changed();
  auto a = fetch_abort(kKernelVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x0f));
}

// --- address size and external aborts ---------------------------------------

TEST_F(MmuTest, AddressSizeFaultsWithSmallIps) {
  core_.sys.tcr &= ~(7ull << 32);  // IPS = 32 bits
  regs_changed();
  // Leaf output address above 4 GiB: level 3.
  pt_.map(root1_, kKernelVa, 0x1'0000'0000ull, kKernelData);
  auto a = load_abort(kKernelVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x03));
  // A 2 MiB block above: level 2.
  pt_.map(root1_, kKernelVa + 0x20'0000, 0x1'0020'0000ull, kKernelData, 2);
  a = load_abort(kKernelVa + 0x20'0000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x02));
  // A level-1 table descriptor pointing above: level 1.
  pt_.write(pt_.entry(root1_, kKernelVa + (3ull << 30), 1), 0x2'0000'0000ull | desc::kTable);
  a = load_abort(kKernelVa + (3ull << 30));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x01));
  // TTBR above: level 0.
  core_.sys.ttbr0 = 0x1'0000'0000ull;
  regs_changed();
  a = load_abort(kUserVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x00));
  // IPS = 48 bits: the same leaf is fine (and simply not RAM).
  core_.sys.tcr |= 5ull << 32;
  regs_changed();
  EXPECT_TRUE(mmu().translate(kKernelVa, false, false).ok());
}

TEST_F(MmuTest, WalkIntoAHoleIsASynchronousExternalAbortOnTheWalk) {
  // A level-1 table entry pointing outside RAM: the level-2 read fails.
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  pt_.write(pt_.entry(root1_, kKernelVa + (1ull << 30), 1), kHole | desc::kTable);
  auto a = load_abort(kKernelVa + (1ull << 30));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x16));
  EXPECT_EQ(a->far, kKernelVa + (1ull << 30));
  a = fetch_abort(kKernelVa + (1ull << 30));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x16));
  // TTBR0 outside RAM: level 0.
  core_.sys.ttbr0 = kHole;
  regs_changed();
  a = load_abort(kUserVa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x14));
}

TEST_F(MmuTest, FetchFromAHoleIsASynchronousExternalAbort) {
  pt_.map(root1_, kKernelVa, kHole, kKernelText);
  auto a = fetch_abort(kKernelVa + 0x84);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x10));
  EXPECT_EQ(a->far, kKernelVa + 0x84);
  EXPECT_EQ(a->elr, kKernelVa + 0x84);
  // With the MMU off too.
  core_.sys.sctlr &= ~sctlr::kM;
  regs_changed();
  a = fetch_abort(kHole);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kIabtSame, 0x10));
}

// --- alignment ----------------------------------------------------------

TEST_F(MmuTest, StrictAlignmentFaultsEveryUnalignedAccess) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  EXPECT_FALSE(load_abort(kKernelVa + 4));  // SCTLR.A = 0: allowed
  core_.sys.sctlr |= sctlr::kA;
  regs_changed();
  auto a = load_abort(kKernelVa + 4);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
  EXPECT_EQ(a->far, kKernelVa + 4);
  a = store_abort(kKernelVa + 1);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  EXPECT_FALSE(load_abort(kKernelVa + 8));
  // Alignment is checked before translation.
  a = load_abort(kKernelVa + 0x5003);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
}

TEST_F(MmuTest, DeviceMemoryFaultsUnalignedAccessesBeforePermissions) {
  const uint64_t device = (kKernelData & ~desc::attr_index(7)) | desc::attr_index(kAttrDevice);
  pt_.map(root1_, kKernelVa, kPageA, device);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, device | desc::kReadOnly);
  put64(kPageA + 8, 99);
  EXPECT_EQ(load64(kKernelVa + 8), 99u);
  auto a = load_abort(kKernelVa + 9);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
  a = store_abort(kKernelVa + 0x1002);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  a = store_abort(kKernelVa + 0x1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0f));
}

TEST_F(MmuTest, CachedDeviceAndStrictEntriesStillRejectMisalignedAccesses) {
  const uint64_t device = (kKernelData & ~desc::attr_index(7)) | desc::attr_index(kAttrDevice);
  pt_.map(root1_, kKernelVa, kPageA, device);
  mmu().store<uint64_t>(kKernelVa + 8, 5);  // fills read and write entries
  uint64_t walks = mmu().walks();
  EXPECT_EQ(load64(kKernelVa + 8), 5u);
  mmu().store<uint32_t>(kKernelVa + 12, 6);
  EXPECT_EQ(mmu().walks(), walks);  // aligned Device accesses hit the TLB
  auto a = abort_of([&] { (void)mmu().load<uint32_t>(kKernelVa + 2); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
  a = abort_of([&] { mmu().store<uint16_t>(kKernelVa + 1, 0); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  a = abort_of([&] { mmu().zero_block(kKernelVa); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  EXPECT_EQ(mmu().load<uint8_t>(kKernelVa + 3), 0u);  // bytes are always aligned

  // MMU off: flat Device memory, cached the same way.
  core_.sys.sctlr &= ~sctlr::kM;
  regs_changed();
  (void)load64(kRam + 0x100);
  walks = mmu().walks();
  (void)load64(kRam + 0x108);
  EXPECT_EQ(mmu().walks(), walks);
  a = load_abort(kRam + 0x10c);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));

  // SCTLR.A on Normal memory.
  core_.sys.sctlr |= sctlr::kM | sctlr::kA;
  regs_changed();
  pt_.map(root1_, kKernelVa + 0x1000, kPageB, kKernelData);
  (void)load64(kKernelVa + 0x1000);
  walks = mmu().walks();
  (void)load64(kKernelVa + 0x1008);
  EXPECT_EQ(mmu().walks(), walks);
  a = load_abort(kKernelVa + 0x1004);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
  mmu().zero_block(kKernelVa + 0x1040);  // Normal memory: fine with SCTLR.A
}

TEST_F(MmuTest, ExclusiveAndOrderedAccessesMustBeAligned) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  for (AccessFlags f : {AccessFlags{.exclusive = true}, AccessFlags{.acquire_release = true}}) {
    auto a = load_abort(kKernelVa + 4, f);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
    EXPECT_EQ(a->far, kKernelVa + 4);
  }
  auto a = store_abort(kKernelVa + 2, {.acquire_release = true});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  a = abort_of([&] { (void)mmu().store_exclusive<uint32_t>(kKernelVa + 2, 1); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  // A 16-byte exclusive pair needs 16-byte alignment.
  a = abort_of([&] { (void)mmu().load<unsigned __int128>(kKernelVa + 8, {.exclusive = true}); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x21));
}

// --- page-crossing accesses -----------------------------------------------

TEST_F(MmuTest, PageCrossingAccessesCombineTwoTranslations) {
  // Two adjacent virtual pages on non-adjacent physical pages.
  pt_.map(root1_, kKernelVa, kPageB, kKernelData);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, kKernelData);
  put64(kPageB + 0xff8, 0x8877665544332211);
  put64(kPageA, 0xffeeddccbbaa9988);
  EXPECT_EQ(load64(kKernelVa + 0xffc), 0xbbaa998888776655u);
  const unsigned __int128 q = mmu().load<unsigned __int128>(kKernelVa + 0xff8);
  EXPECT_EQ(static_cast<uint64_t>(q), 0x8877665544332211u);
  EXPECT_EQ(static_cast<uint64_t>(q >> 64), 0xffeeddccbbaa9988u);
  mmu().store<uint32_t>(kKernelVa + 0xffe, 0x01020304);
  EXPECT_EQ(get64(kPageB + 0xff8), 0x0304665544332211u);
  EXPECT_EQ(get64(kPageA), 0xffeeddccbbaa0102u);
}

TEST_F(MmuTest, PageCrossingFaultOnTheSecondPageWritesNothing) {
  pt_.map(root1_, kKernelVa, kPageB, kKernelData);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA, kKernelData | desc::kReadOnly);
  put64(kPageB + 0xff8, 0x1111111111111111);
  auto a = store_abort(kKernelVa + 0xffc);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0f));
  EXPECT_EQ(a->far, kKernelVa + 0x1000);
  EXPECT_EQ(get64(kPageB + 0xff8), 0x1111111111111111u);
  // Unmapped second page: translation fault at level 3 there.
  a = load_abort(kKernelVa + 0x1ffc);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x07));
  EXPECT_EQ(a->far, kKernelVa + 0x2000);
}

// --- TBI ----------------------------------------------------------------

TEST_F(MmuTest, TopByteIgnoredForTheLowerHalf) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);
  put64(kPageA + 0x20, 1234);
  const uint64_t tagged = 0x5a00'0000'0000'0000ull | (kUserVa + 0x20);
  EXPECT_EQ(load64(tagged), 1234u);
  mmu().store<uint64_t>(0xa500'0000'0000'0000ull | (kUserVa + 0x28), 5678);
  EXPECT_EQ(get64(kPageA + 0x28), 5678u);
  // A fault keeps the tag in FAR.
  auto a = load_abort(0x5a00'0000'0000'0000ull | (kUserVa + 0x1000));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x07));
  EXPECT_EQ(a->far, 0x5a00'0000'0000'0000ull | (kUserVa + 0x1000));
  // Without TBI0 the tag makes the address out of range.
  core_.sys.tcr &= ~(1ull << 37);
  regs_changed();
  a = load_abort(tagged);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, 0x04));
  EXPECT_EQ(load64(kUserVa + 0x20), 1234u);
}

TEST_F(MmuTest, TopByteIgnoredForTheUpperHalfWithTbi1) {
  core_.sys.tcr |= 1ull << 38;
  regs_changed();
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  put64(kPageA, 31337);
  EXPECT_EQ(load64((kKernelVa & ~(0xffull << 56)) | 0x3cull << 56), 31337u);
}

// --- the TLB --------------------------------------------------------------

TEST_F(MmuTest, HitsDoNotWalkAndFaultsAreNeverCached) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  (void)load64(kKernelVa);
  const uint64_t walks = mmu().walks();
  (void)load64(kKernelVa + 8);
  mmu().store<uint32_t>(kKernelVa + 16, 1);  // the read walk filled the write entry too
  (void)mmu().load<uint8_t>(kKernelVa + 0xfff);
  EXPECT_EQ(mmu().walks(), walks);

  // An unmapped page faults; once mapped (no TLBI needed) it works.
  ASSERT_TRUE(load_abort(kKernelVa + 0x1000));
  pt_.map(root1_, kKernelVa + 0x1000, kPageB, kKernelData);
  put64(kPageB, 7);
  EXPECT_EQ(load64(kKernelVa + 0x1000), 7u);
}

TEST_F(MmuTest, PermissionFaultsAreFoundByAWalkNotTheTlb) {
  // Read-only page cached for reads; the kernel makes it writable without a
  // TLBI (a spurious-fault fixup): the store must see the new descriptor.
  pt_.map(root1_, kKernelVa, kPageA, kKernelData | desc::kReadOnly);
  (void)load64(kKernelVa);
  ASSERT_TRUE(store_abort(kKernelVa));
  const uint64_t at = pt_.entry(root1_, kKernelVa, 3);
  pt_.write(at, pt_.read(at) & ~desc::kReadOnly);
  EXPECT_FALSE(store_abort(kKernelVa));
  // The reverse (write-protect) needs the TLBI, as on hardware.
  pt_.write(at, pt_.read(at) | desc::kReadOnly);
  EXPECT_FALSE(store_abort(kKernelVa));  // stale writable entry
  mmu().flush_va(kKernelVa, 0, false, true);
  EXPECT_TRUE(store_abort(kKernelVa));
}

TEST_F(MmuTest, StaleNonGlobalEntryUntilTlbiByVaAndAsid) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);
  put64(kPageA, 1);
  put64(kPageB, 2);
  EXPECT_EQ(load64(kUserVa), 1u);
  const uint64_t at = pt_.entry(root0_, kUserVa, 3);
  pt_.write(at, kPageB | kUserData | desc::kPage);
  EXPECT_EQ(load64(kUserVa), 1u);  // stale until TLBI
  mmu().flush_va(kUserVa, kUserAsid + 1, false, false);
  EXPECT_EQ(load64(kUserVa), 1u);  // another ASID's TLBI does not touch it
  mmu().flush_va(kUserVa + 0x1000, kUserAsid, false, false);
  EXPECT_EQ(load64(kUserVa), 1u);                   // another page
  mmu().flush_va(kUserVa, kUserAsid, false, true);  // TLBI VALE1
  EXPECT_EQ(load64(kUserVa), 2u);

  pt_.write(at, kPageA | kUserData | desc::kPage);
  EXPECT_EQ(load64(kUserVa), 2u);
  mmu().flush_va(kUserVa, 0x77, true, false);  // TLBI VAAE1: any ASID
  EXPECT_EQ(load64(kUserVa), 1u);

  pt_.write(at, kPageB | kUserData | desc::kPage);
  EXPECT_EQ(load64(kUserVa), 1u);
  mmu().flush_asid(kUserAsid + 1);
  EXPECT_EQ(load64(kUserVa), 1u);
  mmu().flush_asid(kUserAsid);  // TLBI ASIDE1
  EXPECT_EQ(load64(kUserVa), 2u);

  pt_.write(at, kPageA | kUserData | desc::kPage);
  EXPECT_EQ(load64(kUserVa), 2u);
  mmu().flush_all();  // TLBI VMALLE1
  EXPECT_EQ(load64(kUserVa), 1u);
}

TEST_F(MmuTest, GlobalEntriesSurviveAsidChangesAndAsidTlbi) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  put64(kPageA, 1);
  put64(kPageB, 2);
  EXPECT_EQ(load64(kKernelVa), 1u);
  const uint64_t walks = mmu().walks();
  set_asid(9);
  EXPECT_EQ(load64(kKernelVa), 1u);
  EXPECT_EQ(mmu().walks(), walks);  // a hit for the new ASID
  pt_.write(pt_.entry(root1_, kKernelVa, 3), kPageB | kKernelData | desc::kPage);
  mmu().flush_asid(9);  // ASIDE1 leaves global entries
  EXPECT_EQ(load64(kKernelVa), 1u);
  mmu().flush_va(kKernelVa, 0x1234, false, false);  // VAE1 removes global ones
  EXPECT_EQ(load64(kKernelVa), 2u);
}

TEST_F(MmuTest, EntriesAreTaggedWithTheAsid) {
  pt_.map(root0_, kUserVa, kPageA, kUserData);
  put64(kPageA, 1);
  put64(kPageB, 2);
  EXPECT_EQ(load64(kUserVa), 1u);
  // Another process: other tables, ASID 6. It touches another page...
  const uint64_t other_root = pt_.new_table();
  pt_.map(other_root, kUserVa, kPageB, kUserData);
  pt_.map(other_root, kUserVa + 0x1000, kPageB, kUserData);
  core_.sys.ttbr0 = other_root;
  set_asid(6);
  EXPECT_EQ(mmu().current_asid(), 6u);
  EXPECT_EQ(load64(kUserVa + 0x1000), 2u);
  // ... and back in the first process its entry is still cached (no walk).
  core_.sys.ttbr0 = root0_;
  set_asid(kUserAsid);
  uint64_t walks = mmu().walks();
  EXPECT_EQ(load64(kUserVa), 1u);
  EXPECT_EQ(mmu().walks(), walks);
  // The other process never sees ASID 5's entry for the same VA.
  core_.sys.ttbr0 = other_root;
  set_asid(6);
  EXPECT_EQ(load64(kUserVa), 2u);
  EXPECT_EQ(mmu().walks(), walks + 1);
  // TCR.A1 = 0: the ASID comes from TTBR0 (0 here).
  core_.sys.tcr &= ~(1ull << 22);
  regs_changed();
  EXPECT_EQ(mmu().current_asid(), 0u);
  // TCR.AS = 0: 8-bit ASIDs.
  core_.sys.tcr |= 1ull << 22;
  core_.sys.tcr &= ~(1ull << 36);
  core_.sys.ttbr1 = root1_ | 0x1205ull << 48;
  regs_changed();
  EXPECT_EQ(mmu().current_asid(), 0x05u);
}

TEST_F(MmuTest, TlbiInsideABlockDropsTheWholeBlock) {
  pt_.map(root1_, kKernelVa + 0x20'0000, kRam + 0x20'0000, kKernelData, 2);
  put64(kRam + 0x20'0000, 1);
  put64(kRam + 0x20'5000, 2);
  put64(kRam + 0x40'0000, 3);
  put64(kRam + 0x40'5000, 4);
  EXPECT_EQ(load64(kKernelVa + 0x20'0000), 1u);
  EXPECT_EQ(load64(kKernelVa + 0x20'5000), 2u);
  pt_.write(pt_.entry(root1_, kKernelVa + 0x20'0000, 2), (kRam + 0x40'0000) | kKernelData | 1);
  EXPECT_EQ(load64(kKernelVa + 0x20'5000), 2u);  // stale
  // One TLBI anywhere in the 2 MiB block (Linux issues one per block).
  mmu().flush_va(kKernelVa + 0x21'3000, 0, false, true);
  EXPECT_EQ(load64(kKernelVa + 0x20'0000), 3u);
  EXPECT_EQ(load64(kKernelVa + 0x20'5000), 4u);

  // A 1 GiB block made read-only: one TLBI anywhere in it.
  const uint64_t giga = kKernelVa + 0x4000'0000;
  pt_.map(root1_, giga, kRam, kKernelData, 1);
  mmu().store<uint64_t>(giga + 0x10'0000, 1);
  mmu().store<uint64_t>(giga + 0x123'4000, 2);
  pt_.write(pt_.entry(root1_, giga, 1), kRam | kKernelData | desc::kReadOnly | desc::kBlock);
  EXPECT_FALSE(store_abort(giga + 0x10'0000));  // stale
  mmu().flush_va(giga + 0x3000'0000, 0, false, false);
  EXPECT_TRUE(store_abort(giga + 0x10'0000));
  EXPECT_TRUE(store_abort(giga + 0x123'4000));
  EXPECT_EQ(load64(giga + 0x123'4000), 2u);
}

TEST_F(MmuTest, TranslationRegisterChangesFlushButAsidChangesDoNot) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  put64(kPageA, 1);
  EXPECT_EQ(load64(kKernelVa), 1u);
  uint64_t walks = mmu().walks();
  core_.sys.ttbr0 = pt_.new_table();
  set_asid(3);
  EXPECT_EQ(load64(kKernelVa), 1u);
  EXPECT_EQ(mmu().walks(), walks);
  core_.sys.mair = kMair | 0x04ull << 24;
  regs_changed();
  EXPECT_EQ(load64(kKernelVa), 1u);
  EXPECT_EQ(mmu().walks(), walks + 1);
}

// --- AT -------------------------------------------------------------------

TEST_F(MmuTest, AddressTranslateWritesParFormats) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  pt_.map(root1_, kKernelVa + 0x1000, kPageB,
          (kKernelData & ~desc::attr_index(7)) | desc::attr_index(kAttrDevice));
  pt_.map(root1_, kKernelVa + 0x2000, kPageB,
          (kKernelData & ~desc::attr_index(7)) | desc::attr_index(kAttrNonCacheable));
  pt_.map(root0_, kUserVa, kPageA, kUserText);
  pt_.map(root1_, kKernelVa + 0x3000, kPageB, kKernelData & ~desc::kAf);
  constexpr uint64_t kRes1 = 1ull << 11, kNs = 1ull << 9;
  EXPECT_EQ(mmu().address_translate(kKernelVa + 0x123, false, false),
            0xffull << 56 | kPageA | kRes1 | kNs | 3ull << 7);
  EXPECT_EQ(mmu().address_translate(kKernelVa + 0x1010, false, true),
            kPageB | kRes1 | kNs | 2ull << 7);
  EXPECT_EQ(mmu().address_translate(kKernelVa + 0x2010, false, false),
            0x44ull << 56 | kPageB | kRes1 | kNs | 2ull << 7);
  // Faults: F = 1, FST = FSC, never an exception.
  core_.sys.esr = 0;
  EXPECT_EQ(mmu().address_translate(kKernelVa + 0x5000, false, false), kRes1 | 0x07u << 1 | 1);
  EXPECT_EQ(mmu().address_translate(kUserVa, true, true), kRes1 | 0x0fu << 1 | 1);  // S1E0W
  EXPECT_EQ(mmu().address_translate(kUserVa, true, false),
            0xffull << 56 | kPageA | kRes1 | kNs | 3ull << 7);  // S1E0R
  EXPECT_EQ(mmu().address_translate(kKernelVa, true, false), kRes1 | 0x0fu << 1 | 1);
  EXPECT_EQ(mmu().address_translate(kKernelVa + 0x3000, false, false), kRes1 | 0x0bu << 1 | 1);
  EXPECT_EQ(mmu().address_translate(kUserVa | 1ull << 48, false, false), kRes1 | 0x04u << 1 | 1);
  EXPECT_EQ(core_.sys.esr, 0u);
}

// --- DC ZVA and cache maintenance by VA -----------------------------------------

TEST_F(MmuTest, ZeroBlockClearsTheAligned64Bytes) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  std::memset(ram_.span_at(kPageA, 4096)->data(), 0xab, 4096);
  mmu().zero_block(kKernelVa + 0x47);
  const uint8_t* p = ram_.span_at(kPageA, 4096)->data();
  EXPECT_EQ(p[0x3f], 0xab);
  for (unsigned i = 0x40; i < 0x80; ++i)
    ASSERT_EQ(p[i], 0) << i;
  EXPECT_EQ(p[0x80], 0xab);
  // Slow path (a fresh TLB) too.
  mmu().flush_all();
  mmu().zero_block(kKernelVa + 0xfc0);
  EXPECT_EQ(p[0xfbf], 0xab);
  EXPECT_EQ(p[0xfc0], 0);
  EXPECT_EQ(p[0xfff], 0);
}

TEST_F(MmuTest, ZeroBlockFaultsLikeAStore) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData | desc::kReadOnly);
  pt_.map(root1_, kKernelVa + 0x1000, kPageA,
          (kKernelData & ~desc::attr_index(7)) | desc::attr_index(kAttrDevice));
  auto a = abort_of([&] { mmu().zero_block(kKernelVa + 0x47); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0f));
  EXPECT_EQ(a->far, kKernelVa + 0x40);
  // Device memory: alignment fault even for an aligned block.
  a = abort_of([&] { mmu().zero_block(kKernelVa + 0x1040); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x21));
  a = abort_of([&] { mmu().zero_block(kKernelVa + 0x2000); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x07));
}

TEST_F(MmuTest, CacheMaintenanceByVaReportsCm) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData | desc::kReadOnly);
  pt_.map(root0_, kUserVa, kPageB, (kUserText & ~desc::kUser) & ~desc::kReadOnly);  // EL0 X only
  EXPECT_EQ(mmu().translate_maintenance(kKernelVa + 0x10, false), kPageA + 0x10);
  auto a = abort_of([&] { (void)mmu().translate_maintenance(kKernelVa, true); });  // DC IVAC
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kCm | kWnR | 0x0f));
  a = abort_of([&] { (void)mmu().translate_maintenance(kKernelVa + 0x7000, false); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kCm | kWnR | 0x07));
  EXPECT_EQ(a->far, kKernelVa + 0x7000);
  // EL1 may clean a page it cannot write; EL0 needs read access.
  EXPECT_EQ(mmu().translate_maintenance(kUserVa, false), kPageB);
  to_el0();
  a = abort_of([&] { (void)mmu().translate_maintenance(kUserVa, false); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtLower, kCm | kWnR | 0x0f));
}

// --- code pages -----------------------------------------------------------

TEST_F(MmuTest, StoresToCodePagesReachCodeWatchAfterTheStore) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  code_.make_code(kPageA);
  mmu().sync_code_generation();
  uint64_t seen = 0;
  code_.on_write_hook = [&](uint64_t gpa, unsigned) { seen = get64(gpa & ~7ull); };
  mmu().store<uint64_t>(kKernelVa + 0x18, 0xd503201f);
  mmu().store<uint64_t>(kKernelVa + 0x20, 0xd65f03c0);
  ASSERT_EQ(code_.writes.size(), 2u);  // never a fast write entry
  EXPECT_EQ(code_.writes[0], std::make_pair(kPageA + 0x18, 8u));
  EXPECT_EQ(code_.writes[1], std::make_pair(kPageA + 0x20, 8u));
  EXPECT_EQ(seen, 0xd65f03c0u);  // memory already updated when told
  // Reads still hit the TLB.
  const uint64_t walks = mmu().walks();
  EXPECT_EQ(load64(kKernelVa + 0x18), 0xd503201fu);
  EXPECT_EQ(mmu().walks(), walks);
}

TEST_F(MmuTest, PageBecomingCodeDropsItsFastWriteEntry) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  mmu().store<uint32_t>(kKernelVa, 1);  // fast write entry now
  mmu().store<uint32_t>(kKernelVa, 2);
  EXPECT_TRUE(code_.writes.empty());
  code_.make_code(kPageA);
  mmu().sync_code_generation();  // what the run loop does at a block start
  mmu().store<uint32_t>(kKernelVa + 4, 3);
  ASSERT_EQ(code_.writes.size(), 1u);
  EXPECT_EQ(code_.writes[0], std::make_pair(kPageA + 4, 4u));
  // DC ZVA, pairs and store-exclusive on code pages are tracked too.
  mmu().zero_block(kKernelVa + 0x80);
  mmu().store_pair<uint64_t>(kKernelVa + 0x100, 1, 2);
  (void)mmu().load<uint64_t>(kKernelVa + 0x200, {.exclusive = true});
  EXPECT_TRUE(mmu().store_exclusive<uint64_t>(kKernelVa + 0x200, 5));
  ASSERT_EQ(code_.writes.size(), 5u);
  EXPECT_EQ(code_.writes[1], std::make_pair(kPageA + 0x80, 64u));
  EXPECT_EQ(code_.writes[2], std::make_pair(kPageA + 0x100, 8u));
  EXPECT_EQ(code_.writes[3], std::make_pair(kPageA + 0x108, 8u));
  EXPECT_EQ(code_.writes[4], std::make_pair(kPageA + 0x200, 8u));
}

// --- exclusives -----------------------------------------------------------------

TEST_F(MmuTest, ExclusiveMonitorRules) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  put64(kPageA, 10);
  EXPECT_EQ(mmu().load<uint64_t>(kKernelVa, {.exclusive = true}), 10u);
  EXPECT_TRUE(core_.excl_valid);
  EXPECT_EQ(core_.excl_addr, kKernelVa);
  EXPECT_EQ(core_.excl_size, 8u);
  EXPECT_TRUE(mmu().store_exclusive<uint64_t>(kKernelVa, 11));
  EXPECT_EQ(get64(kPageA), 11u);
  EXPECT_FALSE(core_.excl_valid);
  // The monitor is clear now: a second store fails and writes nothing.
  EXPECT_FALSE(mmu().store_exclusive<uint64_t>(kKernelVa, 12));
  EXPECT_EQ(get64(kPageA), 11u);
  // Another address, another size, CLREX: fail.
  (void)mmu().load<uint64_t>(kKernelVa, {.exclusive = true});
  EXPECT_FALSE(mmu().store_exclusive<uint64_t>(kKernelVa + 8, 1));
  EXPECT_EQ(get64(kPageA + 8), 0u);
  (void)mmu().load<uint64_t>(kKernelVa, {.exclusive = true});
  EXPECT_FALSE(mmu().store_exclusive<uint32_t>(kKernelVa, 1));
  (void)mmu().load<uint64_t>(kKernelVa, {.exclusive = true});
  core_.clear_exclusive();
  EXPECT_FALSE(mmu().store_exclusive<uint64_t>(kKernelVa, 1));
  EXPECT_EQ(get64(kPageA), 11u);
  // Another agent changed the word in between: the CAS fails.
  (void)mmu().load<uint64_t>(kKernelVa, {.exclusive = true, .acquire_release = true});
  put64(kPageA, 99);
  EXPECT_FALSE(mmu().store_exclusive<uint64_t>(kKernelVa, 12, {.acquire_release = true}));
  EXPECT_EQ(get64(kPageA), 99u);
  // Bytes and halfwords.
  EXPECT_EQ(mmu().load<uint8_t>(kKernelVa + 1, {.exclusive = true}), 0u);
  EXPECT_TRUE(mmu().store_exclusive<uint8_t>(kKernelVa + 1, 0x7f));
  EXPECT_EQ(get64(kPageA), 0x7f63u);
}

TEST_F(MmuTest, ExclusivePairOf16Bytes) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData);
  put64(kPageA + 0x10, 1);
  put64(kPageA + 0x18, 2);
  using u128 = unsigned __int128;
  u128 v = mmu().load<u128>(kKernelVa + 0x10, {.exclusive = true});
  EXPECT_EQ(v, static_cast<u128>(2) << 64 | 1);
  EXPECT_TRUE(mmu().store_exclusive<u128>(kKernelVa + 0x10, static_cast<u128>(4) << 64 | 3));
  EXPECT_EQ(get64(kPageA + 0x10), 3u);
  EXPECT_EQ(get64(kPageA + 0x18), 4u);
  // A change in the upper half fails the pair.
  v = mmu().load<u128>(kKernelVa + 0x10, {.exclusive = true});
  put64(kPageA + 0x18, 40);
  EXPECT_FALSE(mmu().store_exclusive<u128>(kKernelVa + 0x10, 0));
  EXPECT_EQ(get64(kPageA + 0x10), 3u);
  EXPECT_EQ(get64(kPageA + 0x18), 40u);
}

TEST_F(MmuTest, StoreExclusiveChecksTranslationAndPermission) {
  pt_.map(root1_, kKernelVa, kPageA, kKernelData | desc::kReadOnly);
  (void)mmu().load<uint64_t>(kKernelVa, {.exclusive = true});
  auto a = abort_of([&] { (void)mmu().store_exclusive<uint64_t>(kKernelVa, 1); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->esr, esr(kDabtSame, kWnR | 0x0f));
  // Without the monitor there is no access, hence no fault.
  EXPECT_FALSE(abort_of([&] { (void)mmu().store_exclusive<uint64_t>(kKernelVa, 1); }));
}

TEST_F(MmuTest, StoreExclusiveToMmioFailsWithAGuestError) {
  pt_.map(root1_, kKernelVa, kHole, kKernelData);
  core_.excl_valid = true;  // as if LDXR had read the device register
  core_.excl_addr = kKernelVa;
  core_.excl_size = 4;
  const uint64_t errors = trace::guest_error_count();
  EXPECT_FALSE(mmu().store_exclusive<uint32_t>(kKernelVa, 1));
  EXPECT_EQ(trace::guest_error_count(), errors + 1);
}

}  // namespace
}  // namespace vmapple::arm64::test
