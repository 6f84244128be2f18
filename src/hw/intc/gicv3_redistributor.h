#pragma once
// The GICv3 redistributors' MMIO front (GICR_*, Arm IHI 0069 12.10-12.11):
// one 128 KiB frame pair per CPU, RD_base (control, TYPER, WAKER, IDs) then
// SGI_base (the SGI/PPI enable, pending, active, priority, config and group
// registers). No LPIs: the LPI registers are RAZ/WI. Map it over
// GicV3::redistributor_region_size() bytes with GicV3::kRules.
#include <cstdint>

#include "hw/intc/gicv3.h"
#include "memory/mmio.h"

namespace vmapple {

class GicV3Redistributors final : public MmioHandler {
 public:
  static constexpr uint64_t kSgiBase = 0x1'0000;  // the second 64 KiB frame
  // RD_base.
  static constexpr uint64_t kCtlr = 0x0000;
  static constexpr uint64_t kIidr = 0x0004;
  static constexpr uint64_t kTyper = 0x0008;  // 64-bit
  static constexpr uint64_t kStatusr = 0x0010;
  static constexpr uint64_t kWaker = 0x0014;
  static constexpr uint64_t kSetlpir = 0x0040;  // ..kSyncr: LPI registers (absent)
  static constexpr uint64_t kSyncr = 0x00C0;
  static constexpr uint64_t kPidr2 = 0xFFE8;
  // SGI_base (offsets within the frame, as in the distributor).
  static constexpr uint64_t kIgroupr0 = 0x0080;
  static constexpr uint64_t kIsenabler0 = 0x0100;
  static constexpr uint64_t kIcenabler0 = 0x0180;
  static constexpr uint64_t kIspendr0 = 0x0200;
  static constexpr uint64_t kIcpendr0 = 0x0280;
  static constexpr uint64_t kIsactiver0 = 0x0300;
  static constexpr uint64_t kIcactiver0 = 0x0380;
  static constexpr uint64_t kIpriorityr0 = 0x0400;  // ..7
  static constexpr uint64_t kIcfgr0 = 0x0C00;
  static constexpr uint64_t kIcfgr1 = 0x0C04;
  static constexpr uint64_t kIgrpmodr0 = 0x0D00;
  static constexpr uint64_t kNsacr = 0x0E00;

  // GICR_WAKER.
  static constexpr uint32_t kWakerProcessorSleep = 1u << 1;
  static constexpr uint32_t kWakerChildrenAsleep = 1u << 2;
  // GICR_TYPER.
  static constexpr uint64_t kTyperLast = 1u << 4;
  static constexpr unsigned kTyperProcessorNumberShift = 8;
  static constexpr unsigned kTyperAffinityShift = 32;

  explicit GicV3Redistributors(GicV3& gic) : gic_(gic) {}

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  uint64_t typer(unsigned cpu) const;
  uint64_t read_rd(unsigned cpu, uint64_t offset, unsigned size);
  void write_rd(GicV3::Op& op, unsigned cpu, uint64_t offset, unsigned size, uint64_t value);
  uint64_t read_sgi(unsigned cpu, uint64_t offset, unsigned size);
  void write_sgi(GicV3::Op& op, unsigned cpu, uint64_t offset, unsigned size, uint64_t value);

  GicV3& gic_;
};

}  // namespace vmapple
