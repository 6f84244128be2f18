// Sequences of guest MMIO accesses, input-line changes, power-button presses,
// time advances and resets against a PL061. After every step the interrupt
// output must equal (GPIORIS & GPIOIE) != 0 and the power button must be held
// exactly during the 100 ms after its last press.
#include <cstdint>
#include <cstdlib>

#include "base/log.h"
#include "base/manual_timers.h"
#include "fuzz/fuzz_input.h"
#include "hw/gpio/pl061.h"
#include "hw/gpio/power_button.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

using fuzz::check;
using fuzz::Input;

constexpr uint64_t kBase = 0x2006'0000;

void run(Input& in) {
  GuestMemory memory;
  AddressSpace space(memory);
  LatchIrqLine irq;
  Pl061 gpio(irq, [](unsigned line, bool) { check(line < Pl061::kNumLines); });
  ManualTimers timers;
  PowerButton button(gpio, timers);
  space.add_mmio("pl061", kBase, Pl061::kMmioSize, gpio, kPrimeCellRules);

  bool pressed = false;
  uint64_t press_time = 0;
  while (!in.empty()) {
    uint8_t op = static_cast<uint8_t>(in.take(1));
    unsigned size = 1u << ((op >> 4) & 3);
    uint64_t offset = in.take(2) & 0xFFF;
    uint64_t value;
    switch (op & 7) {
      case 0:
        space.read(kBase + offset, size, &value);
        break;
      case 1:
      case 2:
        space.write(kBase + offset, size, in.take(size));
        break;
      case 3:
        gpio.set_input(static_cast<unsigned>(offset & 0xF), (op >> 7) != 0);
        break;
      case 4:
        timers.advance(offset * 100'000);  // up to ~410 ms
        break;
      case 5:
        button.press();
        pressed = true;
        press_time = timers.clock().now_ns();
        break;
      case 6:
        gpio.reset();
        if (op & 0x80) {
          button.reset();
          pressed = false;
        }
        break;
      case 7:  // what the bus would never deliver
        gpio.write(in.take(8), static_cast<unsigned>(in.take(1)), in.take(8));
        gpio.read(in.take(8), static_cast<unsigned>(in.take(1)));
        break;
    }
    if (pressed && timers.clock().now_ns() >= press_time + PowerButton::kPulseNs) pressed = false;
    check(button.held() == pressed);
    uint64_t ris = gpio.read(Pl061::kGPIORIS, 4), ie = gpio.read(Pl061::kGPIOIE, 4);
    uint64_t mis = gpio.read(Pl061::kGPIOMIS, 4);
    check(mis == (ris & ie));
    check(irq.level() == (mis != 0));
    check(ris <= 0xFF && gpio.read(0xFE0, 4) == 0x61 && gpio.read(0xFFC, 4) == 0xB1);
  }
}

}  // namespace
}  // namespace vmapple

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::trace::guest_error_category.set_enabled(false);
  vmapple::fuzz::Input in(data, size);
  vmapple::run(in);
  return 0;
}
