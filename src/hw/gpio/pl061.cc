#include "hw/gpio/pl061.h"

#include <utility>

#include "base/log.h"
#include "hw/primecell.h"

namespace vmapple {
namespace {

trace::Category kTrace("pl061");

constexpr uint8_t u8(unsigned v) {
  return static_cast<uint8_t>(v);
}

}  // namespace

Pl061::Pl061(IrqLine& irq, OutputCallback on_output)
    : irq_(irq), on_output_(std::move(on_output)) {}

uint8_t Pl061::pins() const {
  return u8((data_ & dir_) | (inputs_ & ~dir_));
}

// Level-sensitive lines are pending while the pin matches GPIOIEV, so IC,
// IS and IEV changes take effect at once; edge-sensitive lines are latched.
uint8_t Pl061::raw_interrupts() const {
  uint8_t level_match = u8(~(pins() ^ iev_));
  return u8((edge_ris_ & ~is_) | (is_ & level_match));
}

void Pl061::reset() {
  OutputChanges changes;
  {
    std::lock_guard lock(mutex_);
    data_ = dir_ = is_ = ibe_ = iev_ = ie_ = edge_ris_ = afsel_ = 0;
    last_pins_ = pins();  // reset itself is no edge
    irq_level_ = false;
    irq_.set(false);
    changes = update_locked();
  }
  notify(changes);
}

uint64_t Pl061::read(uint64_t offset, unsigned size) {
  std::lock_guard lock(mutex_);
  if (size != 4 || (offset & 3) || offset >= kMmioSize) {
    guest_error("pl061", "invalid {}-byte read at offset {:#x}", size, offset);
    return 0;
  }
  return read_register(offset);
}

void Pl061::write(uint64_t offset, unsigned size, uint64_t value) {
  OutputChanges changes;
  {
    std::lock_guard lock(mutex_);
    if (size != 4 || (offset & 3) || offset >= kMmioSize) {
      guest_error("pl061", "invalid {}-byte write at offset {:#x}", size, offset);
      return;
    }
    // The registers are 8 bits wide; the upper bits are reserved.
    write_register(offset, u8(value & 0xFF));
    changes = update_locked();
  }
  notify(changes);
}

void Pl061::set_input(unsigned line, bool level) {
  if (line >= kNumLines) return;
  OutputChanges changes;
  {
    std::lock_guard lock(mutex_);
    uint8_t bit = u8(1u << line);
    if (bool(inputs_ & bit) == level) return;
    inputs_ = level ? u8(inputs_ | bit) : u8(inputs_ & ~bit);
    VMAPPLE_TRACE(kTrace, "input line {} {}", line, level ? "high" : "low");
    changes = update_locked();
  }
  notify(changes);
}

uint32_t Pl061::read_register(uint64_t offset) {
  if (offset < kGPIODIR) return pins() & ((offset >> 2) & 0xFF);
  switch (offset) {
    case kGPIODIR:
      return dir_;
    case kGPIOIS:
      return is_;
    case kGPIOIBE:
      return ibe_;
    case kGPIOIEV:
      return iev_;
    case kGPIOIE:
      return ie_;
    case kGPIORIS:
      return raw_interrupts();
    case kGPIOMIS:
      return raw_interrupts() & ie_;
    case kGPIOAFSEL:
      return afsel_;
    case kGPIOIC:
      guest_error("pl061", "read of write-only GPIOIC");
      return 0;
  }
  if (primecell::is_id_register(offset)) return primecell::id_register(offset, kPeriphID);
  guest_error("pl061", "read of reserved offset {:#x}", offset);
  return 0;
}

void Pl061::write_register(uint64_t offset, uint8_t value) {
  if (offset < kGPIODIR) {
    // Address bits [9:2] select the lines written; inputs keep their level.
    uint8_t lines = u8((offset >> 2) & dir_);
    data_ = u8((data_ & ~lines) | (value & lines));
    VMAPPLE_TRACE(kTrace, "GPIODATA mask {:#04x} <- {:#04x}", (offset >> 2) & 0xFF, value);
    return;
  }
  switch (offset) {
    case kGPIODIR:
      dir_ = value;
      return;
    case kGPIOIS:
      // A line changing sense drops its stale edge latch.
      edge_ris_ = u8(edge_ris_ & ~(is_ ^ value));
      is_ = value;
      return;
    case kGPIOIBE:
      ibe_ = value;
      return;
    case kGPIOIEV:
      iev_ = value;
      return;
    case kGPIOIE:
      ie_ = value;
      return;
    case kGPIOIC:
      edge_ris_ = u8(edge_ris_ & ~value);
      return;
    case kGPIOAFSEL:
      afsel_ = value;
      return;
    case kGPIORIS:
    case kGPIOMIS:
      primecell::read_only_write(name(), offset, value);
      return;
  }
  primecell::unknown_write(name(), offset, value);
}

Pl061::OutputChanges Pl061::update_locked() {
  uint8_t now = pins();
  uint8_t changed = u8(now ^ last_pins_);
  uint8_t rising = u8(changed & now);
  uint8_t falling = u8(changed & ~now);
  uint8_t edges = u8((ibe_ & changed) | (~ibe_ & ((iev_ & rising) | (~iev_ & falling))));
  edge_ris_ = u8(edge_ris_ | (edges & ~is_));
  last_pins_ = now;

  bool level = (raw_interrupts() & ie_) != 0;
  if (level != irq_level_) {
    irq_level_ = level;
    VMAPPLE_TRACE(kTrace, "interrupt {}", level ? "raised" : "lowered");
    irq_.set(level);
  }

  uint8_t driven = u8(data_ & dir_);
  OutputChanges changes{u8(driven ^ reported_outputs_), driven};
  reported_outputs_ = driven;
  return changes;
}

void Pl061::notify(OutputChanges changes) const {
  if (!changes.changed) return;
  for (unsigned line = 0; line < kNumLines; ++line) {
    if (!(changes.changed & (1u << line))) continue;
    bool level = changes.levels & (1u << line);
    VMAPPLE_TRACE(kTrace, "output line {} {}", line, level ? "high" : "low");
    if (on_output_) on_output_(line, level);
  }
}

}  // namespace vmapple
