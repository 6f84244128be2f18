#pragma once
// ARM PrimeCell GPIO (PL061), as Linux's gpio-pl061 driver programs it.
//
// Eight lines. A line's pin level is the output latch when GPIODIR makes it an
// output, else the level the machine feeds in with set_input() (pull-downs on
// every line: an undriven input reads 0). Interrupt detection watches the pin
// levels: edge-sensitive lines latch into GPIORIS until GPIOIC clears them;
// level-sensitive lines show in GPIORIS for as long as the level holds. The
// interrupt output is (GPIORIS & GPIOIE) != 0.
//
// Map it with kPrimeCellRules (32-bit registers; the AddressSpace widens the
// guest's byte accesses), kMmioSize bytes.
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

#include "base/irq_line.h"
#include "hw/device.h"

namespace vmapple {

class Pl061 final : public MmioDevice {
 public:
  static constexpr unsigned kNumLines = 8;
  static constexpr uint64_t kMmioSize = 0x1000;

  // Register offsets (PL061 TRM, section 3.2).
  static constexpr uint64_t kGPIODATA = 0x000;  // 0x000..0x3FC, address bits [9:2] mask
  static constexpr uint64_t kGPIODIR = 0x400;
  static constexpr uint64_t kGPIOIS = 0x404;
  static constexpr uint64_t kGPIOIBE = 0x408;
  static constexpr uint64_t kGPIOIEV = 0x40C;
  static constexpr uint64_t kGPIOIE = 0x410;
  static constexpr uint64_t kGPIORIS = 0x414;
  static constexpr uint64_t kGPIOMIS = 0x418;
  static constexpr uint64_t kGPIOIC = 0x41C;
  static constexpr uint64_t kGPIOAFSEL = 0x420;
  static constexpr uint64_t kGPIOPeriphID0 = 0xFE0;  // ..0xFEC, then GPIOPCellID0..3
  static constexpr uint64_t kGPIOPCellID3 = 0xFFC;

  static constexpr uint32_t kPeriphID = 0x0004'1061;
  static constexpr uint32_t kPCellID = 0xB105'F00D;

  // Told when the level a guest drives on an output line changes. A line
  // that stops being an output is reported low (it is no longer driven).
  // Called on the thread that caused the change, without the device lock.
  using OutputCallback = std::function<void(unsigned line, bool level)>;

  explicit Pl061(IrqLine& irq, OutputCallback on_output = {});

  std::string_view name() const override { return "pl061"; }
  // TRM reset values; the input levels keep coming from the outside world.
  void reset() override;
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // The outside world drives input `line` (lines >= kNumLines are ignored).
  // Thread-safe.
  void set_input(unsigned line, bool level);

 private:
  struct OutputChanges {
    uint8_t changed = 0;
    uint8_t levels = 0;
  };

  uint8_t pins() const;
  uint8_t raw_interrupts() const;
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint8_t value);
  // After any state change: latch edges, drive the interrupt, collect the
  // output lines to report once the lock is dropped.
  OutputChanges update_locked();
  void notify(OutputChanges changes) const;

  IrqLine& irq_;
  const OutputCallback on_output_;

  std::mutex mutex_;
  uint8_t data_ = 0;      // output latch
  uint8_t dir_ = 0;       // GPIODIR: 1 = output
  uint8_t is_ = 0;        // GPIOIS: 1 = level-sensitive
  uint8_t ibe_ = 0;       // GPIOIBE: 1 = both edges
  uint8_t iev_ = 0;       // GPIOIEV: 1 = rising edge / high level
  uint8_t ie_ = 0;        // GPIOIE
  uint8_t edge_ris_ = 0;  // latched edge detections (level ones are derived)
  uint8_t afsel_ = 0;     // GPIOAFSEL: stored only, no hardware-control source
  uint8_t inputs_ = 0;    // levels from the outside world
  uint8_t last_pins_ = 0;
  uint8_t reported_outputs_ = 0;
  bool irq_level_ = false;
};

}  // namespace vmapple
