#include "hw/intc/gicv3.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "base/bits.h"
#include "base/log.h"
#include "hw/intc/gicv3_distributor.h"
#include "hw/intc/gicv3_redistributor.h"

namespace vmapple {

using gicv3::kNumIntids;
using gicv3::kNumSpis;
using gicv3::kSpiWords;

namespace {

constexpr uint8_t kWantIrq = 1;
constexpr uint8_t kWantFiq = 2;

}  // namespace

// A device's input: SPI `intid` - 32, or PPI `intid` of CPU `cpu`.
class GicV3::Line final : public IrqLine {
 public:
  Line(GicV3& gic, unsigned cpu, unsigned intid)
      : gic_(&gic), cpu_(static_cast<uint16_t>(cpu)), intid_(static_cast<uint16_t>(intid)) {}
  void set(bool level) override { gic_->set_input(cpu_, intid_, level); }

 private:
  GicV3* gic_;
  uint16_t cpu_;
  uint16_t intid_;
};

// The IRQ/FIQ wires to one vCPU.
struct GicV3::CpuLink {
  std::mutex mutex;  // serializes calls to `inputs`
  CpuInterruptInputs* inputs = nullptr;
  std::atomic<uint8_t> want{0};  // kWantIrq | kWantFiq; written under the state mutex
  uint8_t sent = 0;              // what `inputs` last got; under `mutex`
};

GicV3::Op::~Op() {
  uint64_t push = 0;
  uint64_t cpus = dirty_ & ((uint64_t{1} << gic_.num_cpus_) - 1);
  for (; cpus; cpus &= cpus - 1) {
    unsigned cpu = static_cast<unsigned>(std::countr_zero(cpus));
    uint8_t want = gic_.wanted_outputs(cpu);
    CpuLink& link = gic_.links_[cpu];
    if (link.want.load(std::memory_order_relaxed) == want) continue;
    link.want.store(want, std::memory_order_relaxed);
    push |= uint64_t{1} << cpu;
  }
  lock_.unlock();
  for (; push; push &= push - 1)
    gic_.push_outputs(static_cast<unsigned>(std::countr_zero(push)));
}

GicV3::GicV3(unsigned num_cpus) : num_cpus_(num_cpus) {
  if (num_cpus == 0 || num_cpus > gicv3::kMaxCpus)
    throw std::invalid_argument("GICv3: " + std::to_string(num_cpus) + " CPUs (1..32)");
  state_.cpus.resize(num_cpus);
  routed_.resize(num_cpus);
  spi_target_.fill(-1);
  links_ = std::make_unique<CpuLink[]>(num_cpus);
  spi_lines_.reserve(kNumSpis);
  for (unsigned n = 0; n < kNumSpis; ++n)
    spi_lines_.emplace_back(*this, 0, 32 + n);
  ppi_lines_.reserve(num_cpus * 16);
  for (unsigned cpu = 0; cpu < num_cpus; ++cpu)
    for (unsigned intid = 16; intid < 32; ++intid)
      ppi_lines_.emplace_back(*this, cpu, intid);
  distributor_ = std::make_unique<GicV3Distributor>(*this);
  redistributors_ = std::make_unique<GicV3Redistributors>(*this);
  Op op(*this);
  for (unsigned spi = 0; spi < kNumSpis; ++spi)
    route_spi(op, spi);
}

GicV3::~GicV3() = default;

MmioHandler& GicV3::distributor() {
  return *distributor_;
}
MmioHandler& GicV3::redistributors() {
  return *redistributors_;
}

void GicV3::connect_cpu(unsigned cpu, CpuInterruptInputs* inputs) {
  if (cpu >= num_cpus_) throw std::out_of_range("GICv3: no CPU " + std::to_string(cpu));
  CpuLink& link = links_[cpu];
  std::lock_guard lock(link.mutex);
  link.inputs = inputs;
  link.sent = link.want.load(std::memory_order_relaxed);
  if (!inputs) return;
  inputs->set_irq(link.sent & kWantIrq);
  inputs->set_fiq(link.sent & kWantFiq);
}

IrqLine& GicV3::spi(unsigned spi) {
  if (spi >= kNumSpis) throw std::out_of_range("GICv3: no SPI " + std::to_string(spi));
  return spi_lines_[spi];
}

IrqLine& GicV3::ppi(unsigned cpu, unsigned intid) {
  if (cpu >= num_cpus_ || intid < 16 || intid >= 32)
    throw std::out_of_range("GICv3: no PPI " + std::to_string(intid) + " on CPU " +
                            std::to_string(cpu));
  return ppi_lines_[cpu * 16 + (intid - 16)];
}

void GicV3::reset() {
  Op op(*this);
  gicv3::State fresh;
  fresh.spis.level = state_.spis.level;
  fresh.cpus.resize(num_cpus_);
  for (unsigned cpu = 0; cpu < num_cpus_; ++cpu)
    fresh.cpus[cpu].banked.level = state_.cpus[cpu].banked.level;
  install(op, fresh);
}

gicv3::State GicV3::save_state() {
  std::lock_guard lock(mutex_);
  return state_;
}

void GicV3::restore_state(const gicv3::State& state) {
  if (state.cpus.size() != num_cpus_)
    throw std::invalid_argument("GICv3: state of " + std::to_string(state.cpus.size()) +
                                " CPUs restored into a GIC of " + std::to_string(num_cpus_));
  Op op(*this);
  install(op, state);
}

// Takes `state` as the architectural state, with the unimplemented bits
// cleared as the registers would, and recomputes what derives from it.
void GicV3::install(Op& op, const gicv3::State& state) {
  state_ = state;
  state_.gicd_ctlr &= gicv3::kGicdCtlrEnableGrp0 | gicv3::kGicdCtlrEnableGrp1;
  for (auto& p : state_.spis.priority)
    p &= gicv3::kPriorityMask;
  for (auto& r : state_.irouter)
    r &= gicv3::kIrouterMask;
  for (auto& cpu : state_.cpus) {
    cpu.banked.edge[0] |= 0xFFFF;  // SGIs are edge-triggered
    for (auto& p : cpu.banked.priority)
      p &= gicv3::kPriorityMask;
    cpu.pmr &= gicv3::kPriorityMask;
    cpu.bpr0 = std::clamp<uint8_t>(cpu.bpr0, gicv3::kMinBpr0, 7);
    cpu.bpr1 = std::clamp<uint8_t>(cpu.bpr1, gicv3::kMinBpr1, 7);
  }
  spi_target_.fill(-1);
  for (auto& words : routed_)
    words.fill(0);
  for (unsigned spi = 0; spi < kNumSpis; ++spi)
    route_spi(op, spi);
  op.touch_all();
}

bool GicV3::spi_input_level(unsigned spi) {
  if (spi >= kNumSpis) throw std::out_of_range("GICv3: no SPI " + std::to_string(spi));
  std::lock_guard lock(mutex_);
  return state_.spis.level[spi / 32] >> (spi % 32) & 1;
}

bool GicV3::irq_output(unsigned cpu) {
  std::lock_guard lock(mutex_);
  return links_[cpu].want.load(std::memory_order_relaxed) & kWantIrq;
}

bool GicV3::fiq_output(unsigned cpu) {
  std::lock_guard lock(mutex_);
  return links_[cpu].want.load(std::memory_order_relaxed) & kWantFiq;
}

// --- Input lines and routing ---

void GicV3::set_input(unsigned cpu, unsigned intid, bool level) {
  Op op(*this);
  with_irq(state_, cpu, intid, [&](auto& bank, unsigned w, unsigned b) {
    uint32_t m = 1u << b;
    if (static_cast<bool>(bank.level[w] & m) == level) return;
    if (level) {
      bank.level[w] |= m;
      if (bank.edge[w] & m) bank.latch[w] |= m;  // a rising edge
    } else {
      bank.level[w] &= ~m;
    }
    mark_intid(op, cpu, intid);
  });
}

void GicV3::mark_intid(Op& op, unsigned cpu, unsigned intid) {
  if (intid < 32) {
    op.touch(cpu);
  } else if (int target = spi_target_[intid - 32]; target >= 0) {
    op.touch(static_cast<unsigned>(target));
  }
}

void GicV3::touch_spis(Op& op, unsigned word, uint32_t mask) {
  for (unsigned cpu = 0; cpu < num_cpus_; ++cpu)
    if (routed_[cpu][word] & mask) op.touch(cpu);
}

void GicV3::write_irouter(Op& op, unsigned spi, uint64_t value) {
  state_.irouter[spi] = value & gicv3::kIrouterMask;
  route_spi(op, spi);
}

// The PE an SPI goes to: the one IROUTER names, or for 1-of-N the first
// that takes part (awake, its CPU interface enabling the SPI's group). No
// PE: the SPI stays pending in the distributor.
void GicV3::route_spi(Op& op, unsigned spi) {
  uint64_t r = state_.irouter[spi];
  int target = -1;
  if (r & gicv3::kIrouterIrm) {
    target = one_of_n_target(spi);
  } else {
    uint64_t aff0 = r & 0xFF, aff1 = r >> 8 & 0xFF, aff2 = r >> 16 & 0xFF, aff3 = r >> 32 & 0xFF;
    uint64_t cpu = aff1 * 16 + aff0;
    if (aff3 == 0 && aff2 == 0 && aff0 < 16 && cpu < num_cpus_) target = static_cast<int>(cpu);
  }
  int old = spi_target_[spi];
  if (target == old) return;
  unsigned w = spi / 32;
  uint32_t m = 1u << (spi % 32);
  if (old >= 0) {
    routed_[old][w] &= ~m;
    op.touch(static_cast<unsigned>(old));
  }
  if (target >= 0) {
    routed_[target][w] |= m;
    op.touch(static_cast<unsigned>(target));
  }
  spi_target_[spi] = static_cast<int8_t>(target);
}

int GicV3::one_of_n_target(unsigned spi) const {
  bool group1 = state_.spis.group[spi / 32] >> (spi % 32) & 1;
  for (unsigned cpu = 0; cpu < num_cpus_; ++cpu) {
    const gicv3::CpuState& c = state_.cpus[cpu];
    if (!c.processor_sleep && (group1 ? c.igrpen1 : c.igrpen0)) return static_cast<int>(cpu);
  }
  return -1;
}

// Which PEs take part in 1-of-N routing changed.
void GicV3::reroute_one_of_n(Op& op) {
  for (unsigned spi = 0; spi < kNumSpis; ++spi)
    if (state_.irouter[spi] & gicv3::kIrouterIrm) route_spi(op, spi);
}

void GicV3::set_processor_sleep(Op& op, unsigned cpu, bool sleep) {
  gicv3::CpuState& c = state_.cpus[cpu];
  if (c.processor_sleep == sleep) return;
  c.processor_sleep = sleep;
  reroute_one_of_n(op);
  op.touch(cpu);
}

void GicV3::write_gicd_ctlr(Op& op, uint32_t value) {
  state_.gicd_ctlr = value & (gicv3::kGicdCtlrEnableGrp0 | gicv3::kGicdCtlrEnableGrp1);
  op.touch_all();
}

// --- Priority and signalling ---

// The highest-priority interrupt pending for `cpu` that the distributor and
// the CPU interface forward: enabled, not active, its group enabled in
// GICD_CTLR and ICC_IGRPENn, routed here, the redistributor awake. Ties go
// to the lowest INTID.
GicV3::Hppi GicV3::hppi(unsigned cpu) const {
  Hppi best;
  const gicv3::CpuState& c = state_.cpus[cpu];
  if (c.processor_sleep) return best;
  uint32_t g0 = (state_.gicd_ctlr & gicv3::kGicdCtlrEnableGrp0) && c.igrpen0 ? ~0u : 0;
  uint32_t g1 = (state_.gicd_ctlr & gicv3::kGicdCtlrEnableGrp1) && c.igrpen1 ? ~0u : 0;
  if (!(g0 | g1)) return best;
  auto scan = [&](const auto& bank, unsigned w, uint32_t routed, unsigned first_intid) {
    uint32_t group = bank.group[w];
    uint32_t candidates = bank.pending(w) & bank.enabled[w] & ~bank.active[w] & routed &
                          ((group & g1) | (~group & g0));
    for (; candidates; candidates &= candidates - 1) {
      unsigned b = static_cast<unsigned>(std::countr_zero(candidates));
      unsigned priority = bank.priority[w * 32 + b];
      if (priority < best.priority) best = {first_intid + b, priority, (group >> b & 1) != 0};
    }
  };
  scan(c.banked, 0, ~0u, 0);
  const auto& routed = routed_[cpu];
  for (unsigned w = 0; w < kSpiWords; ++w)
    if (routed[w]) scan(state_.spis, w, routed[w], 32 + 32 * w);
  return best;
}

// The group priority of the highest active priority, or idle.
uint8_t GicV3::running_priority(unsigned cpu) const {
  const gicv3::CpuState& c = state_.cpus[cpu];
  uint32_t active = c.ap0r | c.ap1r;
  if (!active) return gicv3::kIdlePriority;
  return static_cast<uint8_t>(std::countr_zero(active) << gicv3::kPriorityShift);
}

// The preemption part of a priority: bits [7:BPR0+1] for Group 0 (and Group
// 1 with CBPR), bits [7:BPR1] for Group 1.
uint8_t GicV3::group_priority(unsigned cpu, uint8_t priority, bool group1) const {
  const gicv3::CpuState& c = state_.cpus[cpu];
  unsigned shift = group1 && !c.cbpr ? c.bpr1 : c.bpr0 + 1u;
  return static_cast<uint8_t>(priority & (0xFFu << shift));
}

// Whether the CPU interface signals `h`: above the priority mask and able to
// preempt the running priority.
bool GicV3::can_signal(unsigned cpu, const Hppi& h) const {
  if (h.intid == gicv3::kSpurious || h.priority >= state_.cpus[cpu].pmr) return false;
  return group_priority(cpu, static_cast<uint8_t>(h.priority), h.group1) < running_priority(cpu);
}

uint8_t GicV3::wanted_outputs(unsigned cpu) const {
  Hppi h = hppi(cpu);
  if (!can_signal(cpu, h)) return 0;
  return h.group1 ? kWantIrq : kWantFiq;
}

void GicV3::push_outputs(unsigned cpu) {
  CpuLink& link = links_[cpu];
  std::lock_guard lock(link.mutex);
  uint8_t want = link.want.load(std::memory_order_relaxed);
  uint8_t changed = want ^ link.sent;
  link.sent = want;
  if (!link.inputs) return;
  if (changed & kWantIrq) link.inputs->set_irq(want & kWantIrq);
  if (changed & kWantFiq) link.inputs->set_fiq(want & kWantFiq);
}

// --- The interrupt register file (IGROUPR..ICFGR) ---

bool GicV3::decode_irq_reg(uint64_t offset, unsigned size, IrqRegAccess& out) {
  static constexpr IrqReg kBitRegs[] = {
      IrqReg::kGroup,        IrqReg::kSetEnable, IrqReg::kClearEnable, IrqReg::kSetPending,
      IrqReg::kClearPending, IrqReg::kSetActive, IrqReg::kClearActive};
  if (offset >= 0x080 && offset < 0x400) {
    if (size != 4) return false;
    out = {kBitRegs[offset / 0x80 - 1], static_cast<unsigned>(offset % 0x80) * 8};
    return true;
  }
  if (offset >= 0x400 && offset < 0x800) {  // IPRIORITYR: byte-accessible
    if (size != 1 && size != 4) return false;
    out = {IrqReg::kPriority, static_cast<unsigned>(offset - 0x400)};
    return true;
  }
  if (offset >= 0xC00 && offset < 0xD00) {  // ICFGR: 16 interrupts a register
    if (size != 4) return false;
    out = {IrqReg::kConfig, static_cast<unsigned>(offset - 0xC00) * 4};
    return true;
  }
  return false;
}

uint32_t GicV3::irq_reg_read(unsigned cpu, const IrqRegAccess& a, unsigned size) {
  return with_irq(state_, cpu, a.first_intid, [&](auto& bank, unsigned w, unsigned b) {
    switch (a.reg) {
      case IrqReg::kGroup:
        return bank.group[w];
      case IrqReg::kSetEnable:
      case IrqReg::kClearEnable:
        return bank.enabled[w];
      case IrqReg::kSetPending:
      case IrqReg::kClearPending:
        return bank.pending(w);
      case IrqReg::kSetActive:
      case IrqReg::kClearActive:
        return bank.active[w];
      case IrqReg::kPriority: {
        uint32_t value = 0;
        for (unsigned i = 0; i < size; ++i)
          value |= uint32_t{bank.priority[w * 32 + b + i]} << (8 * i);
        return value;
      }
      case IrqReg::kConfig: {
        uint32_t value = 0;
        for (unsigned i = 0; i < 16; ++i)
          value |= (bank.edge[w] >> (b + i) & 1) << (2 * i + 1);
        return value;
      }
    }
    return 0u;
  });
}

void GicV3::irq_reg_write(Op& op, unsigned cpu, const IrqRegAccess& a, unsigned size,
                          uint32_t value) {
  uint32_t touched = 0;  // the interrupts of the word the write may have changed
  with_irq(state_, cpu, a.first_intid, [&](auto& bank, unsigned w, unsigned b) {
    touched = value;
    switch (a.reg) {
      case IrqReg::kGroup:
        bank.group[w] = value;
        touched = ~0u;
        break;
      case IrqReg::kSetEnable:
        bank.enabled[w] |= value;
        break;
      case IrqReg::kClearEnable:
        bank.enabled[w] &= ~value;
        break;
      case IrqReg::kSetPending:
        bank.latch[w] |= value;
        break;
      case IrqReg::kClearPending:
        bank.latch[w] &= ~value;
        break;
      case IrqReg::kSetActive:
        bank.active[w] |= value;
        break;
      case IrqReg::kClearActive:
        bank.active[w] &= ~value;
        break;
      case IrqReg::kPriority:
        for (unsigned i = 0; i < size; ++i)
          bank.priority[w * 32 + b + i] =
              static_cast<uint8_t>(value >> (8 * i)) & gicv3::kPriorityMask;
        touched = static_cast<uint32_t>(mask(size)) << b;
        break;
      case IrqReg::kConfig: {
        uint32_t edge = 0;
        for (unsigned i = 0; i < 16; ++i)
          edge |= (value >> (2 * i + 1) & 1) << i;
        uint32_t field = 0xFFFFu << b;
        if (a.first_intid == 0) {  // GICR_ICFGR0: SGIs are always edge-triggered
          if (edge != 0xFFFF)
            guest_error("gicv3", "GICR_ICFGR0 write {:#x}: SGIs are edge-triggered", value);
          break;
        }
        bank.edge[w] = (bank.edge[w] & ~field) | (edge << b);
        touched = field;
        break;
      }
    }
  });
  if (a.first_intid < 32) {
    op.touch(cpu);
    return;
  }
  unsigned w = (a.first_intid - 32) / 32;
  if (a.reg == IrqReg::kGroup)  // 1-of-N targets depend on the group
    for (unsigned i = 0; i < 32; ++i)
      if (state_.irouter[w * 32 + i] & gicv3::kIrouterIrm) route_spi(op, w * 32 + i);
  touch_spis(op, w, touched);
}

}  // namespace vmapple
