// The GICv3 programmed as Linux's irq-gic-v3 driver programs it: the
// distributor and redistributors through MMIO (like a guest), the CPU
// interface through ICC_* system-register accesses, the IRQ/FIQ outputs
// observed on fake vCPU inputs.
#include "hw/intc/gicv3.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/log.h"
#include "hw/intc/gicv3_cpu_interface.h"
#include "hw/intc/gicv3_distributor.h"
#include "hw/intc/gicv3_redistributor.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kDist = 0x1000'0000;
constexpr uint64_t kRedist = 0x1001'0000;
constexpr unsigned kSpurious = 1023;
constexpr uint32_t kDefaultPriority = 0xa0;  // GICD_INT_DEF_PRI
constexpr uint64_t kDefaultPmr = 0xf0;       // DEFAULT_PMR_VALUE
using D = GicV3Distributor;
using R = GicV3Redistributors;

// A vCPU's IRQ and FIQ inputs.
struct FakeCpu final : CpuInterruptInputs {
  std::atomic<bool> irq{false};
  std::atomic<bool> fiq{false};
  std::atomic<int> irq_rises{0};
  void set_irq(bool level) override {
    if (level && !irq) ++irq_rises;
    irq = level;
  }
  void set_fiq(bool level) override { fiq = level; }
};

constexpr uint64_t affinity(unsigned cpu) {
  return (cpu / 16) << 8 | cpu % 16;
}

class GicV3Test : public ::testing::Test {
 protected:
  GicV3Test() { build(4); }

  void build(unsigned cpus) {
    space_ = std::make_unique<AddressSpace>(memory_);
    gic_ = std::make_unique<GicV3>(cpus);
    space_->add_mmio("gicd", kDist, GicV3::kDistributorSize, gic_->distributor(), GicV3::kRules);
    space_->add_mmio("gicr", kRedist, gic_->redistributor_region_size(), gic_->redistributors(),
                     GicV3::kRules);
    cpus_ = std::vector<FakeCpu>(cpus);
    for (unsigned i = 0; i < cpus; ++i)
      gic_->connect_cpu(i, &cpus_[i]);
  }

  uint64_t mmio_read(uint64_t gpa, unsigned size) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_->read(gpa, size, &v), MmioStatus::kOk) << std::hex << gpa;
    return v;
  }
  void mmio_write(uint64_t gpa, unsigned size, uint64_t v) {
    EXPECT_EQ(space_->write(gpa, size, v), MmioStatus::kOk) << std::hex << gpa;
  }
  uint32_t readl(uint64_t off) { return static_cast<uint32_t>(mmio_read(kDist + off, 4)); }
  void writel(uint32_t v, uint64_t off) { mmio_write(kDist + off, 4, v); }
  uint64_t rd(unsigned cpu) { return kRedist + cpu * GicV3::kRedistributorStride; }
  uint64_t sgi(unsigned cpu) { return rd(cpu) + R::kSgiBase; }

  uint64_t icc_read(unsigned cpu, SysRegId id) {
    uint64_t v = ~0ull;
    EXPECT_TRUE(gic_->read_sysreg(cpu, id, v)) << std::hex << id.packed;
    return v;
  }
  void icc_write(unsigned cpu, SysRegId id, uint64_t v) {
    EXPECT_TRUE(gic_->write_sysreg(cpu, id, v)) << std::hex << id.packed;
  }

  // gic_dist_init(): everything off, SPIs Group 1, level, default priority,
  // routed to the boot CPU, then affinity routing and Group 1 on.
  void linux_dist_init() {
    writel(0, D::kCtlr);
    while (readl(D::kCtlr) & (1u << 31)) {  // RWP
    }
    uint32_t typer = readl(D::kTyper);
    unsigned irqs = std::min(((typer & 0x1f) + 1) * 32, 1020u);
    for (unsigned i = 32; i < irqs; i += 32)
      writel(~0u, D::kIgroupr + i / 8);
    for (unsigned i = 32; i < irqs; i += 16)
      writel(0, D::kIcfgr + i / 4);
    for (unsigned i = 32; i < irqs; i += 4)
      writel(0xa0a0a0a0, D::kIpriorityr + i);
    for (unsigned i = 32; i < irqs; i += 32) {
      writel(~0u, D::kIcactiver + i / 8);
      writel(~0u, D::kIcenabler + i / 8);
    }
    writel(D::kCtlrAre | D::kCtlrEnableGrp1 | D::kCtlrEnableGrp0, D::kCtlr);
    for (unsigned i = 32; i < irqs; ++i)
      mmio_write(kDist + D::kIrouter + 8 * i, 8, affinity(0));
  }

  // gic_populate_rdist(): walk the frames until TYPER's affinity matches.
  uint64_t linux_find_rdist(unsigned cpu) {
    for (uint64_t base = kRedist;; base += GicV3::kRedistributorStride) {
      EXPECT_EQ(mmio_read(base + R::kPidr2, 4) & 0xf0, 0x30u);
      uint64_t typer = mmio_read(base + R::kTyper, 8);
      if (typer >> 32 == affinity(cpu)) return base;
      if (typer & R::kTyperLast) return 0;
    }
  }

  // gic_cpu_init() + gic_cpu_sys_reg_init() on `cpu`.
  void linux_cpu_init(unsigned cpu) {
    uint64_t rbase = linux_find_rdist(cpu);
    ASSERT_EQ(rbase, rd(cpu));
    // gic_enable_redist(true)
    uint32_t waker = static_cast<uint32_t>(mmio_read(rbase + R::kWaker, 4));
    mmio_write(rbase + R::kWaker, 4, waker & ~R::kWakerProcessorSleep);
    int tries = 0;
    while (mmio_read(rbase + R::kWaker, 4) & R::kWakerChildrenAsleep)
      ASSERT_LT(++tries, 1000);
    uint64_t sgi_base = rbase + R::kSgiBase;
    mmio_write(sgi_base + R::kIgroupr0, 4, ~0u);
    mmio_write(sgi_base + R::kIcactiver0, 4, ~0u);
    mmio_write(sgi_base + R::kIcenabler0, 4, ~0u);
    for (unsigned i = 0; i < 32; i += 4)
      mmio_write(sgi_base + R::kIpriorityr0 + i, 4, 0xa0a0a0a0);
    while (mmio_read(rbase + R::kCtlr, 4) & (1u << 3)) {  // RWP
    }
    // gic_cpu_sys_reg_init()
    icc_write(cpu, icc::kSreEl1, icc_read(cpu, icc::kSreEl1) | 1);
    ASSERT_EQ(icc_read(cpu, icc::kSreEl1) & 1, 1u);
    icc_write(cpu, icc::kPmrEl1, kDefaultPmr);
    icc_write(cpu, icc::kBpr1El1, 0);
    icc_write(cpu, icc::kCtlrEl1, 0);  // EOImode 0: no EL2
    unsigned pribits = static_cast<unsigned>((icc_read(cpu, icc::kCtlrEl1) >> 8 & 7) + 1);
    ASSERT_EQ(pribits, 5u);
    // gic_has_group0(): the highest non-zero priority reads back.
    uint64_t old_pmr = icc_read(cpu, icc::kPmrEl1);
    icc_write(cpu, icc::kPmrEl1, 1u << (8 - pribits));
    bool group0 = icc_read(cpu, icc::kPmrEl1) != 0;
    icc_write(cpu, icc::kPmrEl1, old_pmr);
    ASSERT_TRUE(group0);
    icc_write(cpu, icc::kAp0r0El1, 0);  // pribits 5: only the first of each
    icc_write(cpu, icc::kAp1r0El1, 0);
    icc_write(cpu, icc::kIgrpen1El1, 1);
  }

  void linux_boot() {
    linux_dist_init();
    for (unsigned cpu = 0; cpu < gic_->num_cpus(); ++cpu)
      linux_cpu_init(cpu);
  }

  // gic_unmask_irq / gic_set_type / gic_set_affinity for SPI INTID `intid`.
  void enable(unsigned intid) { writel(1u << (intid % 32), D::kIsenabler + intid / 32 * 4); }
  void disable(unsigned intid) { writel(1u << (intid % 32), D::kIcenabler + intid / 32 * 4); }
  void set_edge(unsigned intid) {
    uint64_t off = D::kIcfgr + intid / 16 * 4;
    writel(readl(off) | 2u << (intid % 16 * 2), off);
  }
  void route(unsigned intid, uint64_t value) {
    mmio_write(kDist + D::kIrouter + 8 * intid, 8, value);
  }
  void set_priority(unsigned intid, uint8_t prio) {
    mmio_write(kDist + D::kIpriorityr + intid, 1, prio);
  }
  bool dist_bit(uint64_t reg, unsigned intid) {
    return readl(reg + intid / 32 * 4) >> (intid % 32) & 1;
  }

  // gic_handle_irq() with EOImode 0: acknowledge, handle, end.
  unsigned ack(unsigned cpu) { return static_cast<unsigned>(icc_read(cpu, icc::kIar1El1)); }
  void eoi(unsigned cpu, unsigned intid) { icc_write(cpu, icc::kEoir1El1, intid); }

  GuestMemory memory_;
  std::unique_ptr<AddressSpace> space_;
  std::unique_ptr<GicV3> gic_;
  std::vector<FakeCpu> cpus_;
};

TEST_F(GicV3Test, ProbeRegistersAsLinuxReadsThem) {
  EXPECT_EQ(readl(0xffe8) & 0xf0, 0x30u);  // GICD_PIDR2.ArchRev
  uint32_t typer = readl(D::kTyper);
  EXPECT_EQ(typer & 0x1f, 8u);         // ITLinesNumber: 288 INTIDs
  EXPECT_EQ(typer >> 5 & 7, 3u);       // CPUNumber: 4 CPUs
  EXPECT_EQ(typer >> 19 & 0x1f, 15u);  // IDbits: 16
  EXPECT_EQ(typer & (1u << 17), 0u);   // no LPIs
  EXPECT_EQ(typer & (1u << 16), 0u);   // no MBIS
  EXPECT_EQ(typer & (1u << 25), 0u);   // 1-of-N supported
  EXPECT_EQ(readl(D::kIidr), 0x43bu);
  // Affinity routing is always on, one security state.
  EXPECT_EQ(readl(D::kCtlr), D::kCtlrAre | D::kCtlrDs);
  writel(0, D::kCtlr);
  EXPECT_EQ(readl(D::kCtlr), D::kCtlrAre | D::kCtlrDs);
  // Redistributors: one frame pair per CPU, the last one marked.
  for (unsigned cpu = 0; cpu < 4; ++cpu) {
    uint64_t t = mmio_read(rd(cpu) + R::kTyper, 8);
    EXPECT_EQ(t >> 32, affinity(cpu));
    EXPECT_EQ(t >> 8 & 0xffff, cpu);
    EXPECT_EQ((t & R::kTyperLast) != 0, cpu == 3);
    EXPECT_EQ(t & 1, 0u);  // PLPIS
    // The two 32-bit halves read the same.
    EXPECT_EQ(mmio_read(rd(cpu) + R::kTyper + 4, 4), t >> 32);
    EXPECT_EQ(mmio_read(rd(cpu) + R::kPidr2, 4) & 0xf0, 0x30u);
    EXPECT_EQ(mmio_read(rd(cpu) + R::kIidr, 4), 0x43bu);
  }
  // The redistributor starts asleep.
  EXPECT_EQ(mmio_read(rd(0) + R::kWaker, 4), R::kWakerProcessorSleep | R::kWakerChildrenAsleep);
  // CPU interface.
  EXPECT_EQ(icc_read(0, icc::kSreEl1), 7u);
  uint64_t ctlr = icc_read(0, icc::kCtlrEl1);
  EXPECT_EQ(ctlr >> 8 & 7, 4u);   // PRIbits: 5 bits
  EXPECT_EQ(ctlr >> 11 & 7, 0u);  // IDbits: 16
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xffu);
  EXPECT_EQ(icc_read(0, icc::kIar1El1), kSpurious);
}

TEST_F(GicV3Test, LinuxBootLeavesEveryCpuAwakeAndConfigured) {
  linux_boot();
  EXPECT_EQ(readl(D::kCtlr), D::kCtlrAre | D::kCtlrDs | 3u);
  for (unsigned cpu = 0; cpu < 4; ++cpu) {
    EXPECT_EQ(mmio_read(rd(cpu) + R::kWaker, 4), 0u);
    EXPECT_EQ(mmio_read(sgi(cpu) + R::kIgroupr0, 4), ~0u);
    EXPECT_EQ(mmio_read(sgi(cpu) + R::kIpriorityr0 + 28, 4), 0xa0a0a0a0u);
    EXPECT_EQ(icc_read(cpu, icc::kPmrEl1), kDefaultPmr);
    EXPECT_EQ(icc_read(cpu, icc::kBpr1El1), 3u);  // 0 clamps to the minimum
    EXPECT_EQ(icc_read(cpu, icc::kIgrpen1El1), 1u);
    EXPECT_FALSE(cpus_[cpu].irq);
    EXPECT_FALSE(cpus_[cpu].fiq);
  }
  EXPECT_EQ(readl(D::kIgroupr + 4), ~0u);
  EXPECT_EQ(readl(D::kIpriorityr + 32), 0xa0a0a0a0u);
  EXPECT_EQ(mmio_read(kDist + D::kIrouter + 8 * 287, 8), 0u);
  // The SGIs are edge-triggered whatever is written.
  EXPECT_EQ(mmio_read(sgi(0) + R::kIcfgr0, 4), 0xaaaaaaaau);
}

TEST_F(GicV3Test, LevelSpiIsAcknowledgedAndEnded) {
  linux_boot();
  IrqLine& uart = gic_->spi(1);  // INTID 33
  uart.raise();
  EXPECT_FALSE(cpus_[0].irq) << "not enabled yet";
  EXPECT_TRUE(dist_bit(D::kIspendr, 33));
  enable(33);
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_FALSE(cpus_[1].irq);
  EXPECT_EQ(icc_read(0, icc::kHppir1El1), 33u);
  EXPECT_EQ(ack(0), 33u);
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_TRUE(dist_bit(D::kIsactiver, 33));
  EXPECT_TRUE(dist_bit(D::kIspendr, 33)) << "active and pending while the line is high";
  EXPECT_EQ(icc_read(0, icc::kRprEl1), kDefaultPriority);
  uart.lower();  // the handler clears the device's interrupt
  eoi(0, 33);
  EXPECT_FALSE(dist_bit(D::kIsactiver, 33));
  EXPECT_FALSE(dist_bit(D::kIspendr, 33));
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xffu);
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(ack(0), kSpurious);
}

TEST_F(GicV3Test, LevelStillHighAfterEoiIsDeliveredAgain) {
  linux_boot();
  enable(34);
  gic_->spi(2).raise();
  EXPECT_EQ(ack(0), 34u);
  eoi(0, 34);
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_EQ(cpus_[0].irq_rises, 2);
  EXPECT_EQ(ack(0), 34u);
  gic_->spi(2).lower();
  eoi(0, 34);
  EXPECT_FALSE(cpus_[0].irq);
}

TEST_F(GicV3Test, EdgeLatchesAndLevelDoesNot) {
  linux_boot();
  set_edge(48);  // apple-gfx IOSFC pulses SPI 16
  enable(48);
  enable(49);  // left level-sensitive
  EXPECT_EQ(readl(D::kIcfgr + 48 / 16 * 4) & 3u, 2u);
  gic_->spi(16).pulse();
  gic_->spi(17).pulse();  // a pulse on a level input leaves nothing behind
  EXPECT_TRUE(dist_bit(D::kIspendr, 48));
  EXPECT_FALSE(dist_bit(D::kIspendr, 49));
  EXPECT_EQ(ack(0), 48u);
  EXPECT_FALSE(dist_bit(D::kIspendr, 48));
  // An edge while active: active and pending, delivered again after EOI.
  gic_->spi(16).pulse();
  EXPECT_TRUE(dist_bit(D::kIspendr, 48));
  EXPECT_FALSE(cpus_[0].irq) << "same priority does not preempt";
  eoi(0, 48);
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_EQ(ack(0), 48u);
  eoi(0, 48);
  EXPECT_EQ(ack(0), kSpurious);
  // Two edges before the acknowledge are one interrupt.
  gic_->spi(16).pulse();
  gic_->spi(16).pulse();
  EXPECT_EQ(ack(0), 48u);
  eoi(0, 48);
  EXPECT_EQ(ack(0), kSpurious);
}

TEST_F(GicV3Test, SoftwarePendAndClear) {
  linux_boot();
  enable(40);
  writel(1u << 8, D::kIspendr + 4);  // INTID 40
  EXPECT_TRUE(cpus_[0].irq);
  writel(1u << 8, D::kIcpendr + 4);
  EXPECT_FALSE(cpus_[0].irq);
  // A level interrupt pended by software: the acknowledge clears the latch.
  writel(1u << 8, D::kIspendr + 4);
  EXPECT_EQ(ack(0), 40u);
  EXPECT_FALSE(dist_bit(D::kIspendr, 40));
  eoi(0, 40);
  EXPECT_EQ(ack(0), kSpurious);
  // ICPENDR does not hide an asserted level input.
  gic_->spi(8).raise();
  writel(1u << 8, D::kIcpendr + 4);
  EXPECT_TRUE(dist_bit(D::kIspendr, 40));
  // ISACTIVER/ICACTIVER.
  writel(1u << 8, D::kIsactiver + 4);
  EXPECT_FALSE(cpus_[0].irq);
  writel(1u << 8, D::kIcactiver + 4);
  EXPECT_TRUE(cpus_[0].irq);
}

TEST_F(GicV3Test, RoutingFollowsIrouter) {
  linux_boot();
  enable(33);
  route(33, affinity(2));
  EXPECT_EQ(mmio_read(kDist + D::kIrouter + 8 * 33, 8), affinity(2));
  gic_->spi(1).raise();
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_TRUE(cpus_[2].irq);
  EXPECT_EQ(ack(0), kSpurious);
  EXPECT_EQ(ack(2), 33u);
  eoi(2, 33);
  // Re-routing a pending interrupt moves it.
  route(33, affinity(3));
  EXPECT_FALSE(cpus_[2].irq);
  EXPECT_TRUE(cpus_[3].irq);
  // An affinity no PE has: the interrupt waits in the distributor.
  route(33, 0x0505);
  for (auto& c : cpus_)
    EXPECT_FALSE(c.irq);
  // The 32-bit halves of IROUTER (low word first, as a split access would).
  writel(1, D::kIrouter + 8 * 33);
  writel(0, D::kIrouter + 8 * 33 + 4);
  EXPECT_TRUE(cpus_[1].irq);
}

TEST_F(GicV3Test, OneOfNGoesToOneParticipatingCpu) {
  linux_boot();
  enable(35);
  route(35, gicv3::kIrouterIrm);
  gic_->spi(3).raise();
  int signalled = 0;
  for (auto& c : cpus_)
    signalled += c.irq;
  EXPECT_EQ(signalled, 1);
  EXPECT_TRUE(cpus_[0].irq);
  // CPU 0 stops taking Group 1: another PE gets it.
  icc_write(0, icc::kIgrpen1El1, 0);
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_TRUE(cpus_[1].irq);
  // And CPU 1 going to sleep hands it on again.
  mmio_write(rd(1) + R::kWaker, 4, R::kWakerProcessorSleep);
  EXPECT_FALSE(cpus_[1].irq);
  EXPECT_TRUE(cpus_[2].irq);
  EXPECT_EQ(ack(2), 35u);
}

TEST_F(GicV3Test, SgiToAnotherCpu) {
  linux_boot();
  // gic_ipi_send_mask(): SGI 1 to CPU 2 from CPU 0.
  mmio_write(sgi(2) + R::kIsenabler0, 4, 0xffff);
  icc_write(0, icc::kSgi1rEl1, icc::sgi_value(1, 0, 1u << 2));
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_FALSE(cpus_[1].irq);
  EXPECT_TRUE(cpus_[2].irq);
  EXPECT_EQ(mmio_read(sgi(2) + R::kIspendr0, 4), 1u << 1);
  EXPECT_EQ(ack(2), 1u);
  eoi(2, 1);
  EXPECT_FALSE(cpus_[2].irq);
  // IRM: every PE but the sender, if it has the SGI enabled.
  for (unsigned cpu : {0u, 1u, 3u})
    mmio_write(sgi(cpu) + R::kIsenabler0, 4, 0xffff);
  icc_write(1, icc::kSgi1rEl1, icc::kSgiIrm | icc::sgi_value(5, 0, 0));
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_FALSE(cpus_[1].irq);
  EXPECT_TRUE(cpus_[2].irq);
  EXPECT_TRUE(cpus_[3].irq);
  for (unsigned cpu : {0u, 2u, 3u}) {
    EXPECT_EQ(ack(cpu), 5u);
    eoi(cpu, 5);
  }
  // SGI0R only sends to PEs that made the SGI Group 0.
  icc_write(0, icc::kSgi0rEl1, icc::sgi_value(3, 0, 1u << 1));
  EXPECT_EQ(mmio_read(sgi(1) + R::kIspendr0, 4), 0u);
}

TEST_F(GicV3Test, SgiTargetListSelectsTheCluster) {
  build(20);
  linux_boot();
  mmio_write(sgi(18) + R::kIsenabler0, 4, 0xffff);
  mmio_write(sgi(2) + R::kIsenabler0, 4, 0xffff);
  icc_write(0, icc::kSgi1rEl1, icc::sgi_value(7, 1, 1u << 2));  // Aff1 1, Aff0 2: CPU 18
  EXPECT_TRUE(cpus_[18].irq);
  EXPECT_FALSE(cpus_[2].irq);
  EXPECT_EQ(ack(18), 7u);
  // Redistributor discovery finds CPU 18's frame by affinity.
  EXPECT_EQ(linux_find_rdist(18), rd(18));
  // SPIs route into cluster 1 too.
  enable(36);
  route(36, affinity(17));
  gic_->spi(4).raise();
  EXPECT_TRUE(cpus_[17].irq);
}

TEST_F(GicV3Test, PriorityOrderAndTies) {
  linux_boot();
  for (unsigned intid : {40u, 41u, 42u, 43u})
    enable(intid);
  set_priority(40, 0xc0);
  set_priority(41, 0x40);
  set_priority(42, 0x80);
  set_priority(43, 0x40);
  EXPECT_EQ(readl(D::kIpriorityr + 40), 0x408040c0u);
  writel(0xfu << 8, D::kIspendr + 4);  // INTIDs 40-43 at once
  // Masked by priority grouping: each acknowledge raises the running
  // priority, so take them one at a time, ending each.
  std::vector<unsigned> order;
  for (unsigned i = 0; i < 5; ++i) {
    unsigned intid = ack(0);
    order.push_back(intid);
    if (intid != kSpurious) eoi(0, intid);
  }
  EXPECT_EQ(order, (std::vector<unsigned>{41, 43, 42, 40, kSpurious}));
}

TEST_F(GicV3Test, PriorityMask) {
  linux_boot();
  enable(40);
  set_priority(40, 0xf0);  // equal to the PMR: masked
  gic_->spi(8).raise();
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(icc_read(0, icc::kHppir1El1), 40u) << "pending, only masked";
  EXPECT_EQ(ack(0), kSpurious);
  icc_write(0, icc::kPmrEl1, 0xf8);
  EXPECT_TRUE(cpus_[0].irq);
  icc_write(0, icc::kPmrEl1, 0);
  EXPECT_FALSE(cpus_[0].irq);
  // Unimplemented priority bits read as zero.
  icc_write(0, icc::kPmrEl1, 0xff);
  EXPECT_EQ(icc_read(0, icc::kPmrEl1), 0xf8u);
  set_priority(40, 0x47);
  EXPECT_EQ(readl(D::kIpriorityr + 40) & 0xff, 0x40u);
}

TEST_F(GicV3Test, HigherPriorityPreemptsAndEoisNest) {
  linux_boot();
  enable(40);
  enable(41);
  enable(42);
  set_priority(40, 0xa0);
  set_priority(41, 0x80);
  set_priority(42, 0xa0);
  gic_->spi(8).raise();
  EXPECT_EQ(ack(0), 40u);
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xa0u);
  gic_->spi(10).raise();  // same priority: waits
  EXPECT_FALSE(cpus_[0].irq);
  gic_->spi(9).raise();  // higher: preempts
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_EQ(ack(0), 41u);
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0x80u);
  EXPECT_EQ(icc_read(0, icc::kAp1r0El1), (1u << (0xa0 >> 3)) | (1u << (0x80 >> 3)));
  EXPECT_FALSE(cpus_[0].irq);
  gic_->spi(9).lower();
  eoi(0, 41);
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xa0u);
  EXPECT_FALSE(cpus_[0].irq) << "42 still cannot preempt 40";
  gic_->spi(8).lower();
  eoi(0, 40);
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_EQ(ack(0), 42u);
}

TEST_F(GicV3Test, BinaryPointGroupsPriorities) {
  linux_boot();
  icc_write(0, icc::kBpr1El1, 5);  // group priority [7:5]
  EXPECT_EQ(icc_read(0, icc::kBpr1El1), 5u);
  for (unsigned intid : {40u, 41u, 42u})
    enable(intid);
  set_priority(40, 0x90);
  set_priority(41, 0x80);  // same group priority as 0x90
  set_priority(42, 0x60);  // a higher group
  gic_->spi(8).raise();
  EXPECT_EQ(ack(0), 40u);
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0x80u);  // the group priority
  gic_->spi(9).raise();
  EXPECT_FALSE(cpus_[0].irq);
  gic_->spi(10).raise();
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_EQ(ack(0), 42u);
  // BPR0 clamps to its minimum; CBPR makes Group 1 use it (and BPR1 read
  // BPR0 + 1).
  icc_write(0, icc::kBpr0El1, 0);
  EXPECT_EQ(icc_read(0, icc::kBpr0El1), 2u);
  icc_write(0, icc::kCtlrEl1, icc::kCtlrCbpr);
  EXPECT_EQ(icc_read(0, icc::kBpr1El1), 3u);
}

TEST_F(GicV3Test, EoiModeOneSplitsDropAndDeactivate) {
  linux_boot();
  icc_write(0, icc::kCtlrEl1, icc::kCtlrEoiMode);
  EXPECT_EQ(icc_read(0, icc::kCtlrEl1) & icc::kCtlrEoiMode, icc::kCtlrEoiMode);
  enable(33);
  gic_->spi(1).raise();
  EXPECT_EQ(ack(0), 33u);
  eoi(0, 33);  // priority drop only
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xffu);
  EXPECT_TRUE(dist_bit(D::kIsactiver, 33));
  EXPECT_FALSE(cpus_[0].irq) << "still active: not delivered again";
  icc_write(0, icc::kDirEl1, 33);
  EXPECT_FALSE(dist_bit(D::kIsactiver, 33));
  EXPECT_TRUE(cpus_[0].irq);
}

TEST_F(GicV3Test, GroupZeroIsFiq) {
  linux_boot();
  writel(~0u & ~(1u << 1), D::kIgroupr + 4);  // INTID 33 Group 0
  enable(33);
  gic_->spi(1).raise();
  EXPECT_FALSE(cpus_[0].fiq) << "ICC_IGRPEN0 off";
  icc_write(0, icc::kIgrpen0El1, 1);
  EXPECT_TRUE(cpus_[0].fiq);
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(icc_read(0, icc::kHppir1El1), kSpurious);
  EXPECT_EQ(icc_read(0, icc::kHppir0El1), 33u);
  EXPECT_EQ(ack(0), kSpurious);
  EXPECT_EQ(icc_read(0, icc::kIar0El1), 33u);
  EXPECT_FALSE(cpus_[0].fiq);
  EXPECT_EQ(icc_read(0, icc::kAp0r0El1), 1u << (kDefaultPriority >> 3));
  // EOIR1 cannot end a Group 0 interrupt.
  uint64_t errors = trace::guest_error_count();
  eoi(0, 33);
  EXPECT_GT(trace::guest_error_count(), errors);
  EXPECT_TRUE(dist_bit(D::kIsactiver, 33));
  gic_->spi(1).lower();
  icc_write(0, icc::kEoir0El1, 33);
  EXPECT_FALSE(dist_bit(D::kIsactiver, 33));
  // GICD_CTLR.EnableGrp0 gates Group 0.
  gic_->spi(1).raise();
  EXPECT_TRUE(cpus_[0].fiq);
  writel(D::kCtlrEnableGrp1, D::kCtlr);
  EXPECT_FALSE(cpus_[0].fiq);
}

TEST_F(GicV3Test, TimerPpisArePerCpu) {
  linux_boot();
  // The arch timer driver enables PPI 27 on each CPU through its SGI_base.
  mmio_write(sgi(1) + R::kIsenabler0, 4, 1u << 27);
  gic_->ppi(1, 27).raise();
  EXPECT_TRUE(cpus_[1].irq);
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(ack(1), 27u);
  gic_->ppi(1, 27).lower();  // the handler reprograms CVAL
  eoi(1, 27);
  EXPECT_FALSE(cpus_[1].irq);
  // PPI 30 on CPU 0, made edge-triggered through GICR_ICFGR1.
  mmio_write(sgi(0) + R::kIcfgr1, 4, 2u << (2 * (30 - 16)));
  EXPECT_EQ(mmio_read(sgi(0) + R::kIcfgr1, 4), 2u << (2 * (30 - 16)));
  mmio_write(sgi(0) + R::kIsenabler0, 4, 1u << 30);
  gic_->ppi(0, 30).pulse();
  EXPECT_TRUE(cpus_[0].irq);
  EXPECT_EQ(ack(0), 30u);
  EXPECT_THROW(gic_->ppi(0, 15), std::out_of_range);
  EXPECT_THROW(gic_->ppi(4, 27), std::out_of_range);
  EXPECT_THROW(gic_->spi(256), std::out_of_range);
}

TEST_F(GicV3Test, SleepingRedistributorDeliversNothing) {
  linux_dist_init();
  enable(33);
  icc_write(0, icc::kPmrEl1, 0xf0);
  icc_write(0, icc::kIgrpen1El1, 1);
  gic_->spi(1).raise();
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(ack(0), kSpurious);
  mmio_write(rd(0) + R::kWaker, 4, 0);
  EXPECT_TRUE(cpus_[0].irq);
}

TEST_F(GicV3Test, ConnectingACpuDrivesItsCurrentLevels) {
  linux_boot();
  enable(33);
  FakeCpu other;
  gic_->connect_cpu(0, nullptr);
  gic_->spi(1).raise();
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_TRUE(gic_->irq_output(0));
  gic_->connect_cpu(0, &other);
  EXPECT_TRUE(other.irq);
  EXPECT_TRUE(gic_->spi_input_level(1));
  EXPECT_FALSE(gic_->spi_input_level(2));
}

TEST_F(GicV3Test, BadAccessesAreRazWiAndTraced) {
  linux_boot();
  enable(33);
  auto errors = [] { return trace::guest_error_count(); };
  uint64_t before = errors();
  // Reserved distributor offsets and the wrong widths.
  EXPECT_EQ(readl(0x0020), 0u);
  writel(0x1234, 0x0020);
  EXPECT_EQ(mmio_read(kDist + D::kCtlr, 1), 0u);
  mmio_write(kDist + D::kIsenabler + 4, 2, 0xffff);
  mmio_write(kDist + D::kIsenabler + 8, 8, ~0ull);
  EXPECT_EQ(readl(D::kIsenabler + 4), 1u << 1) << "only INTID 33, nothing from the bad writes";
  EXPECT_EQ(readl(D::kIsenabler + 8), 0u);
  EXPECT_EQ(readl(D::kIrouter + 8 * 31), 0u);  // IROUTER of a PPI: reserved
  writel(0x1234, D::kSgir);
  EXPECT_EQ(readl(D::kSetspiNsr), 0u);
  // Read-only registers keep their value.
  uint32_t typer = readl(D::kTyper);
  writel(0, D::kTyper);
  EXPECT_EQ(readl(D::kTyper), typer);
  writel(0, 0xffe8);
  EXPECT_EQ(readl(0xffe8), 0x3bu);
  mmio_write(rd(0) + R::kTyper, 8, 0);
  EXPECT_EQ(mmio_read(rd(0) + R::kTyper, 8) >> 32, affinity(0));
  // Reserved redistributor offsets.
  EXPECT_EQ(mmio_read(rd(0) + 0x30, 4), 0u);
  EXPECT_EQ(mmio_read(sgi(0) + R::kIsenabler0 + 4, 4), 0u);  // no extended PPIs
  mmio_write(sgi(0) + R::kIcfgr0, 4, 0);                     // SGIs stay edge
  EXPECT_EQ(mmio_read(sgi(0) + R::kIcfgr0, 4), 0xaaaaaaaau);
  // Raw handler calls with what no bus would pass: odd sizes, misaligned,
  // past the end of the frame or of the last redistributor.
  gic_->distributor().write(0x101, 4, ~0ull);
  gic_->distributor().write(0x100, 3, ~0ull);
  EXPECT_EQ(gic_->distributor().read(GicV3::kDistributorSize, 4), 0u);
  EXPECT_EQ(gic_->redistributors().read(4 * GicV3::kRedistributorStride, 4), 0u);
  gic_->redistributors().write(0x10101, 1, 1);
  EXPECT_EQ(readl(D::kIsenabler + 4), 1u << 1);
  EXPECT_GE(errors() - before, 16u);

  // Registers of INTIDs that do not exist are RAZ/WI without complaint.
  before = errors();
  writel(~0u, D::kIsenabler + 9 * 4);  // INTIDs 288..319
  EXPECT_EQ(readl(D::kIsenabler + 9 * 4), 0u);
  EXPECT_EQ(readl(D::kIsenabler), 0u);  // SGIs/PPIs: in the redistributors
  EXPECT_EQ(readl(D::kItargetsr + 32), 0u);
  EXPECT_EQ(errors(), before);

  // The CPU interface: out-of-range and special INTIDs, the wrong directions.
  gic_->spi(1).raise();
  EXPECT_EQ(ack(0), 33u);
  before = errors();
  eoi(0, 1023);  // special: ignored
  EXPECT_EQ(icc_read(0, icc::kRprEl1), kDefaultPriority);
  icc_write(0, icc::kDirEl1, 5000);  // EOImode 0: ignored
  uint64_t v = 0;
  EXPECT_FALSE(gic_->read_sysreg(0, icc::kEoir1El1, v));
  EXPECT_FALSE(gic_->read_sysreg(0, icc::kSgi1rEl1, v));
  EXPECT_FALSE(gic_->write_sysreg(0, icc::kIar1El1, 0));
  EXPECT_FALSE(gic_->write_sysreg(0, icc::kRprEl1, 0));
  EXPECT_FALSE(gic_->read_sysreg(0, SysRegId{icc::kAp1r0El1.packed + 1}, v));  // AP1R1
  EXPECT_FALSE(gic_->read_sysreg(9, icc::kIar1El1, v));                        // no CPU 9
  EXPECT_FALSE(gic_->read_sysreg(0, SysRegId::make(3, 0, 1, 0, 0), v));        // SCTLR
  EXPECT_GE(errors() - before, 6u);
  eoi(0, 100000);  // drops the priority, then finds no such INTID to deactivate
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xffu);
  EXPECT_TRUE(dist_bit(D::kIsactiver, 33));
  icc_write(0, icc::kDirEl1, 33);  // EOImode 0: ignored
  EXPECT_TRUE(dist_bit(D::kIsactiver, 33));
  eoi(0, 33);  // no active priority left: ignored, traced
  EXPECT_TRUE(dist_bit(D::kIsactiver, 33));
  writel(1u << 1, D::kIcactiver + 4);
  EXPECT_TRUE(cpus_[0].irq);
}

TEST_F(GicV3Test, ResetKeepsInputLevels) {
  linux_boot();
  enable(33);
  gic_->spi(1).raise();
  EXPECT_EQ(ack(0), 33u);
  gic_->reset();
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(readl(D::kCtlr), D::kCtlrAre | D::kCtlrDs);
  EXPECT_EQ(icc_read(0, icc::kRprEl1), 0xffu);
  EXPECT_EQ(mmio_read(rd(0) + R::kWaker, 4), R::kWakerProcessorSleep | R::kWakerChildrenAsleep);
  EXPECT_FALSE(dist_bit(D::kIsactiver, 33));
  linux_boot();
  enable(33);
  EXPECT_TRUE(cpus_[0].irq) << "the device still drives its line";
  EXPECT_EQ(ack(0), 33u);
}

TEST_F(GicV3Test, SaveAndRestoreReproduceTheState) {
  linux_boot();
  enable(33);
  enable(40);
  route(40, affinity(1));
  gic_->spi(1).raise();
  writel(1u << 8, D::kIspendr + 4);
  EXPECT_EQ(ack(0), 33u);
  gicv3::State saved = gic_->save_state();
  EXPECT_EQ(ack(1), 40u);
  eoi(1, 40);
  eoi(0, 33);
  gic_->restore_state(saved);
  EXPECT_TRUE(cpus_[1].irq);
  EXPECT_FALSE(cpus_[0].irq);
  EXPECT_EQ(icc_read(0, icc::kRprEl1), kDefaultPriority);
  EXPECT_EQ(ack(1), 40u);
  GicV3 other(2);
  EXPECT_THROW(other.restore_state(saved), std::invalid_argument);
  // A restored state is held to what the registers can hold.
  gicv3::State odd = gic_->save_state();
  odd.cpus[0].bpr0 = 200;
  odd.cpus[0].pmr = 0xff;
  odd.spis.priority[1] = 0xff;
  gic_->restore_state(odd);
  EXPECT_EQ(icc_read(0, icc::kBpr0El1), 7u);
  EXPECT_EQ(icc_read(0, icc::kPmrEl1), 0xf8u);
  EXPECT_EQ(readl(D::kIpriorityr + 32) >> 8 & 0xff, 0xf8u);
}

// A vCPU sleeping in WFI until its IRQ input rises, as the accelerators
// implement CpuInterruptInputs: set_irq wakes it.
struct WfiCpu final : CpuInterruptInputs {
  std::mutex mutex;
  std::condition_variable wake;
  bool irq = false;
  void set_irq(bool level) override {
    std::lock_guard lock(mutex);
    irq = level;
    if (level) wake.notify_all();
  }
  void set_fiq(bool) override {}
  bool wait_for_irq() {
    std::unique_lock lock(mutex);
    return wake.wait_for(lock, std::chrono::seconds(10), [&] { return irq; });
  }
};

TEST_F(GicV3Test, DeviceThreadWakesAVcpuInWfi) {
  linux_boot();
  enable(33);
  route(33, affinity(1));
  WfiCpu sleeper;
  gic_->connect_cpu(1, &sleeper);
  std::atomic<uint64_t> taken{0};
  std::thread vcpu([&] {
    if (!sleeper.wait_for_irq()) return;
    uint64_t intid = 0;
    gic_->read_sysreg(1, icc::kIar1El1, intid);
    taken = intid;
  });
  std::thread device([&] { gic_->spi(1).raise(); });
  device.join();
  vcpu.join();
  EXPECT_EQ(taken.load(), 33u);
  EXPECT_FALSE(sleeper.irq) << "the acknowledge lowered IRQ";
}

// Device threads pulse edge SPIs while two vCPU threads take interrupts:
// no deadlock, and the outputs end consistent with the state.
TEST_F(GicV3Test, ConcurrentInputsAndAcknowledges) {
  linux_boot();
  for (unsigned intid = 64; intid < 68; ++intid) {
    set_edge(intid);
    enable(intid);
    route(intid, affinity(intid % 2));
  }
  std::atomic<bool> done{false};
  std::atomic<unsigned> handled[4] = {};
  std::atomic<unsigned> strays{0};
  auto vcpu = [&](unsigned cpu) {
    while (!done || cpus_[cpu].irq) {
      uint64_t intid = 0;
      gic_->read_sysreg(cpu, icc::kIar1El1, intid);
      if (intid == kSpurious) continue;
      if (intid >= 64 && intid < 68 && intid % 2 == cpu)
        ++handled[intid - 64];
      else
        ++strays;
      gic_->write_sysreg(cpu, icc::kEoir1El1, intid);
    }
  };
  auto device = [&](unsigned spi) {
    for (int i = 0; i < 20000; ++i)
      gic_->spi(spi).pulse();
  };
  std::thread c0(vcpu, 0), c1(vcpu, 1);
  std::vector<std::thread> devices;
  for (unsigned spi = 32; spi < 36; ++spi)
    devices.emplace_back(device, spi);
  for (auto& t : devices)
    t.join();
  done = true;
  c0.join();
  c1.join();
  // Edges merge while pending, so how many are taken depends on scheduling;
  // each SPI is taken at least once, on its own CPU.
  for (auto& n : handled)
    EXPECT_GE(n.load(), 1u);
  EXPECT_EQ(strays.load(), 0u);
  for (unsigned cpu = 0; cpu < 2; ++cpu) {
    EXPECT_FALSE(cpus_[cpu].irq);
    EXPECT_FALSE(gic_->irq_output(cpu));
    EXPECT_EQ(icc_read(cpu, icc::kRprEl1), 0xffu);
  }
  EXPECT_EQ(readl(D::kIspendr + 8), 0u);
  EXPECT_EQ(readl(D::kIsactiver + 8), 0u);
}

}  // namespace
}  // namespace vmapple
