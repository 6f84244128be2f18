// MRS/MSR (register) of the EL0/EL1 system registers (Arm ARM D17/D19).
// Lookup is one switch on the packed encoding: first the registers EL0 may
// reach (with their configurable traps), then, at EL1 only, the rest.
#include "cpu/arm64/mmu.h"
#include "cpu/arm64/sysreg_access.h"
#include "cpu/arm64/timer.h"
#include "cpu/arm64/vcpu_services.h"

namespace vmapple::arm64 {

namespace {

constexpr uint32_t reg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return SysRegId::make(op0, op1, crn, crm, op2).packed;
}

// --- encodings ---------------------------------------------------------
// Accessible at EL0 (subject to traps).
constexpr uint32_t kNzcv = reg(3, 3, 4, 2, 0);
constexpr uint32_t kDaif = reg(3, 3, 4, 2, 1);
constexpr uint32_t kFpcr = reg(3, 3, 4, 4, 0);
constexpr uint32_t kFpsr = reg(3, 3, 4, 4, 1);
constexpr uint32_t kCtrEl0 = reg(3, 3, 0, 0, 1);
constexpr uint32_t kDczidEl0 = reg(3, 3, 0, 0, 7);
constexpr uint32_t kTpidrEl0 = reg(3, 3, 13, 0, 2);
constexpr uint32_t kTpidrroEl0 = reg(3, 3, 13, 0, 3);
constexpr uint32_t kCntfrqEl0 = reg(3, 3, 14, 0, 0);
constexpr uint32_t kCntpctEl0 = reg(3, 3, 14, 0, 1);
constexpr uint32_t kCntvctEl0 = reg(3, 3, 14, 0, 2);
constexpr uint32_t kCntpTvalEl0 = reg(3, 3, 14, 2, 0);
constexpr uint32_t kCntpCtlEl0 = reg(3, 3, 14, 2, 1);
constexpr uint32_t kCntpCvalEl0 = reg(3, 3, 14, 2, 2);
constexpr uint32_t kCntvTvalEl0 = reg(3, 3, 14, 3, 0);
constexpr uint32_t kCntvCtlEl0 = reg(3, 3, 14, 3, 1);
constexpr uint32_t kCntvCvalEl0 = reg(3, 3, 14, 3, 2);
constexpr uint32_t kMdccsrEl0 = reg(2, 3, 0, 1, 0);
constexpr uint32_t kDbgdtrEl0 = reg(2, 3, 0, 4, 0);
constexpr uint32_t kDbgdtrrxEl0 = reg(2, 3, 0, 5, 0);  // DBGDTRTX_EL0 when written

// EL1 only.
constexpr uint32_t kMidr = reg(3, 0, 0, 0, 0);
constexpr uint32_t kMpidr = reg(3, 0, 0, 0, 5);
constexpr uint32_t kRevidr = reg(3, 0, 0, 0, 6);
constexpr uint32_t kIdAa64Pfr0 = reg(3, 0, 0, 4, 0);
constexpr uint32_t kIdAa64Dfr0 = reg(3, 0, 0, 5, 0);
constexpr uint32_t kIdAa64Isar0 = reg(3, 0, 0, 6, 0);
constexpr uint32_t kIdAa64Mmfr0 = reg(3, 0, 0, 7, 0);
constexpr uint32_t kCcsidr = reg(3, 1, 0, 0, 0);
constexpr uint32_t kClidr = reg(3, 1, 0, 0, 1);
constexpr uint32_t kAidr = reg(3, 1, 0, 0, 7);
constexpr uint32_t kCsselr = reg(3, 2, 0, 0, 0);
constexpr uint32_t kSctlr = reg(3, 0, 1, 0, 0);
constexpr uint32_t kActlr = reg(3, 0, 1, 0, 1);
constexpr uint32_t kCpacr = reg(3, 0, 1, 0, 2);
constexpr uint32_t kTtbr0 = reg(3, 0, 2, 0, 0);
constexpr uint32_t kTtbr1 = reg(3, 0, 2, 0, 1);
constexpr uint32_t kTcr = reg(3, 0, 2, 0, 2);
constexpr uint32_t kSpsr = reg(3, 0, 4, 0, 0);
constexpr uint32_t kElr = reg(3, 0, 4, 0, 1);
constexpr uint32_t kSpEl0 = reg(3, 0, 4, 1, 0);
constexpr uint32_t kSpsel = reg(3, 0, 4, 2, 0);
constexpr uint32_t kCurrentEl = reg(3, 0, 4, 2, 2);
constexpr uint32_t kAfsr0 = reg(3, 0, 5, 1, 0);
constexpr uint32_t kAfsr1 = reg(3, 0, 5, 1, 1);
constexpr uint32_t kEsr = reg(3, 0, 5, 2, 0);
constexpr uint32_t kFar = reg(3, 0, 6, 0, 0);
constexpr uint32_t kPar = reg(3, 0, 7, 4, 0);
constexpr uint32_t kMair = reg(3, 0, 10, 2, 0);
constexpr uint32_t kAmair = reg(3, 0, 10, 3, 0);
constexpr uint32_t kVbar = reg(3, 0, 12, 0, 0);
constexpr uint32_t kIsr = reg(3, 0, 12, 1, 0);
constexpr uint32_t kContextidr = reg(3, 0, 13, 0, 1);
constexpr uint32_t kTpidrEl1 = reg(3, 0, 13, 0, 4);
constexpr uint32_t kCntkctl = reg(3, 0, 14, 1, 0);
// Debug (storage only).
constexpr uint32_t kOsdtrrx = reg(2, 0, 0, 0, 2);
constexpr uint32_t kMdccint = reg(2, 0, 0, 2, 0);
constexpr uint32_t kMdscr = reg(2, 0, 0, 2, 2);
constexpr uint32_t kOsdtrtx = reg(2, 0, 0, 3, 2);
constexpr uint32_t kOseccr = reg(2, 0, 0, 6, 2);
constexpr uint32_t kMdrar = reg(2, 0, 1, 0, 0);
constexpr uint32_t kOslar = reg(2, 0, 1, 0, 4);
constexpr uint32_t kOslsr = reg(2, 0, 1, 1, 4);
constexpr uint32_t kOsdlr = reg(2, 0, 1, 3, 4);
constexpr uint32_t kDbgprcr = reg(2, 0, 1, 4, 4);
constexpr uint32_t kDbgclaimset = reg(2, 0, 7, 8, 6);
constexpr uint32_t kDbgclaimclr = reg(2, 0, 7, 9, 6);
constexpr uint32_t kDbgauthstatus = reg(2, 0, 7, 14, 6);

// --- writable fields -------------------------------------------------------
// SCTLR_EL1: M A C SA SA0 CP15BEN ITD SED UMA I DZE UCT nTWI nTWE WXN UCI;
// the v8.0 RES1 bits read as one; EE/E0E are RES0 (little-endian only).
constexpr uint64_t kSctlrWritable = 0x040dd3bf;
constexpr uint64_t kSctlrRes1 = 0x30d00800;
// TCR_EL1 v8.0 fields (bits 6 and 35 RES0; HA/HD/HPD hidden by the ID values).
constexpr uint64_t kTcrWritable = 0x77ffffffbf;
constexpr uint64_t kCpacrFpen = 3u << 20;
constexpr uint64_t kCntkctlWritable = 0x3ff;
constexpr uint64_t kSpsrWritable = 0xf03003df;  // NZCV SS IL DAIF M[4:0]
constexpr uint64_t kFpcrWritable = 0x07c00000;  // AHP DN FZ RMode (traps RAZ/WI)
constexpr uint64_t kFpsrWritable = 0x0800009f;  // QC IDC IXC UFC OFC DZC IOC
constexpr uint64_t kVbarWritable = ~uint64_t{0x7ff};

// CNTKCTL_EL1 EL0 access controls.
constexpr uint64_t kEl0pcten = 1u << 0;
constexpr uint64_t kEl0vcten = 1u << 1;
constexpr uint64_t kEl0vten = 1u << 8;
constexpr uint64_t kEl0pten = 1u << 9;
constexpr uint64_t kMdscrTdcc = 1u << 12;

using Channel = GenericTimer::Channel;

bool is_el0(const Core& c) {
  return c.el == 0;
}

// EL0 accesses a configurable control forbids trap to EL1 with EC 0x18.
void check_el0(Core& c, bool allowed, SysRegId id, unsigned rt, bool is_read) {
  if (is_el0(c) && !allowed) trap_sysreg(c, id, rt, is_read);
}

bool el0_timer_allowed(const Core& c, uint64_t enable_bits) {
  return c.sys.cntkctl & enable_bits;
}

// GICv3 CPU interface registers, answered by the VMM (scope §1.7).
bool is_icc(SysRegId id) {
  if (id == icc::kPmrEl1) return true;
  return id.op0() == 3 && id.op1() == 0 && id.crn() == 12 && id.crm() >= 8;
}

// The ID register space: op0=3, op1=0, CRn=0, CRm=1..7 (unallocated ones RAZ).
bool is_id_space(SysRegId id) {
  return id.op0() == 3 && id.op1() == 0 && id.crn() == 0 && id.crm() >= 1;
}

// Debug breakpoint/watchpoint registers DBG{B,W}{V,C}R<n>_EL1: op0=2, op1=0,
// CRn=0, CRm=n, op2=4..7. Only n < 2 exist (ID_AA64DFR0: 2 BRPs, 2 WRPs).
uint64_t* debug_bp_wp(SysRegs& s, SysRegId id) {
  if (id.op0() != 2 || id.op1() != 0 || id.crn() != 0 || id.op2() < 4 || id.crm() >= 2)
    return nullptr;
  switch (id.op2()) {
    case 4:
      return &s.dbgbvr[id.crm()];
    case 5:
      return &s.dbgbcr[id.crm()];
    case 6:
      return &s.dbgwvr[id.crm()];
    default:
      return &s.dbgwcr[id.crm()];
  }
}

uint64_t ccsidr(uint64_t csselr) {
  switch (csselr & 0xf) {
    case 0:  // L1 data
      return idreg::kCcsidrL1d;
    case 1:  // L1 instruction
      return idreg::kCcsidrL1i;
    case 2:  // L2 unified
      return idreg::kCcsidrL2;
    default:  // no such cache: UNKNOWN
      return 0;
  }
}

uint64_t read_timer_ctl(Core& c, Channel ch) {
  return c.timer->ctl(ch);
}

// A GIC register: nullopt from the VMM means it does not exist.
uint64_t icc_access(Core& c, SysRegId id, bool is_write, uint64_t value) {
  std::optional<uint64_t> v = sysreg_access(c, id, is_write, value);
  if (!v) c.undefined();
  return *v;
}

void translation_changed(Core& c) {
  c.mmu->on_translation_regs_changed();
  c.end_block = true;
}

// EL1-only registers; called after the EL0 rules have been applied.
uint64_t read_el1(Core& c, SysRegId id) {
  SysRegs& s = c.sys;
  switch (id.packed) {
    case kMidr:
      return idreg::kMidr;
    case kMpidr:
      return s.mpidr;
    case kRevidr:
    case kAidr:
      return 0;
    case kIdAa64Pfr0:
      return idreg::kIdAa64Pfr0;
    case kIdAa64Dfr0:
      return idreg::kIdAa64Dfr0;
    case kIdAa64Isar0:
      return idreg::kIdAa64Isar0;
    case kIdAa64Mmfr0:
      return idreg::kIdAa64Mmfr0;
    case kCcsidr:
      return ccsidr(s.csselr);
    case kClidr:
      return idreg::kClidr;
    case kCsselr:
      return s.csselr;
    case kSctlr:
      return s.sctlr;
    case kActlr:
      return 0;
    case kCpacr:
      return s.cpacr;
    case kTtbr0:
      return s.ttbr0;
    case kTtbr1:
      return s.ttbr1;
    case kTcr:
      return s.tcr;
    case kSpsr:
      return s.spsr;
    case kElr:
      return s.elr;
    case kSpEl0:
      if (!c.spsel) c.undefined();  // SP_EL0 is the current SP
      return c.banked_sp_el0;
    case kSpsel:
      return c.spsel ? 1 : 0;
    case kCurrentEl:
      return uint64_t{c.el} << 2;
    case kAfsr0:
      return s.afsr0;
    case kAfsr1:
      return s.afsr1;
    case kEsr:
      return s.esr;
    case kFar:
      return s.far;
    case kPar:
      return s.par;
    case kMair:
      return s.mair;
    case kAmair:
      return s.amair;
    case kVbar:
      return s.vbar;
    case kIsr:
      return interrupt_status(c);
    case kContextidr:
      return s.contextidr;
    case kTpidrEl1:
      return s.tpidr_el1;
    case kCntkctl:
      return s.cntkctl;
    case kOsdtrrx:
    case kOsdtrtx:
    case kOseccr:
    case kMdrar:
    case kDbgprcr:
    case kDbgauthstatus:
      return 0;
    case kMdccint:
      return s.mdccint;
    case kMdscr:
      return s.mdscr;
    case kOslsr:
      return s.oslsr;
    case kOsdlr:
      return s.osdlr;
    case kDbgclaimset:
      return 0xff;  // which claim bits are implemented
    case kDbgclaimclr:
      return s.dbgclaim;
    default:
      break;
  }
  if (uint64_t* r = debug_bp_wp(s, id)) return *r;
  if (is_icc(id)) return icc_access(c, id, false, 0);
  if (is_id_space(id)) return 0;
  c.undefined();
}

void write_el1(Core& c, SysRegId id, uint64_t v) {
  SysRegs& s = c.sys;
  switch (id.packed) {
    case kCsselr:
      s.csselr = v & 0xf;
      return;
    case kSctlr:
      s.sctlr = (v & kSctlrWritable) | kSctlrRes1;
      translation_changed(c);
      return;
    case kActlr:
      return;
    case kCpacr:
      s.cpacr = v & kCpacrFpen;
      c.end_block = true;
      return;
    case kTtbr0:
      s.ttbr0 = v & ~uint64_t{1};  // CnP is not implemented
      translation_changed(c);
      return;
    case kTtbr1:
      s.ttbr1 = v & ~uint64_t{1};
      translation_changed(c);
      return;
    case kTcr:
      s.tcr = v & kTcrWritable;
      translation_changed(c);
      return;
    case kSpsr:
      s.spsr = v & kSpsrWritable;
      return;
    case kElr:
      s.elr = v;
      return;
    case kSpEl0:
      if (!c.spsel) c.undefined();
      c.banked_sp_el0 = v;
      return;
    case kSpsel:
      c.select_sp(c.el, v & 1);
      return;
    case kAfsr0:
      s.afsr0 = v;
      return;
    case kAfsr1:
      s.afsr1 = v;
      return;
    case kEsr:
      s.esr = v & 0xffffffff;
      return;
    case kFar:
      s.far = v;
      return;
    case kPar:
      s.par = v;
      return;
    case kMair:
      s.mair = v;
      translation_changed(c);  // Device vs Normal decides alignment checks
      return;
    case kAmair:
      s.amair = v;
      return;
    case kVbar:
      s.vbar = v & kVbarWritable;
      c.end_block = true;
      return;
    case kContextidr:
      s.contextidr = v & 0xffffffff;
      return;
    case kTpidrEl1:
      s.tpidr_el1 = v;
      return;
    case kCntkctl:
      s.cntkctl = v & kCntkctlWritable;
      return;
    case kOsdtrrx:
    case kOsdtrtx:
    case kOseccr:
    case kDbgprcr:
      return;  // RAZ/WI: no external debugger
    case kMdccint:
      s.mdccint = v;
      return;
    case kMdscr:
      s.mdscr = v & 0xffffffff;
      return;
    case kOslar:
      s.oslsr = (s.oslsr & ~uint64_t{2}) | (v & 1) << 1;  // OSLK
      return;
    case kOsdlr:
      s.osdlr = v & 1;
      return;
    case kDbgclaimset:
      s.dbgclaim |= v & 0xff;
      return;
    case kDbgclaimclr:
      s.dbgclaim &= ~(v & 0xff);
      return;
    default:
      break;
  }
  if (uint64_t* r = debug_bp_wp(s, id)) {
    *r = v;
    return;
  }
  if (is_icc(id)) {
    icc_access(c, id, true, v);
    return;
  }
  c.undefined();  // unknown, or read-only (ID registers, CurrentEL, ...)
}

}  // namespace

uint64_t read_sysreg(Core& c, SysRegId id, unsigned rt) {
  SysRegs& s = c.sys;
  switch (id.packed) {
    case kNzcv:
      return c.nzcv;
    case kDaif:
      check_el0(c, s.sctlr & sctlr::kUma, id, rt, true);
      return c.daif;
    case kFpcr:
      c.check_fp_enabled();
      return c.fpcr;
    case kFpsr:
      c.check_fp_enabled();
      return c.fpsr;
    case kTpidrEl0:
      return s.tpidr_el0;
    case kTpidrroEl0:
      return s.tpidrro_el0;
    case kCtrEl0:
      check_el0(c, s.sctlr & sctlr::kUct, id, rt, true);
      return idreg::kCtr;
    case kDczidEl0:
      // DZP: DC ZVA is prohibited at EL0 while SCTLR_EL1.DZE is 0.
      return idreg::kDczid | (is_el0(c) && !(s.sctlr & sctlr::kDze) ? idreg::kDczidDzp : 0);
    case kCntfrqEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pcten | kEl0vcten), id, rt, true);
      return s.cntfrq;
    case kCntpctEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pcten), id, rt, true);
      return counter_value(c);
    case kCntvctEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vcten), id, rt, true);
      return counter_value(c);  // CNTVOFF = 0
    case kCntpCtlEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pten), id, rt, true);
      return read_timer_ctl(c, Channel::kPhysical);
    case kCntpCvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pten), id, rt, true);
      return c.timer->cval(Channel::kPhysical);
    case kCntpTvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pten), id, rt, true);
      return c.timer->tval(Channel::kPhysical);
    case kCntvCtlEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vten), id, rt, true);
      return read_timer_ctl(c, Channel::kVirtual);
    case kCntvCvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vten), id, rt, true);
      return c.timer->cval(Channel::kVirtual);
    case kCntvTvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vten), id, rt, true);
      return c.timer->tval(Channel::kVirtual);
    case kMdccsrEl0:
    case kDbgdtrEl0:
    case kDbgdtrrxEl0:
      // Debug communications channel: no external debugger, RAZ.
      check_el0(c, !(s.mdscr & kMdscrTdcc), id, rt, true);
      return 0;
    default:
      break;
  }
  if (is_el0(c)) c.undefined();
  return read_el1(c, id);
}

void write_sysreg(Core& c, SysRegId id, uint64_t v, unsigned rt) {
  SysRegs& s = c.sys;
  switch (id.packed) {
    case kNzcv:
      c.nzcv = static_cast<uint32_t>(v & 0xf0000000);
      return;
    case kDaif:
      check_el0(c, s.sctlr & sctlr::kUma, id, rt, false);
      c.daif = static_cast<uint32_t>(v & 0x3c0);
      c.end_block = true;  // an unmasked pending interrupt is taken next
      return;
    case kFpcr:
      c.check_fp_enabled();
      c.fpcr = static_cast<uint32_t>(v & kFpcrWritable);
      return;
    case kFpsr:
      c.check_fp_enabled();
      c.fpsr = static_cast<uint32_t>(v & kFpsrWritable);
      return;
    case kTpidrEl0:
      s.tpidr_el0 = v;
      return;
    case kTpidrroEl0:
      if (is_el0(c)) c.undefined();  // read-only at EL0
      s.tpidrro_el0 = v;
      return;
    case kCntfrqEl0:
      if (is_el0(c)) c.undefined();  // writable at the highest EL only
      s.cntfrq = v & 0xffffffff;
      return;
    case kCntpCtlEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pten), id, rt, false);
      c.timer->set_ctl(Channel::kPhysical, v);
      break;
    case kCntpCvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pten), id, rt, false);
      c.timer->set_cval(Channel::kPhysical, v);
      break;
    case kCntpTvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0pten), id, rt, false);
      c.timer->set_tval(Channel::kPhysical, v);
      break;
    case kCntvCtlEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vten), id, rt, false);
      c.timer->set_ctl(Channel::kVirtual, v);
      break;
    case kCntvCvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vten), id, rt, false);
      c.timer->set_cval(Channel::kVirtual, v);
      break;
    case kCntvTvalEl0:
      check_el0(c, el0_timer_allowed(c, kEl0vten), id, rt, false);
      c.timer->set_tval(Channel::kVirtual, v);
      break;
    case kDbgdtrEl0:
    case kDbgdtrrxEl0:  // DBGDTRTX_EL0
      check_el0(c, !(s.mdscr & kMdscrTdcc), id, rt, false);
      return;  // no external debugger: WI
    default:
      if (is_el0(c)) c.undefined();
      write_el1(c, id, v);
      return;
  }
  timer_changed(c);  // the timer registers changed (the `break`s above)
}

}  // namespace vmapple::arm64
