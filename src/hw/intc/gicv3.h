#pragma once
// The software GICv3 (Arm IHI 0069): distributor, one redistributor per CPU
// and the CPU interfaces, for the interp accelerator and for hosts without an
// in-kernel GIC. See docs/devices/gicv3.md.
//
// The architectural state is a plain gicv3::State (gicv3_state.h); this class
// adds the behaviour, one mutex, the input lines and the outputs. The guest
// reaches it through two MMIO fronts (distributor() and redistributors(),
// separate files) and through the ICC_* system registers (read_sysreg and
// write_sysreg, gicv3_cpu_interface.cc).
//
// Outputs: each CPU's IRQ (Group 1) and FIQ (Group 0) inputs follow the
// highest-priority pending interrupt that can preempt on that CPU. Calling
// rule: the GIC never calls a CpuInterruptInputs while holding its state
// mutex. Every operation records the wanted levels under the mutex, releases
// it, then pushes changes through a per-CPU output mutex that serializes
// calls to one CPU, so the last call always carries the latest level. A
// CpuInterruptInputs may therefore take its own locks and kick its vCPU, but
// must not call back into the GIC from set_irq/set_fiq.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "hw/device.h"
#include "hw/intc/gicv3_state.h"
#include "hw/intc/interrupt_controller.h"
#include "memory/mmio.h"

namespace vmapple {

class GicV3Distributor;
class GicV3Redistributors;

class GicV3 final : public InterruptController, public Device {
 public:
  static constexpr uint64_t kDistributorSize = 0x1'0000;
  static constexpr uint64_t kRedistributorStride = 0x2'0000;  // RD_base + SGI_base frames
  // Both fronts accept 1-, 2-, 4- and 8-byte accesses and check the widths
  // each register allows themselves (a wrong width is RAZ/WI and traced).
  static constexpr MmioAccessRules kRules{1, 8, 1, 8};

  // 1..gicv3::kMaxCpus CPUs; CPU n has MPIDR affinity Aff1 = n / 16,
  // Aff0 = n % 16 and redistributor frame n.
  explicit GicV3(unsigned num_cpus);
  ~GicV3() override;
  GicV3(const GicV3&) = delete;
  GicV3& operator=(const GicV3&) = delete;

  unsigned num_cpus() const { return num_cpus_; }
  uint64_t redistributor_region_size() const { return num_cpus_ * kRedistributorStride; }
  MmioHandler& distributor();
  MmioHandler& redistributors();

  // Attaches CPU `cpu`'s IRQ/FIQ inputs (nullptr detaches) and drives them
  // with the current levels.
  void connect_cpu(unsigned cpu, CpuInterruptInputs* inputs) override;

  // InterruptController. spi() and ppi() throw std::out_of_range for a line
  // that does not exist (a wiring bug of the machine, not a guest error).
  unsigned num_spis() const override { return gicv3::kNumSpis; }
  IrqLine& spi(unsigned spi) override;
  IrqLine& ppi(unsigned cpu, unsigned intid) override;
  bool read_sysreg(unsigned cpu, SysRegId id, uint64_t& value) override;
  bool write_sysreg(unsigned cpu, SysRegId id, uint64_t value) override;

  // Device: every register to its reset value. Input levels are kept: they
  // are wires the devices drive.
  std::string_view name() const override { return "gicv3"; }
  void reset() override;

  // Snapshot of the architectural state, and its restoration (throws
  // std::invalid_argument if it was taken from a GIC with another CPU count).
  gicv3::State save_state();
  void restore_state(const gicv3::State& state);

  // The level a device drives on SPI `spi` (for tools and tests).
  bool spi_input_level(unsigned spi);
  // The levels the GIC currently wants on CPU `cpu`'s IRQ and FIQ inputs.
  bool irq_output(unsigned cpu);
  bool fiq_output(unsigned cpu);

 private:
  friend class GicV3Distributor;
  friend class GicV3Redistributors;
  class Line;
  struct CpuLink;
  struct Hppi {
    unsigned intid = gicv3::kSpurious;
    unsigned priority = 0x100;  // none
    bool group1 = false;
  };
  // A locked operation: holds the state mutex, collects the CPUs whose
  // outputs may have changed, and on destruction re-evaluates them, unlocks
  // and pushes the changed outputs (the calling rule above).
  class Op {
   public:
    explicit Op(GicV3& gic) : gic_(gic), lock_(gic.mutex_) {}
    ~Op();
    Op(const Op&) = delete;
    Op& operator=(const Op&) = delete;
    void touch(unsigned cpu) { dirty_ |= uint64_t{1} << cpu; }
    void touch_all() { dirty_ = ~uint64_t{0}; }

   private:
    GicV3& gic_;
    std::unique_lock<std::mutex> lock_;
    uint64_t dirty_ = 0;  // bit n: re-evaluate CPU n
  };

  // Interrupt registers shared by the distributor and the SGI_base frame:
  // IGROUPR .. ICFGR at their distributor offsets (0x080..0xCFF).
  enum class IrqReg {
    kGroup,
    kSetEnable,
    kClearEnable,
    kSetPending,
    kClearPending,
    kSetActive,
    kClearActive,
    kPriority,
    kConfig
  };
  struct IrqRegAccess {
    IrqReg reg;
    unsigned first_intid;  // the INTID of bit (or byte) 0
  };
  // Decodes offset and size; false if no such register of that width is there.
  static bool decode_irq_reg(uint64_t offset, unsigned size, IrqRegAccess& out);
  uint32_t irq_reg_read(unsigned cpu, const IrqRegAccess& a, unsigned size);
  void irq_reg_write(Op& op, unsigned cpu, const IrqRegAccess& a, unsigned size, uint32_t value);

  void install(Op& op, const gicv3::State& state);
  // State helpers (state mutex held). `cpu` selects the bank of INTIDs 0-31.
  void set_input(unsigned cpu, unsigned intid, bool level);
  void mark_intid(Op& op, unsigned cpu, unsigned intid);
  void write_irouter(Op& op, unsigned spi, uint64_t value);
  void set_processor_sleep(Op& op, unsigned cpu, bool sleep);
  void write_gicd_ctlr(Op& op, uint32_t value);
  void reroute_one_of_n(Op& op);
  void touch_spis(Op& op, unsigned word, uint32_t mask);
  void route_spi(Op& op, unsigned spi);
  int one_of_n_target(unsigned spi) const;
  Hppi hppi(unsigned cpu) const;
  uint8_t running_priority(unsigned cpu) const;
  uint8_t group_priority(unsigned cpu, uint8_t priority, bool group1) const;
  bool can_signal(unsigned cpu, const Hppi& h) const;
  uint8_t wanted_outputs(unsigned cpu) const;
  void push_outputs(unsigned cpu);

  // CPU interface (gicv3_cpu_interface.cc), state mutex held.
  uint64_t acknowledge(Op& op, unsigned cpu, bool group1);
  void end_of_interrupt(Op& op, unsigned cpu, bool group1, uint64_t value);
  void deactivate(Op& op, unsigned cpu, unsigned intid, int group1);
  void generate_sgi(Op& op, unsigned cpu, uint64_t value, bool any_group);
  bool read_icc(unsigned cpu, SysRegId id, uint64_t& value, Op& op);
  bool write_icc(unsigned cpu, SysRegId id, uint64_t value, Op& op);

  const unsigned num_cpus_;
  std::mutex mutex_;
  gicv3::State state_;
  // Derived from the state (recomputed on restore): the CPU each SPI is
  // delivered to (-1: none) and, per CPU, those SPIs as a bitmap.
  std::array<int8_t, gicv3::kNumSpis> spi_target_{};
  std::vector<std::array<uint32_t, gicv3::kSpiWords>> routed_;

  std::vector<Line> spi_lines_;
  std::vector<Line> ppi_lines_;  // 16 per CPU
  std::unique_ptr<CpuLink[]> links_;
  std::unique_ptr<GicV3Distributor> distributor_;
  std::unique_ptr<GicV3Redistributors> redistributors_;
};

}  // namespace vmapple
