// The GICv3 CPU interface: the ICC_*_EL1 registers a vCPU reaches through
// its SysReg exit. One security state, accessed from EL1: Group 0 is FIQ,
// Group 1 is IRQ, and both groups' registers are accessible.
#include <algorithm>
#include <bit>

#include "base/bits.h"
#include "base/log.h"
#include "hw/intc/gicv3.h"
#include "hw/intc/gicv3_cpu_interface.h"

namespace vmapple {
namespace {

trace::Category kTrace("gicv3-cpuif");
constexpr std::string_view kName = "gicv3";

// The ICC registers at EL1 (op0 3, op1 0, CRn 12, or ICC_PMR_EL1). Of
// these, AP0R1-3 and AP1R1-3 are UNDEFINED: they exist only with 6 or more
// priority bits.
constexpr bool is_icc_space(SysRegId id) {
  return (id.op0() == 3 && id.op1() == 0 && id.crn() == 12) || id == icc::kPmrEl1;
}

}  // namespace

bool GicV3::read_sysreg(unsigned cpu, SysRegId id, uint64_t& value) {
  if (cpu >= num_cpus_) return false;
  Op op(*this);
  return read_icc(cpu, id, value, op);
}

bool GicV3::write_sysreg(unsigned cpu, SysRegId id, uint64_t value) {
  if (cpu >= num_cpus_) return false;
  Op op(*this);
  return write_icc(cpu, id, value, op);
}

bool GicV3::read_icc(unsigned cpu, SysRegId id, uint64_t& value, Op& op) {
  gicv3::CpuState& c = state_.cpus[cpu];
  switch (id.packed) {
    case icc::kIar1El1.packed:
      value = acknowledge(op, cpu, true);
      return true;
    case icc::kIar0El1.packed:
      value = acknowledge(op, cpu, false);
      return true;
    case icc::kHppir1El1.packed:
    case icc::kHppir0El1.packed: {
      Hppi h = hppi(cpu);
      bool group1 = id == icc::kHppir1El1;
      value = h.intid != gicv3::kSpurious && h.group1 == group1 ? h.intid : gicv3::kSpurious;
      return true;
    }
    case icc::kPmrEl1.packed:
      value = c.pmr;
      return true;
    case icc::kRprEl1.packed:
      value = running_priority(cpu);
      return true;
    case icc::kBpr0El1.packed:
      value = c.bpr0;
      return true;
    case icc::kBpr1El1.packed:
      // With CBPR, BPR1 reads as BPR0 + 1 (the same grouping), saturated.
      value = c.cbpr ? std::min<unsigned>(c.bpr0 + 1u, 7) : c.bpr1;
      return true;
    case icc::kAp0r0El1.packed:
      value = c.ap0r;
      return true;
    case icc::kAp1r0El1.packed:
      value = c.ap1r;
      return true;
    case icc::kCtlrEl1.packed:
      value =
          icc::kCtlrReadOnly | (c.cbpr ? icc::kCtlrCbpr : 0) | (c.eoimode ? icc::kCtlrEoiMode : 0);
      return true;
    case icc::kSreEl1.packed:
      value = icc::kSreValue;
      return true;
    case icc::kIgrpen0El1.packed:
      value = c.igrpen0;
      return true;
    case icc::kIgrpen1El1.packed:
      value = c.igrpen1;
      return true;
    case icc::kEoir0El1.packed:
    case icc::kEoir1El1.packed:
    case icc::kDirEl1.packed:
    case icc::kSgi0rEl1.packed:
    case icc::kSgi1rEl1.packed:
    case icc::kAsgi1rEl1.packed:
      guest_error(kName, "cpu {}: read of write-only ICC register {:#x}", cpu, id.packed);
      return false;
  }
  if (is_icc_space(id))
    guest_error(kName, "cpu {}: read of unimplemented ICC register {:#x}", cpu, id.packed);
  return false;
}

bool GicV3::write_icc(unsigned cpu, SysRegId id, uint64_t value, Op& op) {
  gicv3::CpuState& c = state_.cpus[cpu];
  switch (id.packed) {
    case icc::kEoir1El1.packed:
    case icc::kEoir0El1.packed:
      end_of_interrupt(op, cpu, id == icc::kEoir1El1, value);
      return true;
    case icc::kDirEl1.packed:
      if (!c.eoimode) {
        guest_error(kName, "cpu {}: ICC_DIR_EL1 write with EOImode 0: ignored", cpu);
        return true;
      }
      deactivate(op, cpu, static_cast<unsigned>(bits(value, 23, 0)), -1);
      return true;
    case icc::kSgi1rEl1.packed:
      generate_sgi(op, cpu, value, true);
      return true;
    case icc::kSgi0rEl1.packed:
    case icc::kAsgi1rEl1.packed:  // no other security state: Group 0 like SGI0R
      generate_sgi(op, cpu, value, false);
      return true;
    case icc::kPmrEl1.packed:
      c.pmr = static_cast<uint8_t>(value) & gicv3::kPriorityMask;
      break;
    case icc::kBpr0El1.packed:
      c.bpr0 = std::max<uint8_t>(value & 7, gicv3::kMinBpr0);
      break;
    case icc::kBpr1El1.packed:
      if (!c.cbpr) c.bpr1 = std::max<uint8_t>(value & 7, gicv3::kMinBpr1);
      break;
    case icc::kAp0r0El1.packed:
      c.ap0r = static_cast<uint32_t>(value);
      break;
    case icc::kAp1r0El1.packed:
      c.ap1r = static_cast<uint32_t>(value);
      break;
    case icc::kCtlrEl1.packed:
      c.cbpr = value & icc::kCtlrCbpr;
      c.eoimode = value & icc::kCtlrEoiMode;
      break;
    case icc::kSreEl1.packed:
      return true;  // RAO/WI
    case icc::kIgrpen0El1.packed:
    case icc::kIgrpen1El1.packed:
      (id == icc::kIgrpen1El1 ? c.igrpen1 : c.igrpen0) = value & icc::kIgrpenEnable;
      reroute_one_of_n(op);
      break;
    case icc::kIar0El1.packed:
    case icc::kIar1El1.packed:
    case icc::kHppir0El1.packed:
    case icc::kHppir1El1.packed:
    case icc::kRprEl1.packed:
      guest_error(kName, "cpu {}: write {:#x} to read-only ICC register {:#x}", cpu, value,
                  id.packed);
      return false;
    default:
      if (is_icc_space(id))
        guest_error(kName, "cpu {}: write {:#x} to unimplemented ICC register {:#x}", cpu, value,
                    id.packed);
      return false;
  }
  op.touch(cpu);
  return true;
}

// ICC_IAR0/1_EL1: the highest-priority pending interrupt becomes active and
// its group priority the running priority. 1023 if it is of the other group
// or cannot be signalled (masked, or not preempting).
uint64_t GicV3::acknowledge(Op& op, unsigned cpu, bool group1) {
  Hppi h = hppi(cpu);
  if (h.group1 != group1 || !can_signal(cpu, h)) return gicv3::kSpurious;
  gicv3::CpuState& c = state_.cpus[cpu];
  uint8_t gp = group_priority(cpu, static_cast<uint8_t>(h.priority), group1);
  with_irq(state_, cpu, h.intid, [](auto& bank, unsigned w, unsigned b) {
    bank.latch[w] &= ~(1u << b);  // a level input that is still high keeps it pending
    bank.active[w] |= 1u << b;
  });
  (group1 ? c.ap1r : c.ap0r) |= 1u << (gp >> gicv3::kPriorityShift);
  op.touch(cpu);
  VMAPPLE_TRACE(kTrace, "cpu {} acknowledged INTID {} (group {}, priority {:#x})", cpu, h.intid,
                group1 ? 1 : 0, h.priority);
  return h.intid;
}

// ICC_EOIR0/1_EL1: priority drop of the highest active priority (which must
// be of the register's group), and with EOImode 0 deactivation of INTID.
void GicV3::end_of_interrupt(Op& op, unsigned cpu, bool group1, uint64_t value) {
  unsigned intid = static_cast<unsigned>(bits(value, 23, 0));
  if (intid >= gicv3::kFirstSpecial && intid <= gicv3::kSpurious) return;  // ignored
  gicv3::CpuState& c = state_.cpus[cpu];
  uint32_t active = c.ap0r | c.ap1r;
  uint32_t& apr = group1 ? c.ap1r : c.ap0r;
  if (!(apr & active & -active)) {
    guest_error(kName, "cpu {}: EOIR{} of INTID {} but no Group {} priority is the running one",
                cpu, group1 ? 1 : 0, intid, group1 ? 1 : 0);
    return;
  }
  apr &= ~(active & -active);
  op.touch(cpu);
  VMAPPLE_TRACE(kTrace, "cpu {} EOI INTID {}", cpu, intid);
  if (!c.eoimode) deactivate(op, cpu, intid, group1);
}

// Clears INTID's active state (ICC_DIR_EL1 or EOImode 0). `group1` -1: any.
void GicV3::deactivate(Op& op, unsigned cpu, unsigned intid, int group1) {
  if (intid >= gicv3::kNumIntids) {
    guest_error(kName, "cpu {}: deactivation of INTID {}, which does not exist", cpu, intid);
    return;
  }
  with_irq(state_, cpu, intid, [&](auto& bank, unsigned w, unsigned b) {
    uint32_t m = 1u << b;
    if (group1 >= 0 && static_cast<bool>(bank.group[w] & m) != static_cast<bool>(group1)) {
      guest_error(kName, "cpu {}: EOIR{} of INTID {} of the other group: not deactivated", cpu,
                  group1, intid);
      return;
    }
    if (!(bank.active[w] & m)) {
      guest_error(kName, "cpu {}: deactivation of INTID {}, which is not active", cpu, intid);
      return;
    }
    bank.active[w] &= ~m;
    mark_intid(op, cpu, intid);
  });
}

// ICC_SGI0R/SGI1R/ASGI1R_EL1: SGI INTID pending on every PE of the target
// list in cluster Aff3.Aff2.Aff1, or (IRM) on every PE but this one. With
// one security state SGI1R sends SGIs of either group, SGI0R and ASGI1R only
// those the target configured as Group 0.
void GicV3::generate_sgi(Op& op, unsigned cpu, uint64_t value, bool any_group) {
  unsigned intid = static_cast<unsigned>(bits(value, 27, 24));
  bool irm = value & icc::kSgiIrm;
  uint64_t aff1 = bits(value, 23, 16), aff2 = bits(value, 39, 32), aff3 = bits(value, 55, 48);
  uint64_t rs = bits(value, 47, 44);
  uint32_t targets = static_cast<uint32_t>(bits(value, 15, 0));
  for (unsigned t = 0; t < num_cpus_; ++t) {
    if (irm ? t == cpu : aff3 || aff2 || aff1 != t / 16 || rs != 0 || !(targets >> (t % 16) & 1))
      continue;
    gicv3::IrqBank<1>& bank = state_.cpus[t].banked;
    if (!any_group && (bank.group[0] >> intid & 1)) continue;
    bank.latch[0] |= 1u << intid;
    op.touch(t);
    VMAPPLE_TRACE(kTrace, "cpu {} sent SGI {} to cpu {}", cpu, intid, t);
  }
}

}  // namespace vmapple
