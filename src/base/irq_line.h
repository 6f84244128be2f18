#pragma once
// An interrupt line a device drives. The interrupt controller provides them
// (SPI n, PPI n of CPU k); set() is thread-safe and, when it raises a line,
// kicks the vCPU the interrupt targets. Devices only ever hold IrqLine&.
#include <atomic>
#include <cstdint>

namespace vmapple {

class IrqLine {
 public:
  virtual ~IrqLine() = default;
  virtual void set(bool level) = 0;

  void raise() { set(true); }
  void lower() { set(false); }
  // An edge for edge-triggered inputs (raise, then lower).
  void pulse() {
    set(true);
    set(false);
  }
};

// A line nobody listens to, and the line tests observe: it keeps the level
// and counts rising edges.
class LatchIrqLine final : public IrqLine {
 public:
  void set(bool level) override {
    if (level && !level_.exchange(true)) rising_edges_.fetch_add(1);
    if (!level) level_.store(false);
  }
  bool level() const { return level_.load(); }
  uint64_t rising_edges() const { return rising_edges_.load(); }

 private:
  std::atomic<bool> level_{false};
  std::atomic<uint64_t> rising_edges_{0};
};

}  // namespace vmapple
