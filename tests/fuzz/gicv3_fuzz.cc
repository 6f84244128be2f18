// Fuzzes the GICv3 with a sequence of operations on 1..4 CPUs, or 18 (two
// affinity clusters) when the first byte is 0xF0 or more:
//   0 GICD bus read   u16 offset, u8 size (1 << (size & 3))
//   1 GICD bus write  u16 offset, u8 size, u32 value
//   2 GICD raw call   u16 offset, u8 size (any), u8 read/write, u32 value (no bus checks)
//   3 GICR access     u8 cpu, u8 flags (bit 0 SGI_base, bits 1-2 size, bit 3 write),
//                     u16 offset, [u32 value]
//   4 ICC read        u8 cpu, u8 register (< 0x80: one of the ICC registers, else u16 encoding)
//   5 ICC write       as 4, then u64 value
//   6 SPI input       u8 spi, u8 level
//   7 PPI input       u8 cpu, u8 intid (16 + n % 16), u8 level
//   8 handle          u8 cpu: IAR1, then EOIR1 (and DIR with EOImode 1), as Linux does
//   9 reset
//  10 save_state + restore_state
// Invariants after every operation: each vCPU's IRQ/FIQ inputs carry what the
// GIC wants and never both; RPR is idle exactly when no active priority is
// recorded. For one CPU per operation (and every CPU at the end), on a saved
// copy of the state: IRQ is high exactly when ICC_IAR1_EL1 would return an
// interrupt (and FIQ likewise for IAR0), which then exists and is active.
#include <cstdint>
#include <memory>
#include <vector>

#include "base/log.h"
#include "fuzz/fuzz_input.h"
#include "hw/intc/gicv3.h"
#include "hw/intc/gicv3_cpu_interface.h"
#include "memory/address_space.h"

namespace {

using vmapple::GicV3;
using vmapple::SysRegId;
using vmapple::fuzz::check;
using vmapple::fuzz::Input;
namespace icc = vmapple::icc;

constexpr uint64_t kDist = 0x1000'0000;
constexpr uint64_t kRedist = 0x1001'0000;
constexpr uint64_t kSpurious = 1023;

struct Cpu final : vmapple::CpuInterruptInputs {
  bool irq = false;
  bool fiq = false;
  void set_irq(bool level) override { irq = level; }
  void set_fiq(bool level) override { fiq = level; }
};

constexpr SysRegId kIds[] = {
    icc::kPmrEl1,    icc::kIar0El1,  icc::kEoir0El1, icc::kHppir0El1,  icc::kBpr0El1,
    icc::kAp0r0El1,  icc::kAp1r0El1, icc::kDirEl1,   icc::kRprEl1,     icc::kSgi1rEl1,
    icc::kAsgi1rEl1, icc::kSgi0rEl1, icc::kIar1El1,  icc::kEoir1El1,   icc::kHppir1El1,
    icc::kBpr1El1,   icc::kCtlrEl1,  icc::kSreEl1,   icc::kIgrpen0El1, icc::kIgrpen1El1,
};

SysRegId pick_id(Input& in) {
  uint8_t sel = in.u8();
  if (sel < 0x80) return kIds[sel % std::size(kIds)];
  return SysRegId{in.u16()};
}

uint64_t icc_read(GicV3& gic, unsigned cpu, SysRegId id) {
  uint64_t v = 0;
  check(gic.read_sysreg(cpu, id, v), "ICC register readable");
  return v;
}

// IAR on a copy of the state: what the CPU would get if it took the
// exception now. The state is put back afterwards.
uint64_t probe_ack(GicV3& gic, unsigned cpu, SysRegId iar) {
  vmapple::gicv3::State saved = gic.save_state();
  uint64_t intid = icc_read(gic, cpu, iar);
  if (intid != kSpurious) {
    check(intid < vmapple::gicv3::kNumIntids, "acknowledged INTID exists");
    check(icc_read(gic, cpu, icc::kRprEl1) < 0xFF, "acknowledge raises the running priority");
    vmapple::gicv3::State after = gic.save_state();
    bool active = vmapple::gicv3::with_irq(
        after, cpu, static_cast<unsigned>(intid),
        [](auto& bank, unsigned w, unsigned b) { return (bank.active[w] >> b & 1) != 0; });
    check(active, "acknowledged interrupt is active");
  }
  gic.restore_state(saved);
  return intid;
}

// What must hold on every CPU after every operation.
void check_cpu(GicV3& gic, const std::vector<Cpu>& cpus, unsigned cpu) {
  const Cpu& c = cpus[cpu];
  check(c.irq == gic.irq_output(cpu) && c.fiq == gic.fiq_output(cpu), "inputs follow the GIC");
  check(!(c.irq && c.fiq), "one of IRQ and FIQ");
  bool idle = icc_read(gic, cpu, icc::kRprEl1) == 0xFF;
  bool no_active = (icc_read(gic, cpu, icc::kAp0r0El1) | icc_read(gic, cpu, icc::kAp1r0El1)) == 0;
  check(idle == no_active, "RPR idle iff no active priority");
  check((icc_read(gic, cpu, icc::kPmrEl1) & 7) == 0, "PMR keeps 5 bits");
}

// The outputs agree with what an acknowledge would return (costly: two
// save/restore rounds, so one CPU per operation).
void check_acknowledge(GicV3& gic, const std::vector<Cpu>& cpus, unsigned cpu) {
  const Cpu& c = cpus[cpu];
  bool irq = c.irq, fiq = c.fiq;
  check((probe_ack(gic, cpu, icc::kIar1El1) != kSpurious) == irq, "IRQ iff IAR1 has one");
  check((probe_ack(gic, cpu, icc::kIar0El1) != kSpurious) == fiq, "FIQ iff IAR0 has one");
  check(c.irq == irq && c.fiq == fiq, "restore_state brings the outputs back");
}

void handle(GicV3& gic, unsigned cpu) {
  uint64_t intid = icc_read(gic, cpu, icc::kIar1El1);
  if (intid == kSpurious) return;
  gic.write_sysreg(cpu, icc::kEoir1El1, intid);
  if (icc_read(gic, cpu, icc::kCtlrEl1) & icc::kCtlrEoiMode)
    gic.write_sysreg(cpu, icc::kDirEl1, intid);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::fuzz::silence_traces();
  Input in{data, size};
  uint8_t shape = in.u8();
  unsigned num_cpus = shape >= 0xF0 ? 18 : 1 + shape % 4;  // 18: two clusters
  vmapple::GuestMemory memory;
  vmapple::AddressSpace space(memory);
  GicV3 gic(num_cpus);
  space.add_mmio("gicd", kDist, GicV3::kDistributorSize, gic.distributor(), GicV3::kRules);
  space.add_mmio("gicr", kRedist, gic.redistributor_region_size(), gic.redistributors(),
                 GicV3::kRules);
  std::vector<Cpu> cpus(num_cpus);
  for (unsigned i = 0; i < num_cpus; ++i)
    gic.connect_cpu(i, &cpus[i]);

  unsigned step = 0;
  while (!in.empty()) {
    switch (unsigned op = in.u8() % 11) {
      case 0:
      case 1:
      case 2:
        vmapple::fuzz::mmio_op(in, op, space, gic.distributor(), kDist);
        break;
      case 3: {
        unsigned cpu = in.u8() % (num_cpus + 1);  // one past the last frame: unassigned
        uint8_t flags = in.u8();
        uint64_t gpa =
            kRedist + cpu * GicV3::kRedistributorStride + (flags & 1) * 0x1'0000 + in.u16();
        unsigned width = 1u << (flags >> 1 & 3);
        uint64_t value = 0;
        if (flags & 8)
          space.write(gpa, width, in.u32());
        else
          space.read(gpa, width, &value);
        break;
      }
      case 4: {
        unsigned cpu = in.u8() % num_cpus;
        uint64_t value = 0;
        gic.read_sysreg(cpu, pick_id(in), value);
        break;
      }
      case 5: {
        unsigned cpu = in.u8() % num_cpus;
        SysRegId id = pick_id(in);
        gic.write_sysreg(cpu, id, in.take(8));
        break;
      }
      case 6: {
        unsigned spi = in.u8();
        gic.spi(spi).set(in.u8() & 1);
        break;
      }
      case 7: {
        unsigned cpu = in.u8() % num_cpus;
        unsigned intid = 16 + in.u8() % 16;
        gic.ppi(cpu, intid).set(in.u8() & 1);
        break;
      }
      case 8:
        handle(gic, in.u8() % num_cpus);
        break;
      case 9:
        gic.reset();
        break;
      case 10:
        gic.restore_state(gic.save_state());
        break;
    }
    for (unsigned i = 0; i < num_cpus; ++i)
      check_cpu(gic, cpus, i);
    check_acknowledge(gic, cpus, step++ % num_cpus);
  }
  for (unsigned i = 0; i < num_cpus; ++i)
    check_acknowledge(gic, cpus, i);
  return 0;
}
