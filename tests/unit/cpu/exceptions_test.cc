// Exception entry and return of the software CPU (scope §2): vectors, SPSR,
// ELR, ESR, FAR, DAIF, the SP switch, ERET including illegal returns, and
// the exception-generating instructions.
#include <variant>

#include "unit/cpu/sys_fixture.h"

namespace vmapple::arm64::test {
namespace {

using namespace sysasm;

class ExceptionsTest : public SysFixture {
 protected:
  ExceptionsTest() {
    Core& c = core();
    c.sys.vbar = kVbar;
    c.pc = kCode;
  }
  // Puts the core at EL1 (EL0) with DAIF masked (clear) and distinct stack
  // pointers: SP_EL0 = 0x1000, SP_EL1 = 0x2000.
  void at_el1(bool spsel) {
    Core& c = core();
    c.el = 1;
    c.spsel = spsel;
    c.daif = 0x3c0;
    c.pstate_il = false;
    c.banked_sp_el0 = spsel ? 0x1000 : 0;
    c.banked_sp_el1 = spsel ? 0 : 0x2000;
    c.sp = spsel ? 0x2000 : 0x1000;
    c.pc = kCode;
  }
  void at_el0() {
    Core& c = core();
    c.el = 0;
    c.spsel = false;
    c.daif = 0;
    c.pstate_il = false;
    c.sp = 0x1000;
    c.banked_sp_el1 = 0x2000;
    c.pc = kCode;
  }
};

TEST_F(ExceptionsTest, PstateLayout) {
  Core& c = core();
  c.set_nzcv(true, false, true, false);
  c.daif = 0x140;  // D and I
  c.el = 1;
  c.spsel = true;
  EXPECT_EQ(c.pstate(), 0xa0000145u);
  c.pstate_il = true;
  c.pstate_ss = true;
  EXPECT_EQ(c.pstate(), 0xa0300145u);
}

TEST_F(ExceptionsTest, SyncFromEl1SpxUsesCurrentElSpxVector) {
  Core& c = core();
  at_el1(true);
  c.set_nzcv(false, true, true, false);  // Z C
  c.daif = 0;
  c.excl_valid = true;
  ASSERT_TRUE(exec(brk(0x1234)));
  EXPECT_EQ(c.pc, kVbar + 0x200);
  EXPECT_EQ(c.sys.elr, kCode);  // BRK: the faulting instruction
  EXPECT_EQ(c.sys.spsr, 0x60000005u);
  EXPECT_EQ(c.sys.esr, esr(0x3c, 0x1234));
  EXPECT_EQ(c.daif, 0x3c0u);
  EXPECT_EQ(c.el, 1u);
  EXPECT_TRUE(c.spsel);
  EXPECT_EQ(c.sp, 0x2000u);
  EXPECT_FALSE(c.excl_valid);
}

TEST_F(ExceptionsTest, SyncFromEl1Sp0UsesCurrentElSp0VectorAndSwitchesToSpEl1) {
  Core& c = core();
  at_el1(false);
  c.daif = 0x3c0;
  ASSERT_TRUE(exec(svc(7)));
  EXPECT_EQ(c.pc, kVbar + 0x000);
  EXPECT_EQ(c.sys.elr, kCode + 4);  // SVC: the next instruction
  EXPECT_EQ(c.sys.spsr, 0x3c4u);    // EL1t, DAIF masked
  EXPECT_EQ(c.sys.esr, esr(0x15, 7));
  EXPECT_TRUE(c.spsel);
  EXPECT_EQ(c.sp, 0x2000u);
  EXPECT_EQ(c.banked_sp_el0, 0x1000u);
}

TEST_F(ExceptionsTest, SvcFromEl0UsesLowerElVector) {
  Core& c = core();
  at_el0();
  c.set_nzcv(true, false, false, true);
  ASSERT_TRUE(exec(svc(0x42)));
  EXPECT_EQ(c.pc, kVbar + 0x400);
  EXPECT_EQ(c.sys.elr, kCode + 4);
  EXPECT_EQ(c.sys.spsr, 0x90000000u);  // EL0t, DAIF clear
  EXPECT_EQ(c.sys.esr, esr(0x15, 0x42));
  EXPECT_EQ(c.el, 1u);
  EXPECT_TRUE(c.spsel);
  EXPECT_EQ(c.daif, 0x3c0u);
  EXPECT_EQ(c.sp, 0x2000u);
  EXPECT_EQ(c.banked_sp_el0, 0x1000u);
}

TEST_F(ExceptionsTest, UndefinedFromEl0) {
  Core& c = core();
  at_el0();
  ASSERT_TRUE(exec(0x00000000));  // UDF #0
  EXPECT_EQ(c.pc, kVbar + 0x400);
  EXPECT_EQ(c.sys.elr, kCode);
  EXPECT_EQ(c.sys.esr, esr(0, 0));
}

TEST_F(ExceptionsTest, InterruptsUseTheirVectorOffsetsAndKeepEsr) {
  Core& c = core();
  struct Case {
    int from;  // 0: EL0, 1: EL1t, 2: EL1h
    ExceptionKind kind;
    uint64_t offset;
  } cases[] = {
      {0, ExceptionKind::kIrq, 0x480}, {0, ExceptionKind::kFiq, 0x500},
      {1, ExceptionKind::kIrq, 0x080}, {1, ExceptionKind::kFiq, 0x100},
      {2, ExceptionKind::kIrq, 0x280}, {2, ExceptionKind::kFiq, 0x300},
  };
  for (const Case& k : cases) {
    if (k.from == 0)
      at_el0();
    else
      at_el1(k.from == 2);
    c.daif = 0;
    c.sys.esr = 0x1111;
    c.sys.far = 0x2222;
    uint64_t before = c.pstate();
    c.take_interrupt(k.kind, kCode + 8);
    EXPECT_EQ(c.next_pc, kVbar + k.offset) << k.from;
    EXPECT_EQ(c.sys.elr, kCode + 8);
    EXPECT_EQ(c.sys.spsr, before);
    EXPECT_EQ(c.sys.esr, 0x1111u);  // asynchronous: no syndrome
    EXPECT_EQ(c.sys.far, 0x2222u);
    EXPECT_EQ(c.daif, 0x3c0u);
    EXPECT_EQ(c.el, 1u);
    EXPECT_TRUE(c.spsel);
    EXPECT_EQ(c.sp, 0x2000u);
  }
}

TEST_F(ExceptionsTest, AbortWritesFarAndClearsIlAndSs) {
  Core& c = core();
  at_el1(true);
  c.pstate_ss = true;
  EXPECT_THROW(c.take_abort(ec::kDataAbortSame, 0x47, 0xdead'beef'0000, kCode), ExceptionTaken);
  EXPECT_EQ(c.sys.far, 0xdead'beef'0000u);
  EXPECT_EQ(c.sys.esr, esr(0x25, 0x47));
  EXPECT_EQ(c.sys.elr, kCode);
  EXPECT_EQ(c.next_pc, kVbar + 0x200);
  EXPECT_EQ(c.sys.spsr, 0x200005u | 0x3c0u);  // SS was set
  EXPECT_FALSE(c.pstate_ss);
  EXPECT_FALSE(c.pstate_il);
}

TEST_F(ExceptionsTest, ExceptionHookHandledLeavesStateAlone) {
  Core& c = core();
  at_el0();
  c.sys.spsr = 0x55;
  c.sys.elr = 0x66;
  c.sys.esr = 0x77;
  uint32_t seen_ec = 0, seen_iss = 0;
  c.exception_hook = [&](Core& core, uint32_t ec, uint32_t iss) {
    seen_ec = ec;
    seen_iss = iss;
    EXPECT_EQ(core.next_pc, kCode + 4);
    return true;
  };
  ASSERT_TRUE(exec(svc(9)));  // ExceptionTaken unwinds; execution goes on at next_pc
  EXPECT_EQ(seen_ec, 0x15u);
  EXPECT_EQ(seen_iss, 9u);
  EXPECT_EQ(c.pc, kCode + 4);
  EXPECT_EQ(c.el, 0u);
  EXPECT_EQ(c.sys.spsr, 0x55u);
  EXPECT_EQ(c.sys.elr, 0x66u);
  EXPECT_EQ(c.sys.esr, 0x77u);

  // false: the exception is taken normally.
  c.exception_hook = [](Core&, uint32_t, uint32_t) { return false; };
  c.pc = kCode;
  ASSERT_TRUE(exec(brk(1)));
  EXPECT_EQ(c.pc, kVbar + 0x400);
  EXPECT_EQ(c.sys.esr, esr(0x3c, 1));
  c.exception_hook = nullptr;
}

TEST_F(ExceptionsTest, EretToEl0RestoresPstateAndSwitchesSp) {
  Core& c = core();
  at_el1(true);
  c.sys.spsr = 0x60000000 | 0x100;  // EL0t, Z C, A masked
  c.sys.elr = 0x8000;
  c.excl_valid = true;
  ASSERT_FALSE(exec(eret()));
  EXPECT_EQ(c.pc, 0x8000u);
  EXPECT_EQ(c.el, 0u);
  EXPECT_FALSE(c.spsel);
  EXPECT_EQ(c.nzcv, 0x60000000u);
  EXPECT_EQ(c.daif, 0x100u);
  EXPECT_EQ(c.sp, 0x1000u);
  EXPECT_EQ(c.banked_sp_el1, 0x2000u);
  EXPECT_FALSE(c.excl_valid);
  EXPECT_FALSE(c.pstate_il);
}

TEST_F(ExceptionsTest, EretToEl1tAndEl1h) {
  Core& c = core();
  at_el1(true);
  c.sys.spsr = 0x3c4;  // EL1t
  c.sys.elr = 0x9000;
  ASSERT_FALSE(exec(eret()));
  EXPECT_EQ(c.pc, 0x9000u);
  EXPECT_EQ(c.el, 1u);
  EXPECT_FALSE(c.spsel);
  EXPECT_EQ(c.sp, 0x1000u);
  c.sys.spsr = 0x3c5;  // EL1h
  ASSERT_FALSE(exec(eret()));
  EXPECT_TRUE(c.spsel);
  EXPECT_EQ(c.sp, 0x2000u);
}

TEST_F(ExceptionsTest, EretStripsTheTagUnderTbi) {
  Core& c = core();
  at_el1(true);
  c.sys.spsr = 0;
  c.sys.elr = 0xab00'0000'0000'8000;
  c.sys.tcr = 1ull << 37;  // TBI0
  ASSERT_FALSE(exec(eret()));
  EXPECT_EQ(c.pc, 0x8000u);
  // Without TBI the address is used as it is (and will fault on fetch).
  at_el1(true);
  c.sys.tcr = 0;
  ASSERT_FALSE(exec(eret()));
  EXPECT_EQ(c.pc, 0xab00'0000'0000'8000u);
}

TEST_F(ExceptionsTest, IllegalEretTargetsSetIlAndKeepTheMode) {
  Core& c = core();
  const uint64_t illegal[] = {
      0x8,   // EL2t
      0x9,   // EL2h
      0xc,   // EL3t
      0xd,   // EL3h
      0x10,  // AArch32 User
      0x13,  // AArch32 Supervisor
      0x6,   // reserved M[1]
      0x1,   // "EL0h"
  };
  for (uint64_t m : illegal) {
    at_el1(true);
    c.pstate_il = false;
    c.sys.spsr = 0x90000000 | 0x80 | m;  // N V, I masked
    c.sys.elr = 0x7000;
    ASSERT_FALSE(exec(eret())) << m;
    EXPECT_TRUE(c.pstate_il) << m;
    EXPECT_EQ(c.pc, 0x7000u) << m;  // PC ← ELR even so
    EXPECT_EQ(c.el, 1u) << m;
    EXPECT_TRUE(c.spsel) << m;
    EXPECT_EQ(c.sp, 0x2000u) << m;
    EXPECT_EQ(c.nzcv, 0x90000000u) << m;
    EXPECT_EQ(c.daif, 0x80u) << m;
    EXPECT_EQ(c.pstate() & (1u << 20), 1u << 20) << m;
  }
}

TEST_F(ExceptionsTest, EretCanRestoreIlAndTheIllegalStateExceptionClearsIt) {
  Core& c = core();
  at_el1(true);
  c.sys.spsr = 0x100005;  // EL1h with IL set
  c.sys.elr = 0x7000;
  ASSERT_FALSE(exec(eret()));
  EXPECT_TRUE(c.pstate_il);
  EXPECT_THROW(c.take_sync(ec::kIllegalState, 0, c.pc), ExceptionTaken);
  EXPECT_EQ(c.sys.esr, esr(0x0e, 0));
  EXPECT_EQ(c.sys.spsr & (1u << 20), 1u << 20);
  EXPECT_FALSE(c.pstate_il);
}

TEST_F(ExceptionsTest, IllegalReturnRaisesEc0eBeforeTheNextInstruction) {
  Core& c = core();
  at_el1(true);
  put(kVbar + 0x200, hvc(0));  // the handler reports back to us
  c.sys.spsr = 0x3c9;          // EL2h: illegal
  c.sys.elr = kCode + 0x100;
  put(kCode + 0x100, nop());
  VcpuExit exit = run_at(kCode, {eret()});
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit)) << exit.index();
  EXPECT_EQ(c.sys.esr, esr(0x0e, 0));
  EXPECT_EQ(c.sys.elr, kCode + 0x100);
  EXPECT_EQ(c.sys.spsr & (1u << 20), 1u << 20);
  EXPECT_FALSE(c.pstate_il);
}

TEST_F(ExceptionsTest, EretToMisalignedPcRaisesPcAlignmentFault) {
  Core& c = core();
  at_el1(true);
  put(kVbar + 0x200, hvc(0));
  c.sys.spsr = 0x3c5;
  c.sys.elr = kCode + 0x102;
  VcpuExit exit = run_at(kCode, {eret()});
  ASSERT_TRUE(std::holds_alternative<HvcExit>(exit)) << exit.index();
  EXPECT_EQ(c.sys.esr >> 26, 0x22u);
  EXPECT_EQ(c.sys.far, kCode + 0x102);
  EXPECT_EQ(c.sys.elr, kCode + 0x102);
}

TEST_F(ExceptionsTest, EretAtEl0IsUndefined) {
  at_el0();
  EXPECT_EQ(exec_fault(eret()), esr(0, 0));
}

TEST_F(ExceptionsTest, BrkSvcIssCarryImm16) {
  Core& c = core();
  at_el1(true);
  EXPECT_EQ(exec_fault(brk(0xffff)), esr(0x3c, 0xffff));
  EXPECT_EQ(c.sys.elr, kCode);
  at_el1(true);
  EXPECT_EQ(exec_fault(svc(0xffff)), esr(0x15, 0xffff));
  EXPECT_EQ(c.sys.elr, kCode + 4);
}

TEST_F(ExceptionsTest, HvcImm0AtEl1IsThePsciConduit) {
  Core& c = core();
  at_el1(true);
  c.x[0] = 0x84000000;  // PSCI_VERSION
  c.x[1] = 1;
  c.x[2] = 2;
  c.x[3] = 3;
  VcpuExit exit = run_at(kCode, {hvc(0), nop()});
  auto* hvc_exit = std::get_if<HvcExit>(&exit);
  ASSERT_NE(hvc_exit, nullptr) << exit.index();
  EXPECT_EQ(hvc_exit->imm, 0);
  EXPECT_FALSE(hvc_exit->is_smc);
  EXPECT_EQ(hvc_exit->x[0], 0x84000000u);
  EXPECT_EQ(hvc_exit->x[3], 3u);
  EXPECT_EQ(c.pc, kCode + 4);  // retired, no exception
  EXPECT_EQ(c.el, 1u);
}

TEST_F(ExceptionsTest, OtherHvcSmcHltDcpsDrpsAreUndefined) {
  at_el1(true);
  EXPECT_EQ(exec_fault(hvc(1)), esr(0, 0));
  EXPECT_EQ(exec_fault(smc(0)), esr(0, 0));
  EXPECT_EQ(exec_fault(hlt(0)), esr(0, 0));
  EXPECT_EQ(exec_fault(dcps1()), esr(0, 0));
  EXPECT_EQ(exec_fault(drps()), esr(0, 0));
  at_el0();
  EXPECT_EQ(exec_fault(hvc(0)), esr(0, 0));
  at_el0();
  EXPECT_EQ(exec_fault(smc(0)), esr(0, 0));
}

TEST_F(ExceptionsTest, CpacrFpenTrapsFpAccess) {
  Core& c = core();
  struct Case {
    uint64_t fpen;
    bool el1_ok, el0_ok;
  } cases[] = {{0, false, false}, {1, true, false}, {2, false, false}, {3, true, true}};
  for (const Case& k : cases) {
    c.sys.cpacr = k.fpen << 20;
    at_el1(true);
    EXPECT_EQ(c.fp_enabled(), k.el1_ok) << k.fpen;
    if (k.el1_ok)
      EXPECT_FALSE(exec(mrs(1, regs::kFpcr)));
    else
      EXPECT_EQ(exec_fault(mrs(1, regs::kFpsr)), esr(0x07, 0x1e00000)) << k.fpen;
    at_el0();
    EXPECT_EQ(c.fp_enabled(), k.el0_ok) << k.fpen;
    if (k.el0_ok)
      EXPECT_FALSE(exec(msr(regs::kFpcr, 1)));
    else
      EXPECT_EQ(exec_fault(msr(regs::kFpcr, 1)), esr(0x07, 0x1e00000)) << k.fpen;
  }
}

TEST_F(ExceptionsTest, VbarLowBitsAreRes0) {
  Core& c = core();
  at_el1(true);
  c.x[1] = kVbar | 0x7ff;
  ASSERT_FALSE(exec(msr(regs::kVbar, 1)));
  EXPECT_EQ(c.sys.vbar, kVbar);
}

}  // namespace
}  // namespace vmapple::arm64::test
