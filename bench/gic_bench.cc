// The GICv3 on the guest interrupt hot path: acknowledging and ending an
// interrupt (ICC_IAR1_EL1 + ICC_EOIR1_EL1, two SysReg exits of every guest
// interrupt), a device raising an SPI up to the vCPU's IRQ input, and the
// whole path from an edge to the EOI.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "hw/intc/gicv3.h"
#include "hw/intc/gicv3_cpu_interface.h"
#include "hw/intc/gicv3_distributor.h"
#include "hw/intc/gicv3_redistributor.h"

namespace vmapple {
namespace {

using D = GicV3Distributor;
using R = GicV3Redistributors;

// A vCPU input that only records the level, as a real one would before a kick.
struct Inputs final : CpuInterruptInputs {
  bool irq = false;
  bool fiq = false;
  void set_irq(bool level) override { irq = level; }
  void set_fiq(bool level) override { fiq = level; }
};

// A GIC programmed as Linux leaves it after boot; SPI 1 (INTID 33) enabled
// and routed to CPU 0, level-sensitive; SPI 16 (INTID 48) edge-triggered.
struct Fixture {
  explicit Fixture(unsigned num_cpus) : gic(num_cpus), inputs(num_cpus) {
    MmioHandler& d = gic.distributor();
    MmioHandler& r = gic.redistributors();
    for (unsigned i = 32; i < 288; i += 32)
      d.write(D::kIgroupr + i / 8, 4, ~0u);
    for (unsigned i = 32; i < 288; i += 4)
      d.write(D::kIpriorityr + i, 4, 0xa0a0a0a0);
    d.write(D::kIcfgr + 48 / 16 * 4, 4, 2u << (48 % 16 * 2));
    d.write(D::kCtlr, 4, D::kCtlrAre | D::kCtlrEnableGrp1);
    d.write(D::kIsenabler + 4, 4, 1u << 1 | 1u << 16);
    for (unsigned cpu = 0; cpu < num_cpus; ++cpu) {
      uint64_t rd = cpu * GicV3::kRedistributorStride;
      r.write(rd + R::kWaker, 4, 0);
      r.write(rd + R::kSgiBase + R::kIgroupr0, 4, ~0u);
      gic.write_sysreg(cpu, icc::kPmrEl1, 0xf0);
      gic.write_sysreg(cpu, icc::kIgrpen1El1, 1);
      gic.connect_cpu(cpu, &inputs[cpu]);
    }
  }
  GicV3 gic;
  std::vector<Inputs> inputs;
};

// A level SPI held high: every EOIR1 makes it pending and signalled again.
void BM_Iar1Eoir1RoundTrip(benchmark::State& state) {
  Fixture f(static_cast<unsigned>(state.range(0)));
  f.gic.spi(1).raise();
  uint64_t intid = 0;
  for (auto _ : state) {
    f.gic.read_sysreg(0, icc::kIar1El1, intid);
    f.gic.write_sysreg(0, icc::kEoir1El1, intid);
  }
  if (intid != 33 || !f.inputs[0].irq) state.SkipWithError("the SPI was not taken");
}
BENCHMARK(BM_Iar1Eoir1RoundTrip)->Arg(1)->Arg(4)->Arg(32);

// A level SPI raised (IRQ rises on CPU 0) and lowered again.
void BM_SpiRaiseLower(benchmark::State& state) {
  Fixture f(static_cast<unsigned>(state.range(0)));
  IrqLine& line = f.gic.spi(1);
  bool seen = true;
  for (auto _ : state) {
    line.raise();
    seen &= f.inputs[0].irq;
    line.lower();
  }
  if (!seen) state.SkipWithError("IRQ did not rise");
}
BENCHMARK(BM_SpiRaiseLower)->Arg(1)->Arg(4)->Arg(32);

// An edge pulse, then what the guest's handler does: IAR1, EOIR1.
void BM_EdgeToEoi(benchmark::State& state) {
  Fixture f(4);
  IrqLine& line = f.gic.spi(16);
  uint64_t intid = 0;
  for (auto _ : state) {
    line.pulse();
    f.gic.read_sysreg(0, icc::kIar1El1, intid);
    f.gic.write_sysreg(0, icc::kEoir1El1, intid);
  }
  if (intid != 48) state.SkipWithError("the edge was not taken");
}
BENCHMARK(BM_EdgeToEoi);

}  // namespace
}  // namespace vmapple
