#include "cpu/arm64/interp_vcpu.h"

#include <chrono>
#include <thread>

#include "cpu/arm64/decode/decoder.h"
#include "cpu/arm64/fast_ops.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/mmu.h"
#include "cpu/arm64/timer.h"
#include "cpu/arm64/vcpu_services.h"

namespace vmapple::arm64 {

namespace {
// How many taken branches run between two looks at the clock for timer
// events (about 0.1 ms of guest code).
constexpr int32_t kBranchBudget = 4096;
}  // namespace

InterpVcpu::InterpVcpu(CpuCluster& cluster, unsigned index, IrqLine& virtual_timer,
                       IrqLine& physical_timer)
    : cluster_(cluster), index_(index) {
  mmu_ = std::make_unique<Mmu>(core_, cluster.ram(), cluster.code());
  timer_ = std::make_unique<GenericTimer>(cluster.clock(), virtual_timer, physical_timer);
  cluster.add(this);
  reset();
}

InterpVcpu::~InterpVcpu() = default;

void InterpVcpu::reset() {
  Core fresh;
  fresh.mmu = mmu_.get();
  fresh.vcpu = this;
  fresh.timer = timer_.get();
  fresh.sys.mpidr = 0x80000000u | (index_ / 16) << 8 | (index_ % 16);
  core_ = std::move(fresh);
  mmu_->flush_all();
  mmu_->on_translation_regs_changed();
  timer_->reset();
  pending_exit_.reset();
  reexecute_ = false;
  replay_.clear();
  replay_pos_ = 0;
}

// --- running ----------------------------------------------------------

VcpuExit InterpVcpu::run() {
  running_.store(true, std::memory_order_release);
  struct Stop {
    std::atomic<bool>& running;
    ~Stop() { running.store(false, std::memory_order_release); }
  } stop{running_};

  pending_exit_.reset();
  sync_tlb(cluster_.tlb_generation());
  timer_->update();
  if (reexecute_) execute_one_replayed();
  if (!pending_exit_) run_blocks();
  VcpuExit exit = std::move(*pending_exit_);
  pending_exit_.reset();
  return exit;
}

void InterpVcpu::execute_one_replayed() {
  replay_pos_ = 0;
  try {
    FetchPage fp = mmu_->fetch(core_.pc);
    uint32_t word = load_le<uint32_t>(fp.host + (core_.pc & (kPageSize - 1)));
    core_.next_pc = core_.pc + 4;
    step_instruction(uint64_t{static_cast<uint16_t>(decode(word))} << 32 | word);
  } catch (const ExceptionTaken&) {
    core_.pc = core_.next_pc;
  } catch (const VmmExit&) {
    return;  // another access of the same instruction needs the VMM
  }
  core_.end_block = false;
  reexecute_ = false;
  replay_.clear();
}

uint64_t InterpVcpu::step_instruction(uint64_t slot) {
  static const HandlerTable& handlers = HandlerTable::instance();
  handlers[static_cast<Op>(DecodedPage::op(slot))](core_, DecodedPage::insn(slot));
  ++instructions_;
  core_.pc = core_.next_pc;
  return slot;
}

void InterpVcpu::run_blocks() {
  const HandlerTable& handlers = HandlerTable::instance();
  for (;;) {
    // Page boundary: everything another thread may have asked for.
    uint32_t sig = signals_.load(std::memory_order_acquire);
    if ((sig & kKick) || instructions_ >= instruction_limit_) {
      signals_.fetch_and(~uint32_t{kKick});
      pending_exit_ = KickedExit{};
      return;
    }
    if (sig & kTlb) signals_.fetch_and(~uint32_t{kTlb});
    sync_tlb(cluster_.tlb_generation());
    if (budget_ <= 0) {
      budget_ = kBranchBudget;
      timer_->update();
    }
    try {
      if (sig & (kIrq | kFiq)) deliver_interrupts();
      if (core_.pstate_il) core_.take_sync(ec::kIllegalState, 0, core_.pc);
      if (core_.pc & 3) core_.take_abort(ec::kPcAlignment, 0, core_.pc, core_.pc);
      run_page(handlers);
    } catch (const ExceptionTaken&) {
      core_.pc = core_.next_pc;
      ++instructions_;  // an instruction that took an exception still executed
    } catch (const VmmExit&) {
      reexecute_ = true;
      return;
    }
    core_.end_block = false;
    if (pending_exit_) return;
  }
}

// Runs instructions of the code page holding pc: straight-line code to the
// page end, and taken branches that stay in the page while nothing asks
// for attention (the common case of loops).
//
// Each slot carries a specialised form (fast_ops.h) that runs inline here,
// with pc in a host register: ALU forms leave Core::pc stale (nothing reads
// it), memory forms get pc/next_pc stored first because they may fault or
// exit, branches return the next PC. Everything else goes through the
// generic handler table, which may also set end_block.
void InterpVcpu::run_page(const HandlerTable& handlers) {
  FetchPage fp = mmu_->fetch(core_.pc);
  PageEntry& pe = pages_[(fp.gpa >> kPageShift) % pages_.size()];
  if (pe.gpa != fp.gpa) pe = {fp.gpa, cluster_.code().page(fp.gpa, fp.host)};
  // After the page lookup: decoding it may have made it code, and stores to
  // it must stop using fast TLB entries.
  mmu_->sync_code_generation();
  std::atomic<uint64_t>* const slots = pe.page->slots;
  Core& c = core_;
  uint64_t pc = c.pc;
  std::atomic<uint64_t>* slot = slots + ((pc >> 2) & (kSlotsPerPage - 1));
  // Locals the compiler can keep in registers across the opaque handler
  // calls; the count is added back even when an exception unwinds.
  const Handler* const table = handlers.data();
  // The retired count and the branch budget live in registers and are
  // written back on every way out, an exception unwinding included.
  struct Locals {
    uint64_t& total;
    int32_t& budget_out;
    uint64_t n = 0;
    int32_t budget = budget_out;
    ~Locals() {
      total += n;
      budget_out = budget;
    }
  } live{instructions_, budget_};
  // What makes a taken branch leave the page; PSTATE.DAIF only changes in
  // generic handlers, after which it is computed again.
  uint32_t attention = attention_mask();
  // Form id -> its code below, in the order of fast::Id.
#define VMAPPLE_RUN_LABEL(name, ...) &&form_##name,
  // clang-format off
  static const void* const kForms[] = {
      &&form_kNone,
      VMAPPLE_FAST_ALU(VMAPPLE_RUN_LABEL)
      VMAPPLE_FAST_BRANCH(VMAPPLE_RUN_LABEL)
      VMAPPLE_FAST_MEM(VMAPPLE_RUN_LABEL)
  };
  // clang-format on
#undef VMAPPLE_RUN_LABEL
  static_assert(std::size(kForms) == fast::kCount);
  for (;;) {
    uint64_t s = slot->load(std::memory_order_acquire);
    if (!s) [[unlikely]]
      s = pe.page->fill(static_cast<unsigned>(slot - slots));
    const uint32_t insn = DecodedPage::insn(s);
    uint64_t next;
    // Threaded dispatch (GNU labels as values): one indirect jump on the
    // slot's form, no range check (DecodedPage::make() stores only ids of
    // the list).
    goto* kForms[DecodedPage::form(s)];
    // clang-format off
#define VMAPPLE_RUN_ALU(name, ...)         \
  form_##name:                             \
    fast::__VA_ARGS__(c, insn);            \
    goto sequential;
#define VMAPPLE_RUN_MEM(name, ...)         \
  form_##name:                             \
    c.pc = pc;                             \
    c.next_pc = pc + 4;                    \
    fast::__VA_ARGS__(c, insn);            \
    goto sequential;
#define VMAPPLE_RUN_BRANCH(name, ...)      \
  form_##name:                             \
    next = fast::__VA_ARGS__(c, insn, pc); \
    goto branched;
    // clang-format on
    VMAPPLE_FAST_ALU(VMAPPLE_RUN_ALU)
    VMAPPLE_FAST_MEM(VMAPPLE_RUN_MEM)
    VMAPPLE_FAST_BRANCH(VMAPPLE_RUN_BRANCH)
#undef VMAPPLE_RUN_ALU
#undef VMAPPLE_RUN_MEM
#undef VMAPPLE_RUN_BRANCH
  form_kNone:
    c.pc = pc;
    c.next_pc = pc + 4;
    table[DecodedPage::op(s)](c, insn);
    next = c.next_pc;
    attention = attention_mask();
    if (c.end_block) [[unlikely]] {
      ++live.n;
      c.pc = next;
      return;
    }
  branched:
    if (next != pc + 4) {
      ++live.n;
      c.pc = next;
      // Another page or a misaligned target (pc itself is aligned).
      if (((next ^ pc) & ~(kPageSize - 4)) != 0 || --live.budget <= 0) return;
      if (signals_.load(std::memory_order_relaxed) & attention) return;
      pc = next;
      slot = slots + ((next >> 2) & (kSlotsPerPage - 1));
      continue;
    }
  sequential:
    ++live.n;
    pc += 4;
    ++slot;
    if ((pc & (kPageSize - 4)) == 0) [[unlikely]] {  // left the page
      c.pc = pc;
      return;
    }
  }
}

uint32_t InterpVcpu::attention_mask() const {
  constexpr uint32_t kF = 1u << 6, kI = 1u << 7;
  return kKick | kTlb | (core_.daif & kI ? 0u : uint32_t{kIrq}) |
         (core_.daif & kF ? 0u : uint32_t{kFiq});
}

bool InterpVcpu::deliver_interrupts() {
  constexpr uint32_t kF = 1u << 6, kI = 1u << 7;
  if (fiq_.load(std::memory_order_acquire) && !(core_.daif & kF)) {
    core_.take_interrupt(ExceptionKind::kFiq, core_.pc);
  } else if (irq_.load(std::memory_order_acquire) && !(core_.daif & kI)) {
    core_.take_interrupt(ExceptionKind::kIrq, core_.pc);
  } else {
    return false;
  }
  core_.pc = core_.next_pc;
  return true;
}

uint32_t InterpVcpu::interrupt_status() const {
  return (irq_.load(std::memory_order_acquire) ? 1u << 7 : 0) |
         (fiq_.load(std::memory_order_acquire) ? 1u << 6 : 0);
}

bool InterpVcpu::interrupt_pending() const {
  return irq_.load(std::memory_order_acquire) || fiq_.load(std::memory_order_acquire);
}

// --- VMM exits ----------------------------------------------------------

uint64_t InterpVcpu::mmio(uint64_t gpa, unsigned size, bool is_write, uint64_t value) {
  if (replay_pos_ < replay_.size()) return replay_[replay_pos_++].value;
  pending_exit_ = MmioExit{gpa, size, is_write, value};
  if (is_write) replay_.push_back({0, true});  // the VMM performs it; nothing to answer
  throw VmmExit{};
}

std::optional<uint64_t> InterpVcpu::sysreg(SysRegId id, bool is_write, uint64_t value) {
  if (replay_pos_ < replay_.size()) {
    const Replay& r = replay_[replay_pos_++];
    return r.handled ? std::optional<uint64_t>(r.value) : std::nullopt;
  }
  pending_exit_ = SysRegExit{id, is_write, value};
  replay_.push_back({0, true});  // complete_sysreg*() fills it in
  throw VmmExit{};
}

void InterpVcpu::complete_mmio_read(uint64_t value) {
  replay_.push_back({value, true});
}

void InterpVcpu::complete_sysreg_read(uint64_t value) {
  if (!replay_.empty()) replay_.back() = {value, true};
}

void InterpVcpu::complete_sysreg(bool handled) {
  if (!replay_.empty()) replay_.back().handled = handled;
}

void InterpVcpu::request_exit(VcpuExit exit) {
  pending_exit_ = std::move(exit);
  core_.end_block = true;
}

// --- other threads --------------------------------------------------------

void InterpVcpu::kick() {
  signals_.fetch_or(kKick, std::memory_order_acq_rel);
  std::lock_guard lock(wait_mutex_);
  wait_cv_.notify_all();
}

void InterpVcpu::set_irq(bool level) {
  irq_.store(level, std::memory_order_release);
  if (level)
    signals_.fetch_or(kIrq, std::memory_order_acq_rel);
  else
    signals_.fetch_and(~uint32_t{kIrq}, std::memory_order_acq_rel);
  if (level) {
    std::lock_guard lock(wait_mutex_);
    wait_cv_.notify_all();
  }
}

void InterpVcpu::set_fiq(bool level) {
  fiq_.store(level, std::memory_order_release);
  if (level)
    signals_.fetch_or(kFiq, std::memory_order_acq_rel);
  else
    signals_.fetch_and(~uint32_t{kFiq}, std::memory_order_acq_rel);
  if (level) {
    std::lock_guard lock(wait_mutex_);
    wait_cv_.notify_all();
  }
}

void InterpVcpu::wait_for_interrupt(std::optional<uint64_t> deadline_ns) {
  std::unique_lock lock(wait_mutex_);
  auto wake = [&] { return interrupt_pending() || (signals_.load() & kKick); };
  if (!deadline_ns) {
    wait_cv_.wait(lock, wake);
    return;
  }
  uint64_t now = cluster_.clock().now_ns();
  if (*deadline_ns <= now) return;
  wait_cv_.wait_for(lock, std::chrono::nanoseconds(*deadline_ns - now), wake);
}

void InterpVcpu::note_tlb_broadcast() {
  signals_.fetch_or(kTlb, std::memory_order_acq_rel);
}

void InterpVcpu::signal_event() {
  signals_.fetch_or(kEvent, std::memory_order_acq_rel);
}

void InterpVcpu::wait_for_event() {
  if (signals_.fetch_and(~uint32_t{kEvent}, std::memory_order_acq_rel) & kEvent) return;
  // WFE may complete at any time; yielding lets the lock holder run.
  std::this_thread::yield();
}

void InterpVcpu::sync_tlb(uint64_t generation) {
  if (seen_tlb_generation_.load(std::memory_order_relaxed) == generation) return;
  mmu_->flush_all();
  seen_tlb_generation_.store(generation, std::memory_order_release);
}

void InterpVcpu::wait_tlb_broadcasts(uint64_t generation) {
  for (InterpVcpu* v : cluster_.vcpus()) {
    if (v == this) continue;
    while (v->running_.load(std::memory_order_acquire) &&
           v->seen_tlb_generation_.load(std::memory_order_acquire) < generation) {
      sync_tlb(cluster_.tlb_generation());  // two issuers must not wait on each other
      std::this_thread::yield();
    }
  }
}

void InterpVcpu::timer_changed() {
  timer_->update();
  core_.end_block = true;
}

// --- registers for the VMM -----------------------------------------------

uint64_t InterpVcpu::reg(Reg r) const {
  auto n = static_cast<unsigned>(r);
  if (n <= 30) return core_.x[n];
  switch (r) {
    case Reg::kSp:
      return core_.sp;
    case Reg::kPc:
      return core_.pc;
    case Reg::kPstate:
      return core_.pstate();
    case Reg::kSpEl0:
      return core_.el == 0 || !core_.spsel ? core_.sp : core_.banked_sp_el0;
    case Reg::kSpEl1:
      return core_.el == 1 && core_.spsel ? core_.sp : core_.banked_sp_el1;
    default:
      return 0;
  }
}

void InterpVcpu::set_reg(Reg r, uint64_t value) {
  auto n = static_cast<unsigned>(r);
  if (n <= 30) {
    core_.x[n] = value;
    return;
  }
  switch (r) {
    case Reg::kSp:
      core_.sp = value;
      break;
    case Reg::kPc:
      core_.pc = value;
      reexecute_ = false;
      replay_.clear();
      break;
    case Reg::kPstate:
      core_.set_pstate(value);
      break;
    case Reg::kSpEl0:
      (core_.el == 0 || !core_.spsel ? core_.sp : core_.banked_sp_el0) = value;
      break;
    case Reg::kSpEl1:
      (core_.el == 1 && core_.spsel ? core_.sp : core_.banked_sp_el1) = value;
      break;
    default:
      break;
  }
}

// --- vcpu_services.h --------------------------------------------------------

uint64_t mmio_access(Core& core, uint64_t gpa, unsigned size, bool is_write, uint64_t value) {
  return core.vcpu->mmio(gpa, size, is_write, value);
}

std::optional<uint64_t> sysreg_access(Core& core, SysRegId id, bool is_write, uint64_t value) {
  return core.vcpu->sysreg(id, is_write, value);
}

void request_hvc_exit(Core& core, uint16_t imm, bool is_smc) {
  core.vcpu->request_exit(HvcExit{imm, {core.x[0], core.x[1], core.x[2], core.x[3]}, is_smc});
}

void request_wfi_exit(Core& core) {
  // The timer lines are only recomputed now and then: a compare value that
  // passed since must raise its line before deciding to sleep, or WFI would
  // wait for an interrupt that never comes (no deadline: it already fired).
  core.timer->update();
  if (core.vcpu->interrupt_pending()) return;
  std::optional<uint64_t> deadline;
  if (auto ticks = core.timer->next_deadline_ticks()) {
    // CVAL may be near 2^64 ("never"); past ~24 years of counter the
    // conversion would overflow, and no deadline is the same thing.
    if (*ticks < (uint64_t{1} << 54)) deadline = Clock::ticks_to_ns(*ticks);
  }
  core.vcpu->request_exit(WfiExit{deadline});
}

void wait_for_event(Core& core) {
  core.vcpu->wait_for_event();
}

void send_event(Core& core, bool local_only) {
  if (local_only)
    core.vcpu->signal_event();
  else
    core.vcpu->cluster().send_event();
}

uint32_t interrupt_status(const Core& core) {
  return core.vcpu->interrupt_status();
}

uint64_t counter_value(const Core& core) {
  return core.timer->counter();
}

void timer_changed(Core& core) {
  core.vcpu->timer_changed();
}

void invalidate_code_all(Core& core, bool) {
  core.vcpu->cluster().code().invalidate_all();
}

void invalidate_code_line(Core& core, uint64_t gpa, bool) {
  core.vcpu->cluster().code().invalidate_line(gpa);
}

void broadcast_tlbi(Core& core, std::function<void(Mmu&)> op) {
  op(*core.mmu);
  uint64_t generation = core.vcpu->cluster().broadcast_tlb_flush();
  for (InterpVcpu* v : core.vcpu->cluster().vcpus())
    if (v != core.vcpu) v->note_tlb_broadcast();
  core.vcpu->sync_tlb(generation);  // this vCPU already did the precise op
  core.vcpu->wait_tlb_broadcasts(generation);
}

void data_synchronization_barrier(Core&) {
  // TLBI ...IS already waited in broadcast_tlbi(), so nothing is outstanding
  // by the time a DSB executes.
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace vmapple::arm64
