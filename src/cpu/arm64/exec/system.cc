// System instructions (Arm ARM C4.1.66 "System instructions" group): MRS,
// MSR (register and immediate), the HINT space, barriers, CLREX, and SYS
// (DC, IC, TLBI, AT).
#include <atomic>

#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/mmu.h"
#include "cpu/arm64/sysreg_access.h"
#include "cpu/arm64/vcpu_services.h"

namespace vmapple::arm64 {

namespace {

unsigned rt_of(uint32_t insn) {
  return insn & 31;
}

// --- MRS / MSR ---------------------------------------------------------------

// The decoder also hands over the unallocated op0 = 0b00 encodings outside
// the hint/barrier/PSTATE groups as MRS/MSR; no register lives there.
void check_op0(Core& c, uint32_t insn) {
  if (!bit(insn, 20)) c.undefined();
}

void exec_mrs(Core& c, uint32_t insn) {
  check_op0(c, insn);
  unsigned rt = rt_of(insn);
  c.set_xreg(rt, read_sysreg(c, SysRegId::from_insn(insn), rt));
}

void exec_msr_reg(Core& c, uint32_t insn) {
  check_op0(c, insn);
  unsigned rt = rt_of(insn);
  write_sysreg(c, SysRegId::from_insn(insn), c.xreg(rt), rt);
}

// MSR (immediate): only the PSTATE fields of ARMv8.0 exist with our ID
// values; PAN, UAO, DIT, SSBS, TCO, ... are unallocated, so UNDEFINED.
void exec_msr_imm(Core& c, uint32_t insn) {
  unsigned op1 = bits(insn, 18, 16), crm = bits(insn, 11, 8), op2 = bits(insn, 7, 5);
  uint32_t mask = crm << 6;  // DAIF bits 9..6 from CRm[3:0]
  switch (op1 << 3 | op2) {
    case 0b000'101:  // SPSel
      if (c.el == 0) c.undefined();
      c.select_sp(c.el, crm & 1);
      return;
    case 0b011'110:  // DAIFSet
    case 0b011'111:  // DAIFClr
      if (c.el == 0 && !(c.sys.sctlr & sctlr::kUma))
        trap_sysreg(c, SysRegId::make(0, op1, 4, crm, op2), 31, false);
      if (op2 == 0b110) {
        c.daif |= mask;
      } else {
        c.daif &= ~mask;
        c.end_block = true;  // a pending interrupt may now be taken
      }
      return;
    default:
      c.undefined();
  }
}

// --- hints -----------------------------------------------------------------

// ESR ISS of a trapped WFI/WFE from AArch64: CV = 1, COND = 0b1110, TI.
constexpr uint32_t kWfxIss = 1u << 24 | 0xeu << 20;

void exec_nop(Core&, uint32_t) {}

void exec_wfi(Core& c, uint32_t) {
  if (c.el == 0 && !(c.sys.sctlr & sctlr::kNtwi)) c.take_sync(ec::kWfx, kWfxIss | 0, c.pc);
  request_wfi_exit(c);
}

void exec_wfe(Core& c, uint32_t) {
  if (c.el == 0 && !(c.sys.sctlr & sctlr::kNtwe)) c.take_sync(ec::kWfx, kWfxIss | 1, c.pc);
  wait_for_event(c);
}

void exec_sev(Core& c, uint32_t) {
  send_event(c, false);
}

void exec_sevl(Core& c, uint32_t) {
  send_event(c, true);
}

// Every other hint (YIELD, ESB, PSB, CSDB, BTI, PACIASP/AUTIASP, ...) is a
// NOP with our ID values; the named ones are dispatched in case the decoder
// hands them over as plain HINT.
void exec_hint(Core& c, uint32_t insn) {
  switch (bits(insn, 11, 5)) {
    case 2:
      exec_wfe(c, insn);
      return;
    case 3:
      exec_wfi(c, insn);
      return;
    case 4:
      exec_sev(c, insn);
      return;
    case 5:
      exec_sevl(c, insn);
      return;
    default:
      return;
  }
}

// --- barriers ----------------------------------------------------------------

void exec_clrex(Core& c, uint32_t) {
  c.clear_exclusive();
}

void exec_dsb(Core& c, uint32_t) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  data_synchronization_barrier(c);
}

void exec_dmb(Core&, uint32_t) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

void exec_isb(Core& c, uint32_t) {
  c.end_block = true;  // context synchronization: refetch after this
}

// --- SYS: DC, IC, TLBI, AT -------------------------------------------------------

constexpr uint32_t sys_op(unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return SysRegId::make(1, op1, crn, crm, op2).packed;
}

constexpr uint64_t kTcrAs = 1ull << 36;

[[noreturn]] void trap_sys(Core& c, SysRegId id, unsigned rt) {
  trap_sysreg(c, id, rt, false);
}

// The physical address a by-VA cache maintenance instruction operates on;
// a translation or permission fault takes the data abort (CM=1, WnR=1).
uint64_t maintenance_pa(Core& c, uint64_t va, bool need_write) {
  return c.mmu->translate_maintenance(va, need_write);
}

// TLBI operand: VA[55:12] in Xt[43:0] (sign-extended from bit 55), ASID in
// Xt[63:48] (8 bits unless TCR_EL1.AS).
uint64_t tlbi_va(uint64_t xt) {
  return static_cast<uint64_t>(static_cast<int64_t>(bits(xt, 43, 0) << 20) >> 8);
}
uint16_t tlbi_asid(const Core& c, uint64_t xt) {
  auto asid = static_cast<uint16_t>(xt >> 48);
  return (c.sys.tcr & kTcrAs) ? asid : asid & 0xff;
}

void exec_tlbi(Core& c, SysRegId id, uint64_t xt) {
  unsigned crm = id.crm(), op2 = id.op2();
  if (crm != 3 && crm != 7) c.undefined();  // 3: Inner Shareable, 7: local
  uint64_t va = tlbi_va(xt);
  uint16_t asid = tlbi_asid(c, xt);
  auto run = [&c, crm](auto op) {
    if (crm == 3)
      broadcast_tlbi(c, op);  // runs it on this vCPU too
    else
      op(*c.mmu);
  };
  switch (op2) {
    case 0:  // VMALLE1
      run([](Mmu& m) { m.flush_all(); });
      return;
    case 1:  // VAE1
    case 5:  // VALE1
      run([va, asid, op2](Mmu& m) { m.flush_va(va, asid, false, op2 == 5); });
      return;
    case 2:  // ASIDE1
      run([asid](Mmu& m) { m.flush_asid(asid); });
      return;
    case 3:  // VAAE1
    case 7:  // VAALE1
      run([va, op2](Mmu& m) { m.flush_va(va, 0, true, op2 == 7); });
      return;
    default:
      c.undefined();
  }
}

void exec_sys(Core& c, uint32_t insn) {
  unsigned rt = rt_of(insn);
  SysRegId id = SysRegId::make(1, bits(insn, 18, 16), bits(insn, 15, 12), bits(insn, 11, 8),
                               bits(insn, 7, 5));
  uint64_t xt = c.xreg(rt);
  bool el0 = c.el == 0;
  bool uci = c.sys.sctlr & sctlr::kUci;
  switch (id.packed) {
    case sys_op(0, 7, 1, 0):  // IC IALLUIS
    case sys_op(0, 7, 5, 0):  // IC IALLU
      if (el0) c.undefined();
      invalidate_code_all(c, id.crm() == 1);
      c.end_block = true;
      return;
    case sys_op(3, 7, 5, 1):  // IC IVAU
      if (el0 && !uci) trap_sys(c, id, rt);
      invalidate_code_line(c, maintenance_pa(c, xt, false), true);
      c.end_block = true;
      return;
    case sys_op(0, 7, 6, 1):  // DC IVAC
      if (el0) c.undefined();
      maintenance_pa(c, xt, true);
      return;
    case sys_op(0, 7, 6, 2):   // DC ISW
    case sys_op(0, 7, 10, 2):  // DC CSW
    case sys_op(0, 7, 14, 2):  // DC CISW
      if (el0) c.undefined();
      return;                 // set/way: caches are not modelled
    case sys_op(3, 7, 4, 1):  // DC ZVA
      if (el0 && !(c.sys.sctlr & sctlr::kDze)) trap_sys(c, id, rt);
      c.mmu->zero_block(xt);
      return;
    case sys_op(3, 7, 10, 1):  // DC CVAC
    case sys_op(3, 7, 11, 1):  // DC CVAU
    case sys_op(3, 7, 14, 1):  // DC CIVAC
      if (el0 && !uci) trap_sys(c, id, rt);
      maintenance_pa(c, xt, false);
      return;
    case sys_op(0, 7, 8, 0):  // AT S1E1R
    case sys_op(0, 7, 8, 1):  // AT S1E1W
    case sys_op(0, 7, 8, 2):  // AT S1E0R
    case sys_op(0, 7, 8, 3):  // AT S1E0W
      if (el0) c.undefined();
      c.sys.par = c.mmu->address_translate(xt, id.op2() >= 2, id.op2() & 1);
      return;
    default:
      break;
  }
  if (id.op1() == 0 && id.crn() == 8 && !el0) {
    exec_tlbi(c, id, xt);
    return;
  }
  c.undefined();  // DC CVAP/CVADP (no DPB), OS/range TLBIs, IMPDEF space, ...
}

}  // namespace

void register_system(HandlerTable& t) {
  t[Op::MRS] = &exec_mrs;
  t[Op::MSR_reg] = &exec_msr_reg;
  t[Op::MSR_imm] = &exec_msr_imm;
  t[Op::NOP] = &exec_nop;
  t[Op::YIELD] = &exec_nop;
  t[Op::WFE] = &exec_wfe;
  t[Op::WFI] = &exec_wfi;
  t[Op::SEV] = &exec_sev;
  t[Op::SEVL] = &exec_sevl;
  t[Op::HINT] = &exec_hint;
  t[Op::CLREX] = &exec_clrex;
  t[Op::DSB] = &exec_dsb;
  t[Op::DMB] = &exec_dmb;
  t[Op::ISB] = &exec_isb;
  t[Op::SYS] = &exec_sys;
  // SB, DSB (nXS), TCOMMIT, CFINV/XAFLAG/AXFLAG, SYSL, WFET/WFIT stay
  // UNDEFINED: their features are hidden by the ID registers.
}

}  // namespace vmapple::arm64
