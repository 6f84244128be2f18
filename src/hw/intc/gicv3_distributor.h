#pragma once
// The GICv3 distributor's MMIO front (GICD_*, Arm IHI 0069 12.9): decodes
// register offsets into operations on the GicV3 state. Affinity routing is
// always on, so the SGI/PPI rows (INTIDs 0-31), ITARGETSR and the SGI
// registers are RAZ/WI, as are IGRPMODR and NSACR (one security state).
// Map it over GicV3::kDistributorSize bytes with GicV3::kRules.
#include <cstdint>

#include "hw/intc/gicv3.h"
#include "memory/mmio.h"

namespace vmapple {

class GicV3Distributor final : public MmioHandler {
 public:
  static constexpr uint64_t kCtlr = 0x0000;
  static constexpr uint64_t kTyper = 0x0004;
  static constexpr uint64_t kIidr = 0x0008;
  static constexpr uint64_t kTyper2 = 0x000C;
  static constexpr uint64_t kStatusr = 0x0010;
  static constexpr uint64_t kSetspiNsr = 0x0040;  // ..kClrspiSr: message-based SPIs (absent)
  static constexpr uint64_t kClrspiSr = 0x0058;
  static constexpr uint64_t kIgroupr = 0x0080;
  static constexpr uint64_t kIsenabler = 0x0100;
  static constexpr uint64_t kIcenabler = 0x0180;
  static constexpr uint64_t kIspendr = 0x0200;
  static constexpr uint64_t kIcpendr = 0x0280;
  static constexpr uint64_t kIsactiver = 0x0300;
  static constexpr uint64_t kIcactiver = 0x0380;
  static constexpr uint64_t kIpriorityr = 0x0400;
  static constexpr uint64_t kItargetsr = 0x0800;
  static constexpr uint64_t kIcfgr = 0x0C00;
  static constexpr uint64_t kIgrpmodr = 0x0D00;
  static constexpr uint64_t kNsacr = 0x0E00;
  static constexpr uint64_t kSgir = 0x0F00;
  static constexpr uint64_t kCpendsgir = 0x0F10;
  static constexpr uint64_t kSpendsgir = 0x0F20;
  static constexpr uint64_t kIrouter = 0x6000;  // + 8 * INTID, INTIDs 32..1019
  static constexpr uint64_t kPidr2 = 0xFFE8;

  // GICD_CTLR (one security state): EnableGrp0, EnableGrp1, ARE, DS.
  static constexpr uint32_t kCtlrEnableGrp0 = gicv3::kGicdCtlrEnableGrp0;
  static constexpr uint32_t kCtlrEnableGrp1 = gicv3::kGicdCtlrEnableGrp1;
  static constexpr uint32_t kCtlrAre = 1u << 4;
  static constexpr uint32_t kCtlrDs = 1u << 6;

  explicit GicV3Distributor(GicV3& gic) : gic_(gic) {}

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  uint32_t typer() const;
  uint64_t read_register(uint64_t offset, unsigned size);
  void write_register(GicV3::Op& op, uint64_t offset, unsigned size, uint64_t value);

  GicV3& gic_;
};

}  // namespace vmapple
