// The software CPU against arbitrary guest code: the input is the first
// 16 KiB of RAM (code, data and the exception vectors at VBAR = RAM base),
// followed by the answers the "VMM" gives to MMIO reads and system-register
// exits. Whatever the bytes, the CPU must take guest exceptions, never crash
// the host or read/write outside guest RAM (ASan), and keep its invariants.
#include <cstdint>
#include <cstring>
#include <variant>

#include "base/manual_timers.h"
#include "cpu/arm64/interp_vcpu.h"
#include "fuzz_input.h"
#include "memory/guest_memory.h"

using namespace vmapple;

namespace {

constexpr uint64_t kRam = 0x4000'0000;
constexpr uint64_t kCodeBytes = 16 * 1024;
constexpr uint64_t kInstructionLimit = 1000;
constexpr int kMaxExits = 32;

void answer(arm64::InterpVcpu& cpu, VcpuExit& exit, fuzz::Input& in) {
  if (auto* m = std::get_if<MmioExit>(&exit)) {
    if (!m->is_write) cpu.complete_mmio_read(in.take(m->size));
  } else if (auto* s = std::get_if<SysRegExit>(&exit)) {
    if (in.u8() & 1)
      cpu.complete_sysreg(false);
    else if (!s->is_write)
      cpu.complete_sysreg_read(in.take(8));
  } else if (std::get_if<HvcExit>(&exit)) {
    cpu.set_reg(xreg(0), in.take(8));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::silence_traces();
  GuestMemory ram;
  ram.add_region("ram", kRam, 1 << 20);
  size_t code = std::min<size_t>(size, kCodeBytes);
  ram.write(kRam, {data, code});
  fuzz::Input in(data + code, size - code);

  ManualClock clock;
  LatchIrqLine vtimer, ptimer;
  arm64::CpuCluster cluster(ram, clock);
  arm64::InterpVcpu cpu(cluster, 0, vtimer, ptimer);
  cpu.set_reg(Reg::kPc, kRam);
  cpu.core().sys.vbar = kRam;
  cpu.set_instruction_limit(kInstructionLimit);
  for (int i = 0; i < kMaxExits; ++i) {
    VcpuExit exit = cpu.run();
    if (std::holds_alternative<KickedExit>(exit)) break;
    answer(cpu, exit, in);
    clock.set(clock.now_ns() + 1000);
    if (in.u8() == 0xff) cpu.set_irq(true);
  }
  // PSTATE stays a legal AArch64 EL0/EL1 state whatever the guest did.
  uint64_t pstate = cpu.reg(Reg::kPstate);
  fuzz::check((pstate & 0x10) == 0, "AArch64 state");
  fuzz::check(((pstate >> 2) & 3) <= 1, "EL0 or EL1");
  return 0;
}
