#include "hw/intc/gicv3_distributor.h"

#include <algorithm>

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("gicv3-dist");
constexpr std::string_view kName = "gicv3";
constexpr uint64_t kIrouterEnd = GicV3Distributor::kIrouter + 8 * 1020;

constexpr bool in(uint64_t offset, uint64_t begin, uint64_t end) {
  return offset >= begin && offset < end;
}

// The widths a register takes: bit n set for 1 << n bytes.
constexpr unsigned widths(uint64_t offset) {
  using D = GicV3Distributor;
  if (in(offset, D::kIpriorityr, D::kIcfgr) || in(offset, D::kCpendsgir, D::kSpendsgir + 0x10))
    return 1 | 4;  // IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR
  if (in(offset, D::kIrouter, kIrouterEnd)) return 4 | 8;
  return 4;
}

bool valid_access(uint64_t offset, unsigned size) {
  return (size == 1 || size == 2 || size == 4 || size == 8) && offset % size == 0 &&
         offset < GicV3::kDistributorSize && (widths(offset) & size) != 0;
}

// Registers the architecture makes RAZ/WI in this configuration.
constexpr bool raz_wi(uint64_t offset) {
  using D = GicV3Distributor;
  return offset == D::kTyper2 || offset == D::kStatusr ||
         in(offset, D::kItargetsr, D::kIcfgr) ||           // affinity routing
         in(offset, D::kIgrpmodr, D::kIgrpmodr + 0x80) ||  // one security state
         in(offset, D::kNsacr, D::kSgir) || in(offset, D::kCpendsgir, D::kSpendsgir + 0x10);
}

}  // namespace

uint32_t GicV3Distributor::typer() const {
  uint32_t it_lines = gicv3::kNumIntids / 32 - 1;           // ITLinesNumber
  uint32_t cpu_number = std::min(gic_.num_cpus(), 8u) - 1;  // CPUNumber
  uint32_t id_bits = 16 - 1;                                // IDbits
  return it_lines | cpu_number << 5 | id_bits << 19;  // No LPIs, MBIS, ESPI, RSS; 1-of-N works
}

uint64_t GicV3Distributor::read(uint64_t offset, unsigned size) {
  if (!valid_access(offset, size)) {
    guest_error(kName, "GICD read of {} bytes at {:#x}: not a register access", size, offset);
    return 0;
  }
  GicV3::Op op(gic_);
  return read_register(offset, size);
}

void GicV3Distributor::write(uint64_t offset, unsigned size, uint64_t value) {
  if (!valid_access(offset, size)) {
    guest_error(kName, "GICD write {:#x} of {} bytes at {:#x}: not a register access", value, size,
                offset);
    return;
  }
  GicV3::Op op(gic_);
  write_register(op, offset, size, value);
}

uint64_t GicV3Distributor::read_register(uint64_t offset, unsigned size) {
  GicV3::IrqRegAccess a;
  if (GicV3::decode_irq_reg(offset, size, a)) {
    // SGIs and PPIs live in the redistributors; INTIDs past 287 do not exist.
    if (a.first_intid < 32 || a.first_intid >= gicv3::kNumIntids) return 0;
    return gic_.irq_reg_read(0, a, size);
  }
  if (in(offset, kIrouter, kIrouterEnd)) {
    unsigned intid = static_cast<unsigned>((offset - kIrouter) / 8);
    if (intid < 32) {
      guest_error(kName, "GICD_IROUTER{} read: reserved", intid);
      return 0;
    }
    if (intid >= gicv3::kNumIntids) return 0;
    uint64_t r = gic_.state_.irouter[intid - 32];
    return size == 8 ? r : (r >> (offset & 4) * 8) & 0xFFFF'FFFF;
  }
  if (gicv3::is_id_register(offset)) return gicv3::id_register(offset);
  if (raz_wi(offset)) return 0;
  switch (offset) {
    case kCtlr:
      return gic_.state_.gicd_ctlr | kCtlrAre | kCtlrDs;
    case kTyper:
      return typer();
    case kIidr:
      return gicv3::kIidr;
  }
  guest_error(kName, "GICD read at {:#x}: {}", offset,
              offset == kSgir ? "write-only GICD_SGIR" : "reserved offset");
  return 0;
}

void GicV3Distributor::write_register(GicV3::Op& op, uint64_t offset, unsigned size,
                                      uint64_t value) {
  GicV3::IrqRegAccess a;
  if (GicV3::decode_irq_reg(offset, size, a)) {
    if (a.first_intid < 32 || a.first_intid >= gicv3::kNumIntids) return;
    gic_.irq_reg_write(op, 0, a, size, static_cast<uint32_t>(value));
    return;
  }
  if (in(offset, kIrouter, kIrouterEnd)) {
    unsigned intid = static_cast<unsigned>((offset - kIrouter) / 8);
    if (intid < 32) {
      guest_error(kName, "GICD_IROUTER{} write {:#x}: reserved", intid, value);
      return;
    }
    if (intid >= gicv3::kNumIntids) return;
    uint64_t r = gic_.state_.irouter[intid - 32];
    if (size == 4) {
      unsigned shift = (offset & 4) * 8;
      value = (r & ~(uint64_t{0xFFFF'FFFF} << shift)) | (value & 0xFFFF'FFFF) << shift;
    }
    VMAPPLE_TRACE(kTrace, "INTID {} routed to {:#x}", intid, value);
    gic_.write_irouter(op, intid - 32, value);
    return;
  }
  if (raz_wi(offset)) return;
  switch (offset) {
    case kCtlr:
      VMAPPLE_TRACE(kTrace, "GICD_CTLR {:#x}", value);
      gic_.write_gicd_ctlr(op, static_cast<uint32_t>(value));
      return;
    case kTyper:
    case kIidr:
      guest_error(kName, "write {:#x} to read-only GICD register at {:#x}", value, offset);
      return;
    case kSgir:
      guest_error(kName, "GICD_SGIR write {:#x}: ignored with affinity routing", value);
      return;
  }
  if (gicv3::is_id_register(offset))
    guest_error(kName, "write {:#x} to read-only GICD ID register at {:#x}", value, offset);
  else
    guest_error(kName, "write {:#x} to reserved GICD offset {:#x}", value, offset);
}

}  // namespace vmapple
