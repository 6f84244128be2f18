#include "hw/intc/gicv3_redistributor.h"

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("gicv3-redist");
constexpr std::string_view kName = "gicv3";
using R = GicV3Redistributors;

constexpr bool in(uint64_t offset, uint64_t begin, uint64_t end) {
  return offset >= begin && offset < end;
}

// RD_base registers that take 64-bit accesses (TYPER and the LPI ones).
constexpr bool is_64bit(uint64_t offset) {
  return in(offset, R::kTyper, R::kTyper + 8) || in(offset, R::kSetlpir, R::kSyncr + 8);
}

bool valid_size(unsigned size) {
  return size == 1 || size == 2 || size == 4 || size == 8;
}

}  // namespace

uint64_t GicV3Redistributors::typer(unsigned cpu) const {
  uint64_t affinity = (cpu / 16) << 8 | cpu % 16;  // Aff3.Aff2.Aff1.Aff0
  return affinity << kTyperAffinityShift | uint64_t{cpu} << kTyperProcessorNumberShift |
         (cpu + 1 == gic_.num_cpus() ? kTyperLast : 0);
}

uint64_t GicV3Redistributors::read(uint64_t offset, unsigned size) {
  unsigned cpu = static_cast<unsigned>(offset / GicV3::kRedistributorStride);
  if (!valid_size(size) || offset % size || cpu >= gic_.num_cpus()) {
    guest_error(kName, "GICR read of {} bytes at {:#x}: not a register access", size, offset);
    return 0;
  }
  uint64_t frame_offset = offset % GicV3::kRedistributorStride;
  GicV3::Op op(gic_);
  return frame_offset >= kSgiBase ? read_sgi(cpu, frame_offset - kSgiBase, size)
                                  : read_rd(cpu, frame_offset, size);
}

void GicV3Redistributors::write(uint64_t offset, unsigned size, uint64_t value) {
  unsigned cpu = static_cast<unsigned>(offset / GicV3::kRedistributorStride);
  if (!valid_size(size) || offset % size || cpu >= gic_.num_cpus()) {
    guest_error(kName, "GICR write {:#x} of {} bytes at {:#x}: not a register access", value, size,
                offset);
    return;
  }
  uint64_t frame_offset = offset % GicV3::kRedistributorStride;
  GicV3::Op op(gic_);
  if (frame_offset >= kSgiBase)
    write_sgi(op, cpu, frame_offset - kSgiBase, size, value);
  else
    write_rd(op, cpu, frame_offset, size, value);
}

uint64_t GicV3Redistributors::read_rd(unsigned cpu, uint64_t offset, unsigned size) {
  if (size != 4 && !(size == 8 && is_64bit(offset))) {
    guest_error(kName, "GICR{} read of {} bytes at RD_base + {:#x}", cpu, size, offset);
    return 0;
  }
  if (in(offset, kTyper, kTyper + 8)) {
    uint64_t t = typer(cpu);
    return size == 8 ? t : (t >> (offset & 4) * 8) & 0xFFFF'FFFF;
  }
  if (in(offset, kSetlpir, kSyncr + 8)) return 0;
  if (gicv3::is_id_register(offset)) return gicv3::id_register(offset);
  switch (offset) {
    case kCtlr:  // EnableLPIs 0 (no LPIs); RWP and UWP 0: writes complete at once
    case kStatusr:
      return 0;
    case kIidr:
      return gicv3::kIidr;
    case kWaker:
      return gic_.state_.cpus[cpu].processor_sleep ? kWakerProcessorSleep | kWakerChildrenAsleep
                                                   : 0;
  }
  guest_error(kName, "GICR{} read at reserved RD_base offset {:#x}", cpu, offset);
  return 0;
}

void GicV3Redistributors::write_rd(GicV3::Op& op, unsigned cpu, uint64_t offset, unsigned size,
                                   uint64_t value) {
  if (size != 4 && !(size == 8 && is_64bit(offset))) {
    guest_error(kName, "GICR{} write {:#x} of {} bytes at RD_base + {:#x}", cpu, value, size,
                offset);
    return;
  }
  if (in(offset, kSetlpir, kSyncr + 8)) return;  // no LPIs
  switch (offset) {
    case kCtlr:
      if (value & 1) guest_error(kName, "GICR{}_CTLR.EnableLPIs set: no LPIs", cpu);
      return;
    case kStatusr:
      return;
    case kWaker: {
      // The handshake completes at once: ChildrenAsleep follows ProcessorSleep.
      bool sleep = value & kWakerProcessorSleep;
      VMAPPLE_TRACE(kTrace, "cpu {} redistributor {}", cpu, sleep ? "asleep" : "awake");
      gic_.set_processor_sleep(op, cpu, sleep);
      return;
    }
  }
  guest_error(
      kName, "GICR{} write {:#x} to {} RD_base offset {:#x}", cpu, value,
      in(offset, kIidr, kTyper + 8) || gicv3::is_id_register(offset) ? "read-only" : "reserved",
      offset);
}

uint64_t GicV3Redistributors::read_sgi(unsigned cpu, uint64_t offset, unsigned size) {
  GicV3::IrqRegAccess a;
  if (GicV3::decode_irq_reg(offset, size, a) && a.first_intid < 32)
    return gic_.irq_reg_read(cpu, a, size);
  if ((offset == kIgrpmodr0 || offset == kNsacr) && size == 4) return 0;  // one security state
  guest_error(kName, "GICR{} read of {} bytes at SGI_base + {:#x}: not a register", cpu, size,
              offset);
  return 0;
}

void GicV3Redistributors::write_sgi(GicV3::Op& op, unsigned cpu, uint64_t offset, unsigned size,
                                    uint64_t value) {
  GicV3::IrqRegAccess a;
  if (GicV3::decode_irq_reg(offset, size, a) && a.first_intid < 32) {
    gic_.irq_reg_write(op, cpu, a, size, static_cast<uint32_t>(value));
    return;
  }
  if ((offset == kIgrpmodr0 || offset == kNsacr) && size == 4) return;
  guest_error(kName, "GICR{} write {:#x} of {} bytes at SGI_base + {:#x}: not a register", cpu,
              value, size, offset);
}

}  // namespace vmapple
