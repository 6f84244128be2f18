#include "hw/pci/pci_bus.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/bits.h"
#include "base/error.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("pci");

constexpr size_t kMaxReported = 1024;

}  // namespace

// The window behind the host bridge where no BAR answers.
class PciBus::WindowHole final : public MmioHandler {
 public:
  uint64_t read(uint64_t offset, unsigned size) override {
    VMAPPLE_TRACE(kTrace, "read of the window hole at +{:#x} size {}", offset, size);
    return ~0ull;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    VMAPPLE_TRACE(kTrace, "write to the window hole at +{:#x} size {} value {:#x}", offset, size,
                  value);
  }
};

PciBus::PciBus(AddressSpace& space, uint64_t window_base, uint64_t window_size,
               std::vector<IrqLine*> intx_lines)
    : space_(space),
      window_base_(window_base),
      window_size_(window_size),
      hole_(std::make_unique<WindowHole>()),
      intx_lines_(std::move(intx_lines)),
      intx_sources_(intx_lines_.size(), 0) {
  std::lock_guard lock(mutex_);
  map_holes_locked();
}

PciBus::~PciBus() {
  std::lock_guard lock(mutex_);
  unmap_all_locked();
}

void PciBus::add(unsigned slot, unsigned function, PciFunction& fn) {
  if (slot >= kSlots || function >= kFunctions)
    throw ConfigError(fmt::format("PCI address {:02x}.{} is out of range", slot, function));
  std::lock_guard lock(mutex_);
  uint8_t df = devfn(slot, function);
  if (functions_.count(df))
    throw ConfigError(fmt::format("PCI address 00:{:02x}.{} is taken by {}", slot, function,
                                  functions_[df]->name()));
  functions_[df] = &fn;
  fn.attach(this, df);
  // Function 0 announces that the slot has more functions.
  bool multi = std::any_of(functions_.begin(), functions_.end(), [&](const auto& f) {
    return f.first >> 3 == slot && (f.first & 7) != 0;
  });
  if (auto it = functions_.find(devfn(slot, 0)); it != functions_.end())
    it->second->set_multi_function(multi);
}

uint32_t PciBus::config_read(uint8_t df, unsigned offset, unsigned size) {
  std::lock_guard lock(mutex_);
  auto it = functions_.find(df);
  if (it == functions_.end()) return static_cast<uint32_t>(mask(8 * size));
  return it->second->config_read(offset, size);
}

void PciBus::config_write(uint8_t df, unsigned offset, unsigned size, uint32_t value) {
  std::lock_guard lock(mutex_);
  auto it = functions_.find(df);
  if (it == functions_.end()) return;
  VMAPPLE_TRACE(kTrace, "{} config write {:#x} size {} value {:#x}", it->second->name(), offset,
                size, value);
  it->second->config_write(offset, size, value);
  constexpr unsigned kBarsEnd = pci::kBar0 + 4 * pci::kNumBars;
  bool command = offset < pci::kCommand + 2 && offset + size > pci::kCommand;
  bool bars = offset < kBarsEnd && offset + size > pci::kBar0;
  if (command || bars) update_mappings_locked();
}

void PciBus::reset() {
  std::lock_guard lock(mutex_);
  for (auto& [df, fn] : functions_)
    fn->reset();
  reported_.clear();
  update_mappings_locked();
}

unsigned PciBus::intx_line(unsigned slot, pci::IntxPin pin) const {
  if (intx_lines_.empty() || pin == pci::IntxPin::kNone) return 0;
  return (slot + static_cast<unsigned>(pin) - 1) % intx_lines_.size();
}

void PciBus::intx_changed(uint8_t df, pci::IntxPin pin, bool asserted) {
  if (intx_lines_.empty() || pin == pci::IntxPin::kNone) return;
  unsigned line = intx_line(df >> 3, pin);
  std::lock_guard lock(intx_mutex_);
  unsigned& sources = intx_sources_[line];
  bool was = sources != 0;
  sources = asserted ? sources + 1 : (sources ? sources - 1 : 0);
  VMAPPLE_TRACE(kTrace, "INTx line {} {} by {:02x}.{} ({} sources)", line,
                asserted ? "asserted" : "deasserted", df >> 3, df & 7, sources);
  if (was != (sources != 0)) intx_lines_[line]->set(sources != 0);
}

std::vector<PciBus::Mapping> PciBus::mappings() const {
  std::lock_guard lock(mutex_);
  return mapped_;
}

bool PciBus::acceptable(const PciFunction& fn, const PciFunction::DecodedBar& bar,
                        const std::vector<Mapping>& taken) {
  const char* why = nullptr;
  if (bar.address < window_base_ || bar.size > window_size_ ||
      bar.address - window_base_ > window_size_ - bar.size) {
    why = "outside the memory window";
  } else {
    for (const auto& m : taken)
      if (bar.address < m.address + m.size && m.address < bar.address + bar.size)
        why = "overlapping another BAR";
  }
  if (!why) return true;
  auto key = std::make_tuple(fn.devfn(), bar.index, bar.address);
  if (reported_.size() >= kMaxReported) reported_.clear();
  if (reported_.insert(key).second)
    guest_error(fn.name(), "BAR{} at {:#x} (size {:#x}) is {}: not mapped", bar.index, bar.address,
                bar.size, why);
  return false;
}

void PciBus::update_mappings_locked() {
  std::vector<Mapping> want;
  std::vector<PciFunction::DecodedBar> bars;
  for (auto& [df, fn] : functions_) {
    for (const auto& bar : fn->decoded_bars()) {
      if (!acceptable(*fn, bar, want)) continue;
      want.push_back({df, bar.index, bar.address, bar.size});
      bars.push_back(bar);
    }
  }
  for (uint64_t base : holes_)
    space_.remove_mmio(base);
  holes_.clear();
  for (const auto& m : mapped_)
    if (std::find(want.begin(), want.end(), m) == want.end()) space_.remove_mmio(m.address);
  std::vector<Mapping> now;
  for (size_t i = 0; i < want.size(); ++i) {
    const Mapping& m = want[i];
    if (std::find(mapped_.begin(), mapped_.end(), m) == mapped_.end()) {
      const PciFunction& fn = *functions_.at(m.devfn);
      try {
        space_.add_mmio(fmt::format("{} BAR{}", fn.name(), m.bar), m.address, m.size,
                        *bars[i].handler, bars[i].rules);
      } catch (const ConfigError& e) {
        guest_error(fn.name(), "BAR{} cannot be mapped: {}", m.bar, e.what());
        continue;
      }
      VMAPPLE_TRACE(kTrace, "{} BAR{} mapped at {:#x} size {:#x}", fn.name(), m.bar, m.address,
                    m.size);
    }
    now.push_back(m);
  }
  mapped_ = std::move(now);
  map_holes_locked();
}

void PciBus::unmap_all_locked() {
  for (uint64_t base : holes_)
    space_.remove_mmio(base);
  holes_.clear();
  for (const auto& m : mapped_)
    space_.remove_mmio(m.address);
  mapped_.clear();
}

void PciBus::map_holes_locked() {
  std::vector<Mapping> sorted = mapped_;
  std::sort(sorted.begin(), sorted.end(),
            [](const Mapping& a, const Mapping& b) { return a.address < b.address; });
  uint64_t cursor = window_base_;
  auto hole = [&](uint64_t end) {
    if (end <= cursor) return;
    try {
      space_.add_mmio("pcie-window", cursor, end - cursor, *hole_);
      holes_.push_back(cursor);
    } catch (const ConfigError& e) {
      log_warning(fmt::format("PCI window hole at {:#x}: {}", cursor, e.what()));
    }
  };
  for (const auto& m : sorted) {
    hole(m.address);
    cursor = std::max(cursor, m.address + m.size);
  }
  hole(window_base_ + window_size_);
}

}  // namespace vmapple
