// MRS/MSR, MSR (immediate), hints, barriers and SYS of the software CPU:
// the scope's ID register values, the effective fields, the EL0 access
// rules and the configurable traps (EC 0x18 with the Arm ARM's ISS).
#include <set>
#include <utility>
#include <variant>

#include "cpu/arm64/timer.h"
#include "unit/cpu/sys_fixture.h"

namespace vmapple::arm64::test {
namespace {

using namespace sysasm;

class SysRegsTest : public SysFixture {
 protected:
  SysRegsTest() {
    Core& c = core();
    c.sys.vbar = kVbar;
    c.pc = kCode;
  }
  // MRS at the current EL that must not fault.
  uint64_t read(SysRegId id) {
    core().x[7] = 0x5555;
    EXPECT_FALSE(exec(mrs(7, id))) << std::hex << id.packed << " esr " << core().sys.esr;
    return core().x[7];
  }
  void write(SysRegId id, uint64_t v) {
    core().x[7] = v;
    EXPECT_FALSE(exec(msr(id, 7))) << std::hex << id.packed << " esr " << core().sys.esr;
  }
  // Back to EL0 after an exception was taken (exec_fault keeps the pc).
  void el0() {
    Core& c = core();
    c.el = 0;
    c.spsel = false;
  }
  void el1() {
    Core& c = core();
    c.el = 1;
    c.spsel = true;
  }
  // Stage 1 on, identity-mapping the RAM's 1 GiB as Normal memory that EL0
  // and EL1 may read and write: TTBR0 with T0SZ = 25 starts at level 1.
  void identity_mmu() {
    uint64_t table = kRam + 0x8000;
    uint64_t block = kRam | 1u << 10 | 1u << 6 | 0b01;  // AF, AP = EL1+EL0 RW, block
    ASSERT_TRUE(ram_.write_le<uint64_t>(table + 8 * (kRam >> 30), block));
    unsigned el = core().el;
    el1();
    write(regs::kMair, 0xff);
    write(regs::kTcr, 25 | 1u << 23 | uint64_t{5} << 32);  // T0SZ 25, EPD1, IPS 48 bits
    write(regs::kTtbr0, table);
    write(regs::kSctlr, core().sys.sctlr | sctlr::kM);
    core().el = el;
    core().spsel = el == 1;
  }
};

constexpr uint64_t kUndef = uint64_t{1} << 25;  // ESR of EC 0x00

constexpr uint32_t ldr_x1_x3() {
  return 0xf9400061;  // LDR X1, [X3]
}

// --- identification registers -------------------------------------------------

TEST_F(SysRegsTest, IdRegisterSpaceHasExactlyTheScopeValues) {
  for (unsigned crm = 0; crm < 8; ++crm) {
    for (unsigned op2 = 0; op2 < 8; ++op2) {
      SysRegId id = SysRegId::make(3, 0, 0, crm, op2);
      uint64_t expected = 0;
      if (crm == 0 && op2 == 0) expected = 0x000f0510;          // MIDR_EL1
      if (crm == 0 && op2 == 5) expected = 0x80000000;          // MPIDR_EL1 of vCPU 0
      if (crm == 4 && op2 == 0) expected = 0x1100000001000011;  // ID_AA64PFR0
      if (crm == 5 && op2 == 0) expected = 0x00101006;          // ID_AA64DFR0
      if (crm == 6 && op2 == 0) expected = 0x00011120;          // ID_AA64ISAR0
      if (crm == 7 && op2 == 0) expected = 0x0f000025;          // ID_AA64MMFR0
      if (crm == 0 && op2 != 0 && op2 != 5 && op2 != 6) {
        EXPECT_EQ(exec_fault(mrs(1, id)), kUndef) << op2;  // unallocated
        el1();
        continue;
      }
      EXPECT_EQ(read(id), expected) << "CRm " << crm << " op2 " << op2;
    }
  }
}

TEST_F(SysRegsTest, OtherIdentificationRegisters) {
  EXPECT_EQ(read(regs::kCtr), 0x8444c004u);
  EXPECT_EQ(read(regs::kDczid), 4u);
  EXPECT_EQ(read(SysRegId::make(3, 1, 0, 0, 1)), 0x0a200023u);  // CLIDR_EL1
  EXPECT_EQ(read(SysRegId::make(3, 1, 0, 0, 7)), 0u);           // AIDR_EL1
  EXPECT_EQ(read(SysRegId::make(3, 0, 0, 0, 6)), 0u);           // REVIDR_EL1
  EXPECT_EQ(read(regs::kCntfrq), 24'000'000u);
}

TEST_F(SysRegsTest, MpidrIsPerVcpu) {
  // Clusters of 16 (spec 2.3): Aff0 = n % 16, Aff1 = n / 16.
  for (auto [index, mpidr] : {std::pair<unsigned, uint64_t>{3, 0x80000003u},
                              {15, 0x8000000fu},
                              {16, 0x80000100u},
                              {17, 0x80000101u},
                              {31, 0x8000010fu}}) {
    LatchIrqLine v, p;
    InterpVcpu vcpu(*cluster_, index, v, p);
    Core& c = vcpu.core();
    c.x[2] = 0;
    c.next_pc = c.pc + 4;
    uint32_t insn = mrs(2, regs::kMpidr);
    HandlerTable::instance()[decode(insn)](c, insn);
    EXPECT_EQ(c.x[2], mpidr) << "vCPU " << index;
  }
}

TEST_F(SysRegsTest, CcsidrFollowsCsselr) {
  const SysRegId kCsselr = SysRegId::make(3, 2, 0, 0, 0), kCcsidr = SysRegId::make(3, 1, 0, 0, 0);
  struct Case {
    uint64_t csselr;
    unsigned line_bytes, ways, sets;
  } cases[] = {{0, 64, 2, 256}, {1, 64, 3, 256}, {2, 64, 16, 2048}};
  for (const Case& k : cases) {
    write(kCsselr, k.csselr);
    EXPECT_EQ(read(kCsselr), k.csselr);
    uint64_t v = read(kCcsidr);
    EXPECT_EQ(1u << ((v & 7) + 4), k.line_bytes) << k.csselr;
    EXPECT_EQ(bits(v, 12, 3) + 1, k.ways) << k.csselr;
    EXPECT_EQ(bits(v, 27, 13) + 1, k.sets) << k.csselr;
  }
}

TEST_F(SysRegsTest, IdRegistersAreReadOnly) {
  for (SysRegId id : {regs::kMidr, regs::kMpidr, SysRegId::make(3, 0, 0, 4, 0), regs::kCtr,
                      regs::kDczid, SysRegId::make(3, 1, 0, 0, 1), regs::kCurrentEl, regs::kCntpct,
                      regs::kCntvct, regs::kIsr}) {
    EXPECT_EQ(exec_fault(msr(id, 1)), kUndef) << std::hex << id.packed;
    el1();
  }
}

// --- EL0 access rules ------------------------------------------------------------

TEST_F(SysRegsTest, El0MrsOfIdRegistersIsUndefined) {
  for (unsigned crm = 0; crm < 8; ++crm) {
    for (unsigned op2 = 0; op2 < 8; ++op2) {
      el0();
      EXPECT_EQ(exec_fault(mrs(1, SysRegId::make(3, 0, 0, crm, op2))), kUndef) << crm << op2;
      EXPECT_EQ(core().sys.elr, kCode);
    }
  }
  for (SysRegId id : {SysRegId::make(3, 1, 0, 0, 0), SysRegId::make(3, 1, 0, 0, 1),
                      SysRegId::make(3, 1, 0, 0, 7), SysRegId::make(3, 2, 0, 0, 0)}) {
    el0();
    EXPECT_EQ(exec_fault(mrs(1, id)), kUndef);
  }
}

TEST_F(SysRegsTest, El0AccessToEl1RegistersIsUndefinedAndNeverExits) {
  const SysRegId el1_only[] = {
      regs::kSctlr,
      regs::kCpacr,
      regs::kTcr,
      regs::kTtbr0,
      regs::kSpsr,
      regs::kElr,
      regs::kSpEl0,
      regs::kSpsel,
      regs::kCurrentEl,
      regs::kEsr,
      regs::kFar,
      regs::kPar,
      regs::kMair,
      regs::kVbar,
      regs::kIsr,
      regs::kTpidrEl1,
      regs::kCntkctl,
      SysRegId::make(2, 0, 0, 2, 2),    // MDSCR_EL1
      SysRegId::make(3, 0, 4, 6, 0),    // ICC_PMR_EL1
      SysRegId::make(3, 0, 12, 12, 0),  // ICC_IAR1_EL1
  };
  for (SysRegId id : el1_only) {
    el0();
    EXPECT_EQ(exec_fault(mrs(1, id)), kUndef) << std::hex << id.packed;
    el0();
    EXPECT_EQ(exec_fault(msr(id, 1)), kUndef) << std::hex << id.packed;
  }
}

TEST_F(SysRegsTest, El0AccessibleRegisters) {
  Core& c = core();
  c.sys.cpacr = 3u << 20;
  el0();
  write(regs::kNzcv, 0xffff'ffff'ffff'ffff);
  EXPECT_EQ(c.nzcv, 0xf0000000u);
  EXPECT_EQ(read(regs::kNzcv), 0xf0000000u);
  write(regs::kTpidrEl0, 0x1234'5678'9abc'def0);
  EXPECT_EQ(read(regs::kTpidrEl0), 0x1234'5678'9abc'def0u);
  c.sys.tpidrro_el0 = 0x77;
  EXPECT_EQ(read(regs::kTpidrroEl0), 0x77u);
  EXPECT_EQ(exec_fault(msr(regs::kTpidrroEl0, 1)), kUndef);
  el0();
  write(regs::kFpcr, 0xffff'ffff);
  EXPECT_EQ(read(regs::kFpcr), 0x07c00000u);  // AHP DN FZ RMode; trap enables RAZ/WI
  write(regs::kFpsr, 0xffff'ffff);
  EXPECT_EQ(read(regs::kFpsr), 0x0800009fu);
  EXPECT_EQ(c.el, 0u);
}

// Every op0 = 2/3 encoding, read and written at EL0 with all EL0 controls
// open: exactly the registers EL0 may use succeed, everything else is
// UNDEFINED (no trap, no VMM exit).
TEST_F(SysRegsTest, El0SweepReachesOnlyTheEl0Registers) {
  Core& c = core();
  c.sys.sctlr |= sctlr::kUma | sctlr::kUct;
  c.sys.cpacr = 3u << 20;
  c.sys.mdscr = 0;
  std::set<std::pair<uint32_t, bool>> allowed;
  for (SysRegId id :
       {regs::kNzcv, regs::kDaif, regs::kFpcr, regs::kFpsr, regs::kTpidrEl0, regs::kCntpCtl,
        regs::kCntpCval, regs::kCntpTval, regs::kCntvCtl, regs::kCntvCval, regs::kCntvTval,
        SysRegId::make(2, 3, 0, 4, 0), SysRegId::make(2, 3, 0, 5, 0)}) {
    allowed.insert({id.packed, true});
    allowed.insert({id.packed, false});
  }
  for (SysRegId id : {regs::kTpidrroEl0, regs::kCtr, regs::kDczid, regs::kCntfrq, regs::kCntpct,
                      regs::kCntvct, SysRegId::make(2, 3, 0, 1, 0)})
    allowed.insert({id.packed, true});
  std::set<std::pair<uint32_t, bool>> reached;
  for (uint32_t packed = 0x8000; packed < 0x10000; ++packed) {
    SysRegId id{packed};
    for (bool is_read : {true, false}) {
      c.sys.cntkctl = 0x303;  // EL0 access to both counters and timers
      el0();
      c.x[1] = 0;
      bool faulted = exec(is_read ? mrs(1, id) : msr(id, 1));
      if (!faulted) {
        reached.insert({packed, is_read});
        continue;
      }
      ASSERT_EQ(c.sys.esr, kUndef) << std::hex << packed << " read " << is_read;
    }
  }
  EXPECT_EQ(reached, allowed);
}

// Every op0 = 2/3 encoding at EL1, read and written with all-ones: only
// success or UNDEFINED, and VMM exits only for the GIC CPU interface.
TEST_F(SysRegsTest, El1SweepNeverTrapsAndExitsOnlyForIcc) {
  Core& c = core();
  unsigned exits = 0;
  for (uint32_t packed = 0x8000; packed < 0x10000; ++packed) {
    SysRegId id{packed};
    bool icc = id == SysRegId::make(3, 0, 4, 6, 0) ||
               (id.op0() == 3 && id.op1() == 0 && id.crn() == 12 && id.crm() >= 8);
    for (bool is_read : {true, false}) {
      c.sys.cpacr = 3u << 20;
      el1();
      c.x[1] = ~uint64_t{0};
      try {
        if (exec(is_read ? mrs(1, id) : msr(id, 1))) {
          ASSERT_EQ(c.sys.esr, kUndef) << std::hex << packed << " read " << is_read;
        }
      } catch (const VmmExit&) {
        ASSERT_TRUE(icc) << std::hex << packed;
        ++exits;
      }
    }
  }
  EXPECT_GT(exits, 0u);
}

TEST_F(SysRegsTest, El0DaifNeedsUma) {
  Core& c = core();
  el0();
  // DAIF (op0 3, op1 3, CRn 4, CRm 2, op2 1), Rt = 5, read.
  EXPECT_EQ(exec_fault(mrs(5, regs::kDaif)), esr(0x18, 0x32d0a5));
  el0();
  EXPECT_EQ(exec_fault(msr(regs::kDaif, 5)), esr(0x18, 0x32d0a4));
  el0();
  // MSR DAIFSet, #2: op0 0, op1 3, CRn 4, CRm 2, op2 6, Rt 31, write.
  EXPECT_EQ(exec_fault(msr_imm(3, 2, 6)), esr(0x18, 0x0cd3e4));
  el0();
  c.daif = 0;
  c.sys.sctlr |= sctlr::kUma;
  EXPECT_FALSE(exec(msr_imm(3, 2, 6)));
  EXPECT_EQ(c.daif, 0x080u);
  EXPECT_EQ(read(regs::kDaif), 0x080u);
  write(regs::kDaif, 0x3c0);
  EXPECT_EQ(c.daif, 0x3c0u);
  EXPECT_FALSE(exec(msr_imm(3, 0xf, 7)));  // DAIFClr #15
  EXPECT_EQ(c.daif, 0u);
  EXPECT_EQ(c.el, 0u);
}

TEST_F(SysRegsTest, El0CtrNeedsUctAndDczidShowsDzp) {
  Core& c = core();
  el0();
  // CTR_EL0 (3, 3, 0, 0, 1), Rt = 2, read.
  EXPECT_EQ(exec_fault(mrs(2, regs::kCtr)), esr(0x18, 0x32c041));
  el0();
  c.sys.sctlr |= sctlr::kUct;
  EXPECT_EQ(read(regs::kCtr), 0x8444c004u);
  EXPECT_EQ(read(regs::kDczid), 0x14u);  // DZP: DC ZVA prohibited at EL0
  c.sys.sctlr |= sctlr::kDze;
  EXPECT_EQ(read(regs::kDczid), 4u);
  el1();
  c.sys.sctlr &= ~sctlr::kDze;
  EXPECT_EQ(read(regs::kDczid), 4u);  // DZE only concerns EL0
}

TEST_F(SysRegsTest, El0CounterAndTimerAccessFollowsCntkctl) {
  Core& c = core();
  constexpr uint64_t kPcten = 1, kVcten = 2, kVten = 1u << 8, kPten = 1u << 9;
  struct Case {
    SysRegId id;
    uint64_t enable;  // any of these bits grants the access
  } cases[] = {
      {regs::kCntpct, kPcten},  {regs::kCntvct, kVcten}, {regs::kCntfrq, kPcten},
      {regs::kCntfrq, kVcten},  {regs::kCntpCtl, kPten}, {regs::kCntpCval, kPten},
      {regs::kCntpTval, kPten}, {regs::kCntvCtl, kVten}, {regs::kCntvCval, kVten},
      {regs::kCntvTval, kVten},
  };
  for (const Case& k : cases) {
    c.sys.cntkctl = 0x3ff & ~k.enable;
    if (k.id == regs::kCntfrq) c.sys.cntkctl &= ~(kPcten | kVcten);
    el0();
    uint32_t iss = sysreg_iss(k.id, 3, true);
    EXPECT_EQ(exec_fault(mrs(3, k.id)), esr(0x18, iss)) << std::hex << k.id.packed;
    el0();
    c.sys.cntkctl = k.enable;
    read(k.id);
    EXPECT_EQ(c.el, 0u);
  }
  // Writes of the timer registers trap the same way; the counters are RO.
  c.sys.cntkctl = 0;
  el0();
  EXPECT_EQ(exec_fault(msr(regs::kCntvCval, 4)), esr(0x18, sysreg_iss(regs::kCntvCval, 4, false)));
  el0();
  EXPECT_EQ(exec_fault(msr(regs::kCntfrq, 4)), kUndef);
  el0();
  c.sys.cntkctl = kVten;
  write(regs::kCntvCval, 1234);
  EXPECT_EQ(c.timer->cval(GenericTimer::Channel::kVirtual), 1234u);
}

// --- EL1 registers ---------------------------------------------------------------

TEST_F(SysRegsTest, SctlrForcesRes1AndEndsTheBlock) {
  Core& c = core();
  write(regs::kSctlr, 0);
  EXPECT_TRUE(c.end_block);
  EXPECT_EQ(read(regs::kSctlr), 0x30d00800u);
  write(regs::kSctlr, ~uint64_t{0});
  // EE/E0E (little-endian only) and everything above bit 31 stay 0.
  EXPECT_EQ(c.sys.sctlr, 0x30d00800u | 0x040dd3bfu);
  EXPECT_EQ(c.sys.sctlr & (3u << 24), 0u);
}

TEST_F(SysRegsTest, TranslationRegistersEndTheBlock) {
  Core& c = core();
  for (SysRegId id : {regs::kTcr, regs::kTtbr0, SysRegId::make(3, 0, 2, 0, 1), regs::kMair,
                      regs::kCpacr, regs::kVbar}) {
    write(id, 0x10);
    EXPECT_TRUE(c.end_block) << std::hex << id.packed;
  }
  write(regs::kTcr, ~uint64_t{0});
  EXPECT_EQ(c.sys.tcr, 0x77ffffffbfu);
  write(regs::kTtbr0, 0xabcd'0000'1234'5001);
  EXPECT_EQ(c.sys.ttbr0, 0xabcd'0000'1234'5000u);  // CnP is RES0
  write(regs::kCpacr, ~uint64_t{0});
  EXPECT_EQ(c.sys.cpacr, 3u << 20);
}

TEST_F(SysRegsTest, PlainRegistersRoundTrip) {
  const SysRegId plain[] = {
      regs::kElr,
      regs::kFar,
      regs::kPar,
      regs::kMair,
      SysRegId::make(3, 0, 10, 3, 0),
      regs::kTpidrEl1,
      regs::kTpidrroEl0,
      SysRegId::make(3, 0, 5, 1, 0),
      SysRegId::make(3, 0, 5, 1, 1),
      SysRegId::make(2, 0, 0, 0, 4),
      SysRegId::make(2, 0, 0, 1, 5),  // DBGBVR0, DBGBCR1
      SysRegId::make(2, 0, 0, 0, 6),
      SysRegId::make(2, 0, 0, 1, 7),  // DBGWVR0, DBGWCR1
      SysRegId::make(2, 0, 0, 2, 0),  // MDCCINT_EL1
  };
  uint64_t v = 0x0123'4567'89ab'cde0;
  for (SysRegId id : plain) {
    v += 0x1010;
    write(id, v);
    EXPECT_EQ(read(id), v) << std::hex << id.packed;
  }
  // 32-bit registers.
  write(regs::kEsr, 0xffff'ffff'9600'0045);
  EXPECT_EQ(read(regs::kEsr), 0x9600'0045u);
  write(SysRegId::make(3, 0, 13, 0, 1), 0x1'0000'0042);  // CONTEXTIDR_EL1
  EXPECT_EQ(read(SysRegId::make(3, 0, 13, 0, 1)), 0x42u);
  write(SysRegId::make(2, 0, 0, 2, 2), 0x1000);  // MDSCR_EL1.TDCC
  EXPECT_EQ(read(SysRegId::make(2, 0, 0, 2, 2)), 0x1000u);
  write(regs::kCntkctl, ~uint64_t{0});
  EXPECT_EQ(read(regs::kCntkctl), 0x3ffu);
  write(regs::kSpsr, ~uint64_t{0});
  EXPECT_EQ(read(regs::kSpsr), 0xf03003dfu);
  // Only two breakpoints and two watchpoints exist.
  EXPECT_EQ(exec_fault(mrs(1, SysRegId::make(2, 0, 0, 2, 4))), kUndef);
}

TEST_F(SysRegsTest, SpEl0SpselAndCurrentEl) {
  Core& c = core();
  c.sp = 0x2000;
  c.banked_sp_el0 = 0x1000;
  EXPECT_EQ(read(regs::kCurrentEl), 4u);
  EXPECT_EQ(read(regs::kSpsel), 1u);
  EXPECT_EQ(read(regs::kSpEl0), 0x1000u);
  write(regs::kSpEl0, 0x1800);
  EXPECT_EQ(c.banked_sp_el0, 0x1800u);
  EXPECT_FALSE(exec(msr_imm(0, 0, 5)));  // MSR SPSel, #0
  EXPECT_FALSE(c.spsel);
  EXPECT_EQ(c.sp, 0x1800u);
  EXPECT_EQ(c.banked_sp_el1, 0x2000u);
  EXPECT_EQ(read(regs::kSpsel), 0u);
  // With SP_EL0 selected, SP_EL0 is not accessible by name.
  EXPECT_EQ(exec_fault(mrs(1, regs::kSpEl0)), kUndef);
  c.el = 1;
  c.spsel = false;
  EXPECT_EQ(exec_fault(msr(regs::kSpEl0, 1)), kUndef);
  c.el = 1;
  c.spsel = false;
  c.sp = 0x1800;
  c.banked_sp_el1 = 0x2000;
  write(regs::kSpsel, 1);
  EXPECT_TRUE(c.spsel);
  EXPECT_EQ(c.sp, 0x2000u);
  el0();
  EXPECT_EQ(exec_fault(msr_imm(0, 1, 5)), kUndef);  // SPSel at EL0
}

TEST_F(SysRegsTest, UnimplementedPstateFieldsAndRegistersAreUndefined) {
  const uint32_t pstate_imm[] = {
      msr_imm(0, 1, 3),  // UAO
      msr_imm(0, 1, 4),  // PAN
      msr_imm(3, 1, 2),  // DIT
      msr_imm(3, 1, 1),  // SSBS
      msr_imm(3, 1, 4),  // TCO
      msr_imm(1, 1, 0),  // unallocated op1
      0xd500401f,        // CFINV
  };
  for (uint32_t insn : pstate_imm) {
    EXPECT_EQ(exec_fault(insn), kUndef) << std::hex << insn;
    el1();
  }
  const SysRegId missing[] = {
      SysRegId::make(3, 0, 4, 2, 3),   // PAN
      SysRegId::make(3, 0, 4, 2, 4),   // UAO
      SysRegId::make(3, 3, 4, 2, 5),   // DIT
      SysRegId::make(3, 3, 4, 2, 6),   // SSBS
      SysRegId::make(3, 3, 2, 4, 0),   // RNDR
      SysRegId::make(3, 3, 9, 12, 0),  // PMCR_EL0 (no PMU)
      SysRegId::make(3, 4, 4, 1, 0),   // SP_EL1 (EL2 access only)
      SysRegId::make(3, 4, 1, 1, 0),   // HCR_EL2
      SysRegId::make(3, 4, 14, 1, 0),  // CNTHCTL_EL2
      SysRegId::make(3, 6, 1, 1, 0),   // SCR_EL3
      SysRegId::make(3, 0, 1, 2, 0),   // ZCR_EL1
      SysRegId::make(3, 0, 2, 1, 0),   // APIAKeyLo_EL1
      SysRegId::make(3, 0, 15, 0, 0),  // IMPLEMENTATION DEFINED space
  };
  for (SysRegId id : missing) {
    EXPECT_EQ(exec_fault(mrs(1, id)), kUndef) << std::hex << id.packed;
    el1();
    EXPECT_EQ(exec_fault(msr(id, 1)), kUndef) << std::hex << id.packed;
    el1();
  }
}

TEST_F(SysRegsTest, Op0ZeroEncodingsAreNotRegisters) {
  Core& c = core();
  c.sys.mdscr = 0x1000;
  // op0 = 0b00 with MDSCR_EL1's other fields (2, 0, 0, 2, 2): MRS and MSR.
  EXPECT_EQ(exec_fault(0xd5200241), kUndef);
  el1();
  EXPECT_EQ(exec_fault(0xd5000241), kUndef);
  el1();
  EXPECT_EQ(exec_fault(0xd5032001), kUndef);  // hint space with Rt != 31
  EXPECT_EQ(c.sys.mdscr, 0x1000u);
}

TEST_F(SysRegsTest, OsLockAndClaimTags) {
  const SysRegId kOslar = SysRegId::make(2, 0, 1, 0, 4), kOslsr = SysRegId::make(2, 0, 1, 1, 4);
  const SysRegId kSet = SysRegId::make(2, 0, 7, 8, 6), kClr = SysRegId::make(2, 0, 7, 9, 6);
  EXPECT_EQ(read(kOslsr), 0xau);  // locked at cold reset
  write(kOslar, 0);
  EXPECT_EQ(read(kOslsr), 0x8u);
  write(kOslar, 1);
  EXPECT_EQ(read(kOslsr), 0xau);
  EXPECT_EQ(exec_fault(mrs(1, kOslar)), kUndef);  // write-only
  el1();
  EXPECT_EQ(exec_fault(msr(kOslsr, 1)), kUndef);  // read-only
  el1();
  EXPECT_EQ(read(kSet), 0xffu);
  write(kSet, 0x15);
  write(kClr, 0x05);
  EXPECT_EQ(read(kClr), 0x10u);
}

TEST_F(SysRegsTest, DebugCommsChannelTrapsAtEl0WithTdcc) {
  Core& c = core();
  const SysRegId kMdccsr = SysRegId::make(2, 3, 0, 1, 0);
  el0();
  EXPECT_EQ(read(kMdccsr), 0u);
  c.sys.mdscr = 1u << 12;
  EXPECT_EQ(exec_fault(mrs(1, kMdccsr)), esr(0x18, sysreg_iss(kMdccsr, 1, true)));
}

// --- the generic timer through MRS/MSR ------------------------------------------

TEST_F(SysRegsTest, TimerRegistersDriveTheLines) {
  Core& c = core();
  clock_.set(1'000'000'000);  // 24e6 ticks
  EXPECT_EQ(read(regs::kCntvct), 24'000'000u);
  EXPECT_EQ(read(regs::kCntpct), 24'000'000u);
  write(regs::kCntvCval, 24'000'000 - 10);
  EXPECT_FALSE(vtimer_.level());
  write(regs::kCntvCtl, 1);
  EXPECT_TRUE(c.end_block);
  EXPECT_TRUE(vtimer_.level());
  EXPECT_FALSE(ptimer_.level());
  EXPECT_EQ(read(regs::kCntvCtl), 5u);  // ENABLE | ISTATUS
  EXPECT_EQ(read(regs::kCntvTval), 0xfffffff6u);
  write(regs::kCntvCtl, 3);  // masked
  EXPECT_FALSE(vtimer_.level());
  EXPECT_EQ(read(regs::kCntvCtl), 7u);
  write(regs::kCntpTval, 100);
  EXPECT_EQ(read(regs::kCntpCval), 24'000'100u);
  write(regs::kCntpCtl, 1);
  EXPECT_FALSE(ptimer_.level());
  EXPECT_EQ(read(regs::kCntpCtl), 1u);
  clock_.set(2'000'000'000);
  EXPECT_EQ(read(regs::kCntpCtl), 5u);
}

// --- hints, barriers ------------------------------------------------------------------

TEST_F(SysRegsTest, WfiWfeTrapAtEl0UnlessAllowed) {
  Core& c = core();
  c.sys.sctlr &= ~(sctlr::kNtwi | sctlr::kNtwe);
  el0();
  EXPECT_EQ(exec_fault(wfi()), esr(0x01, 0x1e00000));
  EXPECT_EQ(c.sys.elr, kCode);
  el0();
  EXPECT_EQ(exec_fault(wfe()), esr(0x01, 0x1e00001));
  el0();
  c.sys.sctlr |= sctlr::kNtwi | sctlr::kNtwe;
  EXPECT_FALSE(exec(wfi()));
  EXPECT_FALSE(exec(wfe()));
  EXPECT_EQ(c.el, 0u);
}

TEST_F(SysRegsTest, WfiAtEl1LeavesRunWithTheTimerDeadline) {
  Core& c = core();
  c.sys.cntkctl = 0;
  c.timer->set_cval(GenericTimer::Channel::kVirtual, 48'000'000);
  c.timer->set_ctl(GenericTimer::Channel::kVirtual, 1);
  VcpuExit exit = run_at(kCode, {wfi(), nop()});
  auto* w = std::get_if<WfiExit>(&exit);
  ASSERT_NE(w, nullptr) << exit.index();
  ASSERT_TRUE(w->deadline_ns.has_value());
  EXPECT_EQ(c.pc, kCode + 4);
  // Without an armed timer there is no deadline.
  c.timer->set_ctl(GenericTimer::Channel::kVirtual, 0);
  exit = run_at(kCode, {wfi(), nop()});
  w = std::get_if<WfiExit>(&exit);
  ASSERT_NE(w, nullptr) << exit.index();
  EXPECT_FALSE(w->deadline_ns.has_value());
}

TEST_F(SysRegsTest, EveryOtherHintIsANop) {
  Core& c = core();
  for (unsigned n = 0; n < 128; ++n) {
    if (n >= 2 && n <= 5) continue;  // WFE WFI SEV SEVL
    for (unsigned i = 0; i < 31; ++i)
      c.x[i] = 0x100 + i;
    c.sp = 0x2000;
    c.nzcv = 0x60000000;
    c.pc = kCode;
    EXPECT_FALSE(exec(hint(n))) << n;
    EXPECT_EQ(c.pc, kCode + 4) << n;
    EXPECT_EQ(c.x[30], 0x100u + 30) << n;  // PACIASP/AUTIASP leave LR alone
    EXPECT_EQ(c.x[17], 0x100u + 17) << n;  // PACIA1716
    EXPECT_EQ(c.sp, 0x2000u) << n;
    EXPECT_EQ(c.nzcv, 0x60000000u) << n;
  }
  EXPECT_FALSE(exec(hint(4)));  // SEV
  EXPECT_FALSE(exec(hint(5)));  // SEVL
}

TEST_F(SysRegsTest, Barriers) {
  Core& c = core();
  c.excl_valid = true;
  EXPECT_FALSE(exec(clrex()));
  EXPECT_FALSE(c.excl_valid);
  EXPECT_FALSE(exec(dsb_sy()));
  EXPECT_FALSE(exec(dmb_ish()));
  EXPECT_FALSE(c.end_block);
  EXPECT_FALSE(exec(isb()));
  EXPECT_TRUE(c.end_block);
  EXPECT_EQ(exec_fault(sb()), kUndef);  // FEAT_SB is hidden
}

// --- SYS --------------------------------------------------------------------------------

TEST_F(SysRegsTest, DcZvaZeroesTheAlignedBlock) {
  Core& c = core();
  identity_mmu();
  uint64_t block = kRam + 0x3000;
  for (uint64_t a = block - 8; a < block + 72; a += 8)
    ASSERT_TRUE(ram_.write_le<uint64_t>(a, ~uint64_t{0}));
  c.x[3] = block + 0x28;
  EXPECT_FALSE(exec(sys(3, 7, 4, 1, 3)));
  EXPECT_EQ(ram_.read_le<uint64_t>(block - 8), ~uint64_t{0});
  for (uint64_t a = block; a < block + 64; a += 8)
    EXPECT_EQ(ram_.read_le<uint64_t>(a), 0u) << a - block;
  EXPECT_EQ(ram_.read_le<uint64_t>(block + 64), ~uint64_t{0});
}

TEST_F(SysRegsTest, DcZvaWithTheMmuOffIsAnAlignmentFault) {
  // Data accesses are Device-nGnRnE without stage 1, and DC ZVA to Device
  // memory faults: data abort, same EL, FSC alignment, WnR = 1.
  Core& c = core();
  c.x[3] = kRam + 0x3000;
  uint64_t e = exec_fault(sys(3, 7, 4, 1, 3));
  EXPECT_EQ(e >> 26, 0x25u);
  EXPECT_EQ(e & 0x3f, 0x21u);
  EXPECT_EQ(e & (1u << 6), 1u << 6);
  EXPECT_EQ(c.sys.far, kRam + 0x3000);
}

TEST_F(SysRegsTest, MaintenanceByVaFaultsWithCm) {
  Core& c = core();
  identity_mmu();
  c.x[3] = 0x8000'1040;  // level-1 entry 2 is invalid
  for (uint32_t insn : {sys(3, 7, 14, 1, 3), sys(3, 7, 10, 1, 3), sys(3, 7, 11, 1, 3),
                        sys(0, 7, 6, 1, 3), sys(3, 7, 5, 1, 3)}) {
    uint64_t e = exec_fault(insn);
    EXPECT_EQ(e >> 26, 0x25u) << std::hex << insn;
    EXPECT_EQ(e & 0x3f, 0x05u) << std::hex << insn;         // translation fault, level 1
    EXPECT_EQ(e & (1u << 8 | 1u << 6), 1u << 8 | 1u << 6);  // CM, WnR
    EXPECT_EQ(c.sys.far, 0x8000'1040u);
    el1();
  }
  // From EL0 the abort comes from the lower EL.
  c.sys.sctlr |= sctlr::kUci;
  el0();
  EXPECT_EQ(exec_fault(sys(3, 7, 14, 1, 3)) >> 26, 0x24u);
}

TEST_F(SysRegsTest, El0CacheMaintenanceRules) {
  Core& c = core();
  identity_mmu();
  c.x[3] = kRam + 0x3000;
  el0();
  // DC ZVA without SCTLR.DZE: op0 1, op1 3, CRn 7, CRm 4, op2 1, Rt 3, write.
  EXPECT_EQ(exec_fault(sys(3, 7, 4, 1, 3)), esr(0x18, 0x12dc68));
  for (unsigned crm : {10u, 11u, 14u}) {  // DC CVAC, CVAU, CIVAC without UCI
    el0();
    EXPECT_EQ(exec_fault(sys(3, 7, crm, 1, 3)), esr(0x18, 0x12dc60 + (crm << 1))) << crm;
  }
  el0();
  EXPECT_EQ(exec_fault(sys(3, 7, 5, 1, 3)), esr(0x18, 0x12dc6a));  // IC IVAU without UCI
  el0();
  EXPECT_EQ(exec_fault(sys(0, 7, 6, 1, 3)), kUndef);  // DC IVAC
  el0();
  EXPECT_EQ(exec_fault(sys(0, 7, 5, 0, 31)), kUndef);  // IC IALLU
  el0();
  EXPECT_EQ(exec_fault(sys(0, 7, 6, 2, 3)), kUndef);  // DC ISW
  el0();
  EXPECT_EQ(exec_fault(sys(0, 8, 7, 0, 31)), kUndef);  // TLBI VMALLE1
  el0();
  EXPECT_EQ(exec_fault(sys(0, 7, 8, 0, 3)), kUndef);  // AT S1E1R
  el0();
  c.sys.sctlr |= sctlr::kDze | sctlr::kUci;
  for (uint32_t insn : {sys(3, 7, 4, 1, 3), sys(3, 7, 10, 1, 3), sys(3, 7, 11, 1, 3),
                        sys(3, 7, 14, 1, 3), sys(3, 7, 5, 1, 3)})
    EXPECT_FALSE(exec(insn)) << std::hex << insn;
  EXPECT_EQ(c.el, 0u);
}

// Every SYS encoding at EL0 with SCTLR.DZE/UCI clear: the five EL0 cache
// operations trap (EC 0x18), everything else is UNDEFINED.
TEST_F(SysRegsTest, El0SysSweep) {
  Core& c = core();
  c.sys.sctlr &= ~(sctlr::kDze | sctlr::kUci);
  std::set<uint32_t> trapped;
  for (unsigned op1 = 0; op1 < 8; ++op1)
    for (unsigned crn = 0; crn < 16; ++crn)
      for (unsigned crm = 0; crm < 16; ++crm)
        for (unsigned op2 = 0; op2 < 8; ++op2) {
          el0();
          c.x[3] = kRam;
          ASSERT_TRUE(exec(sys(op1, crn, crm, op2, 3)));
          if (c.sys.esr >> 26 == 0x18) {
            trapped.insert(SysRegId::make(1, op1, crn, crm, op2).packed);
          } else {
            ASSERT_EQ(c.sys.esr, kUndef);
          }
        }
  std::set<uint32_t> expected;
  for (unsigned crm : {4u, 10u, 11u, 14u, 5u})  // DC ZVA, CVAC, CVAU, CIVAC; IC IVAU
    expected.insert(SysRegId::make(1, 3, 7, crm, 1).packed);
  EXPECT_EQ(trapped, expected);
}

TEST_F(SysRegsTest, El1MaintenanceTlbiAndAt) {
  Core& c = core();
  c.x[3] = kRam + 0x3040;
  const uint32_t ok[] = {
      sys(0, 7, 6, 1, 3),  sys(0, 7, 6, 2, 3),  sys(0, 7, 10, 2, 3), sys(0, 7, 14, 2, 3),
      sys(3, 7, 10, 1, 3), sys(3, 7, 11, 1, 3), sys(3, 7, 14, 1, 3), sys(3, 7, 5, 1, 3),
      sys(0, 7, 5, 0, 31), sys(0, 7, 1, 0, 31), sys(0, 8, 7, 0, 31), sys(0, 8, 7, 1, 3),
      sys(0, 8, 7, 2, 3),  sys(0, 8, 7, 3, 3),  sys(0, 8, 7, 5, 3),  sys(0, 8, 7, 7, 3),
      sys(0, 8, 3, 0, 31), sys(0, 8, 3, 1, 3),  sys(0, 8, 3, 2, 3),  sys(0, 8, 3, 3, 3),
      sys(0, 8, 3, 5, 3),  sys(0, 8, 3, 7, 3),
  };
  for (uint32_t insn : ok)
    EXPECT_FALSE(exec(insn)) << std::hex << insn;
  const uint32_t undefined[] = {
      sys(3, 7, 12, 1, 3),  // DC CVAP (no DPB)
      sys(3, 7, 13, 1, 3),  // DC CVADP
      sys(0, 8, 1, 0, 31),  // TLBI VMALLE1OS (FEAT_TLBIOS)
      sys(0, 8, 6, 1, 3),   // TLBI RVAE1 (FEAT_TLBIRANGE)
      sys(0, 8, 7, 4, 3),   // unallocated TLBI op2
      sys(0, 7, 9, 0, 3),   // AT S1E1RP (PAN)
      sys(4, 8, 7, 0, 31),  // TLBI ALLE2
      sys(0, 11, 0, 0, 0),  // IMPLEMENTATION DEFINED
  };
  for (uint32_t insn : undefined) {
    EXPECT_EQ(exec_fault(insn), kUndef) << std::hex << insn;
    el1();
  }
  // AT with the MMU off: PAR_EL1.F = 0 and the PA is the VA.
  c.sys.par = 1;
  EXPECT_FALSE(exec(sys(0, 7, 8, 0, 3)));
  EXPECT_EQ(c.sys.par & 1, 0u);
  EXPECT_EQ(bits(c.sys.par, 47, 12), (kRam + 0x3000) >> 12);
}

TEST_F(SysRegsTest, TlbiOperandsReachTheTlb) {
  // A cached translation stays usable after its descriptor is cleared until
  // a TLBI that covers it; then the access faults (translation, level 1).
  Core& c = core();
  const uint64_t va = kRam + 0x3008;
  const uint64_t desc_addr = kRam + 0x8000 + 8 * (kRam >> 30);
  struct Case {
    uint32_t tlbi;
    uint64_t xt;
  } cases[] = {
      {sys(0, 8, 7, 0, 31), 0},                                 // VMALLE1
      {sys(0, 8, 7, 1, 4), va >> 12 | uint64_t{0x55} << 48},    // VAE1 (global entry)
      {sys(0, 8, 7, 5, 4), va >> 12},                           // VALE1
      {sys(0, 8, 7, 3, 4), va >> 12 | uint64_t{0x1234} << 48},  // VAAE1
      {sys(0, 8, 7, 7, 4), va >> 12},                           // VAALE1
      {sys(0, 8, 3, 0, 31), 0},                                 // VMALLE1IS
      {sys(0, 8, 3, 1, 4), va >> 12},                           // VAE1IS
      {sys(0, 8, 3, 3, 4), va >> 12},                           // VAAE1IS
  };
  for (const Case& k : cases) {
    identity_mmu();
    c.x[3] = va;
    EXPECT_FALSE(exec(ldr_x1_x3()));
    ASSERT_TRUE(ram_.write_le<uint64_t>(desc_addr, 0));
    EXPECT_FALSE(exec(ldr_x1_x3())) << "the translation was not cached";
    c.x[4] = k.xt;
    EXPECT_FALSE(exec(k.tlbi)) << std::hex << k.tlbi;
    uint64_t e = exec_fault(ldr_x1_x3());
    EXPECT_EQ(e >> 26, 0x25u) << std::hex << k.tlbi;
    EXPECT_EQ(e & 0x3f, 0x05u) << std::hex << k.tlbi;
    el1();
  }
}

// --- GIC CPU interface ------------------------------------------------------------

TEST_F(SysRegsTest, IccRegistersAreForwardedToTheVmm) {
  Core& c = core();
  const SysRegId kPmr = SysRegId::make(3, 0, 4, 6, 0), kEoir1 = SysRegId::make(3, 0, 12, 12, 1);
  put(kCode + 4, msr(kEoir1, 2));
  put(kCode + 8, hvc(0));
  c.x[2] = 27;
  VcpuExit exit = run_at(kCode, {mrs(1, kPmr)});
  auto* s = std::get_if<SysRegExit>(&exit);
  ASSERT_NE(s, nullptr) << exit.index();
  EXPECT_EQ(s->id, kPmr);
  EXPECT_FALSE(s->is_write);
  vcpu_->complete_sysreg_read(0xf0);
  exit = vcpu_->run();
  s = std::get_if<SysRegExit>(&exit);
  ASSERT_NE(s, nullptr) << exit.index();
  EXPECT_EQ(c.x[1], 0xf0u);
  EXPECT_EQ(s->id, kEoir1);
  EXPECT_TRUE(s->is_write);
  EXPECT_EQ(s->value, 27u);
  exit = vcpu_->run();
  EXPECT_TRUE(std::holds_alternative<HvcExit>(exit)) << exit.index();
  EXPECT_EQ(c.pc, kCode + 12);
}

TEST_F(SysRegsTest, IccRegisterTheVmmRejectsIsUndefined) {
  Core& c = core();
  put(kVbar + 0x200, hvc(0));
  VcpuExit exit = run_at(kCode, {mrs(1, SysRegId::make(3, 0, 12, 12, 0))});
  ASSERT_TRUE(std::holds_alternative<SysRegExit>(exit)) << exit.index();
  vcpu_->complete_sysreg(false);
  exit = vcpu_->run();
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit)) << exit.index();
  EXPECT_EQ(c.sys.esr, kUndef);
  EXPECT_EQ(c.sys.elr, kCode);
}

TEST_F(SysRegsTest, IsrMirrorsTheInterruptLines) {
  EXPECT_EQ(read(regs::kIsr), 0u);
  vcpu_->set_irq(true);
  EXPECT_EQ(read(regs::kIsr), 0x80u);
  vcpu_->set_fiq(true);
  EXPECT_EQ(read(regs::kIsr), 0xc0u);
  vcpu_->set_irq(false);
  EXPECT_EQ(read(regs::kIsr), 0x40u);
}

}  // namespace
}  // namespace vmapple::arm64::test
