// The PL061 driven the way Linux's gpio-pl061 driver drives it: byte accesses
// (readb/writeb) through the address space, read-modify-write of the
// direction and interrupt-sense registers, GPIOMIS in the handler, GPIOIC to
// acknowledge.
#include "hw/gpio/pl061.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/manual_timers.h"
#include "hw/gpio/power_button.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kBase = 0x2006'0000;
constexpr uint8_t bitn(unsigned n) {
  return static_cast<uint8_t>(1u << n);
}
// gpio-pl061 reaches one line's data through the address whose bits [9:2]
// hold only that line's mask.
constexpr uint64_t data_addr(unsigned line) {
  return uint64_t{1} << (line + 2);
}

enum class IrqType { kRising, kFalling, kBoth, kHigh, kLow };

class Pl061Test : public ::testing::Test {
 protected:
  Pl061Test()
      : space_(memory_), gpio_(irq_, [this](unsigned l, bool v) {
          outputs_.push_back({l, v});
        }) {
    space_.add_mmio("pl061", kBase, Pl061::kMmioSize, gpio_, kPrimeCellRules);
  }

  uint8_t readb(uint64_t offset) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_.read(kBase + offset, 1, &v), MmioStatus::kOk);
    return static_cast<uint8_t>(v);
  }
  void writeb(uint8_t v, uint64_t offset) {
    EXPECT_EQ(space_.write(kBase + offset, 1, v), MmioStatus::kOk);
  }
  uint32_t readl(uint64_t offset) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_.read(kBase + offset, 4, &v), MmioStatus::kOk);
    return static_cast<uint32_t>(v);
  }

  // The driver's gpio_chip operations.
  void direction_input(unsigned n) { writeb(readb(Pl061::kGPIODIR) & ~bitn(n), Pl061::kGPIODIR); }
  void direction_output(unsigned n, bool v) {
    writeb(v ? bitn(n) : 0, data_addr(n));
    writeb(readb(Pl061::kGPIODIR) | bitn(n), Pl061::kGPIODIR);
    // The PL061 ignores data writes to inputs, so the driver writes again.
    writeb(v ? bitn(n) : 0, data_addr(n));
  }
  bool get(unsigned n) { return readb(data_addr(n)) != 0; }
  void set(unsigned n, bool v) { writeb(v ? bitn(n) : 0, data_addr(n)); }

  // The driver's irq_chip operations.
  void set_type(unsigned n, IrqType type) {
    uint8_t is = readb(Pl061::kGPIOIS), ibe = readb(Pl061::kGPIOIBE), iev = readb(Pl061::kGPIOIEV);
    uint8_t b = bitn(n);
    bool level = type == IrqType::kHigh || type == IrqType::kLow;
    is = level ? (is | b) : (is & ~b);
    ibe = type == IrqType::kBoth ? (ibe | b) : (ibe & ~b);
    bool polarity = type == IrqType::kRising || type == IrqType::kHigh;
    iev = polarity ? (iev | b) : (iev & ~b);
    writeb(is, Pl061::kGPIOIS);
    writeb(ibe, Pl061::kGPIOIBE);
    writeb(iev, Pl061::kGPIOIEV);
  }
  void unmask(unsigned n) { writeb(readb(Pl061::kGPIOIE) | bitn(n), Pl061::kGPIOIE); }
  void mask(unsigned n) { writeb(readb(Pl061::kGPIOIE) & ~bitn(n), Pl061::kGPIOIE); }
  void ack(unsigned n) { writeb(bitn(n), Pl061::kGPIOIC); }
  uint8_t mis() { return readb(Pl061::kGPIOMIS); }
  uint8_t ris() { return readb(Pl061::kGPIORIS); }

  GuestMemory memory_;
  AddressSpace space_;
  LatchIrqLine irq_;
  std::vector<std::pair<unsigned, bool>> outputs_;
  Pl061 gpio_;
};

TEST_F(Pl061Test, PrimeCellIdsAsAmbaBusReadsThem) {
  uint32_t periph = 0, cell = 0;
  for (unsigned i = 0; i < 4; ++i) {
    periph |= (readl(0xFE0 + 4 * i) & 0xFF) << (8 * i);
    cell |= (readl(0xFF0 + 4 * i) & 0xFF) << (8 * i);
  }
  EXPECT_EQ(periph, 0x0004'1061u);
  EXPECT_EQ(cell, 0xB105'F00Du);
  EXPECT_EQ(readl(0xFE0), 0x61u);
  EXPECT_EQ(readl(0xFFC), 0xB1u);
}

TEST_F(Pl061Test, ResetValuesAreZeroAndInputsSurviveReset) {
  for (uint64_t off : {Pl061::kGPIODIR, Pl061::kGPIOIS, Pl061::kGPIOIBE, Pl061::kGPIOIEV,
                       Pl061::kGPIOIE, Pl061::kGPIORIS, Pl061::kGPIOMIS, Pl061::kGPIOAFSEL})
    EXPECT_EQ(readl(off), 0u) << std::hex << off;
  EXPECT_EQ(readb(0x3FC), 0u);  // pull-downs: nothing driven reads 0

  direction_output(0, true);
  for (uint64_t off :
       {Pl061::kGPIOIS, Pl061::kGPIOIBE, Pl061::kGPIOIEV, Pl061::kGPIOIE, Pl061::kGPIOAFSEL})
    writeb(0xFF, off);
  gpio_.set_input(6, true);
  EXPECT_TRUE(irq_.level());  // line 6 high-level, unmasked

  gpio_.reset();
  for (uint64_t off : {Pl061::kGPIODIR, Pl061::kGPIOIS, Pl061::kGPIOIBE, Pl061::kGPIOIEV,
                       Pl061::kGPIOIE, Pl061::kGPIORIS, Pl061::kGPIOMIS, Pl061::kGPIOAFSEL})
    EXPECT_EQ(readl(off), 0u) << std::hex << off;
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readb(0x3FC), bitn(6));  // the outside world still drives line 6
  EXPECT_EQ(outputs_.back(), std::make_pair(0u, false));
}

TEST_F(Pl061Test, DataWritesOnlyReachOutputLinesSelectedByAddressBits) {
  // Writing before the direction is set does nothing (hence the driver's
  // second write).
  writeb(bitn(2), data_addr(2));
  EXPECT_FALSE(get(2));

  direction_output(0, false);
  direction_output(1, true);
  direction_output(2, true);
  EXPECT_EQ(readb(Pl061::kGPIODIR), 0x07);
  EXPECT_EQ(readb(0x3FC), 0x06);

  // Address 0x3FC selects all lines: outputs take the value, inputs ignore it.
  writeb(0xFF, 0x3FC);
  EXPECT_EQ(readb(0x3FC), 0x07);
  // Address bits [9:2] = 0x02 select line 1 only.
  writeb(0x00, 0x008);
  EXPECT_EQ(readb(0x3FC), 0x05);
  // A value bit outside the address mask is ignored.
  writeb(0x02, 0x004);  // mask = line 0, value bit 0 = 0
  EXPECT_EQ(readb(0x3FC), 0x04);
  set(1, true);
  EXPECT_TRUE(get(1));
  set(1, false);
  EXPECT_FALSE(get(1));

  // Reads are masked by the address bits too.
  writeb(0xFF, 0x3FC);
  EXPECT_EQ(readb(0x000), 0x00);
  EXPECT_EQ(readb(0x004), 0x01);
  EXPECT_EQ(readb(0x018), 0x06);
  EXPECT_EQ(readl(0x3FC), 0x07u);
}

TEST_F(Pl061Test, InputsReadTheirLevelAndOutputsIgnoreIt) {
  direction_output(7, false);
  EXPECT_FALSE(get(5));
  gpio_.set_input(5, true);
  EXPECT_TRUE(get(5));
  EXPECT_EQ(readb(0x3FC), bitn(5));
  gpio_.set_input(7, true);  // an output pin shows what the guest drives
  EXPECT_FALSE(get(7));
  direction_input(7);
  EXPECT_TRUE(get(7));
  gpio_.set_input(5, false);
  EXPECT_FALSE(get(5));
  gpio_.set_input(8, true);  // no such line: ignored
  EXPECT_EQ(readb(0x3FC), bitn(7));
}

TEST_F(Pl061Test, OutputCallbackReportsDrivenLevels) {
  direction_output(4, true);
  ASSERT_EQ(outputs_.size(), 1u);
  EXPECT_EQ(outputs_[0], std::make_pair(4u, true));
  set(4, true);  // no change, no report
  EXPECT_EQ(outputs_.size(), 1u);
  set(4, false);
  EXPECT_EQ(outputs_.back(), std::make_pair(4u, false));
  set(4, true);
  direction_input(4);  // no longer driven
  EXPECT_EQ(outputs_.back(), std::make_pair(4u, false));
  EXPECT_EQ(outputs_.size(), 4u);
}

TEST_F(Pl061Test, RisingEdgeLatchesUntilAcknowledged) {
  set_type(4, IrqType::kRising);
  unmask(4);
  EXPECT_FALSE(irq_.level());
  gpio_.set_input(4, true);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(ris(), bitn(4));
  EXPECT_EQ(mis(), bitn(4));
  gpio_.set_input(4, false);  // latched: falling does not clear it
  EXPECT_TRUE(irq_.level());
  ack(4);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(ris(), 0);
  gpio_.set_input(4, true);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(irq_.rising_edges(), 2u);
}

TEST_F(Pl061Test, FallingEdgeIgnoresRisingOne) {
  set_type(2, IrqType::kFalling);
  unmask(2);
  gpio_.set_input(2, true);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(ris(), 0);
  gpio_.set_input(2, false);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(mis(), bitn(2));
  ack(2);
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl061Test, BothEdgesTriggerOnEitherEdge) {
  set_type(3, IrqType::kBoth);
  unmask(3);
  gpio_.set_input(3, true);
  EXPECT_EQ(mis(), bitn(3));
  ack(3);
  EXPECT_FALSE(irq_.level());
  gpio_.set_input(3, false);
  EXPECT_EQ(mis(), bitn(3));
  EXPECT_TRUE(irq_.level());
  ack(3);
  EXPECT_EQ(irq_.rising_edges(), 2u);
}

TEST_F(Pl061Test, HighLevelStaysPendingWhileTheLevelHolds) {
  set_type(1, IrqType::kHigh);
  unmask(1);
  EXPECT_FALSE(irq_.level());
  gpio_.set_input(1, true);
  EXPECT_TRUE(irq_.level());
  ack(1);  // the level still holds: still pending
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(mis(), bitn(1));
  gpio_.set_input(1, false);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(ris(), 0);
}

TEST_F(Pl061Test, LowLevelIsPendingAsSoonAsConfigured) {
  // An undriven line is low, so a low-level interrupt is pending at once.
  set_type(0, IrqType::kLow);
  EXPECT_EQ(ris(), bitn(0));
  EXPECT_FALSE(irq_.level());
  unmask(0);
  EXPECT_TRUE(irq_.level());
  gpio_.set_input(0, true);
  EXPECT_FALSE(irq_.level());
  // Flipping GPIOIEV re-evaluates the level at once.
  writeb(bitn(0), Pl061::kGPIOIEV);
  EXPECT_TRUE(irq_.level());
  // Back to edge mode: nothing latched, nothing pending.
  writeb(0, Pl061::kGPIOIS);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(ris(), 0);
}

TEST_F(Pl061Test, MaskedInterruptIsRawOnlyUntilUnmasked) {
  set_type(6, IrqType::kRising);
  gpio_.set_input(6, true);
  EXPECT_EQ(ris(), bitn(6));
  EXPECT_EQ(mis(), 0);
  EXPECT_FALSE(irq_.level());
  unmask(6);
  EXPECT_TRUE(irq_.level());
  mask(6);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(ris(), bitn(6));
}

TEST_F(Pl061Test, BadAccessesAreGuestErrorsAndChangeNothing) {
  direction_output(0, true);
  writeb(0x0F, Pl061::kGPIOIE);
  auto errors = trace::guest_error_count();
  // Direct handler calls with sizes and offsets the bus never delivers.
  EXPECT_EQ(gpio_.read(Pl061::kGPIODIR, 1), 0u);
  EXPECT_EQ(gpio_.read(Pl061::kGPIODIR, 8), 0u);
  EXPECT_EQ(gpio_.read(0x401, 4), 0u);
  EXPECT_EQ(gpio_.read(0x1000, 4), 0u);
  EXPECT_EQ(gpio_.read(~0ull - 3, 4), 0u);
  gpio_.write(Pl061::kGPIODIR, 2, 0);
  gpio_.write(0x1000, 4, 0xFF);
  EXPECT_EQ(trace::guest_error_count() - errors, 7u);

  // Reserved, read-only and write-only registers.
  errors = trace::guest_error_count();
  EXPECT_EQ(readl(0x424), 0u);
  EXPECT_EQ(readl(0xFDC), 0u);
  EXPECT_EQ(readl(Pl061::kGPIOIC), 0u);
  writeb(0xFF, 0x800);
  writeb(0xFF, Pl061::kGPIORIS);
  writeb(0xFF, Pl061::kGPIOMIS);
  writeb(0xFF, 0xFE0);
  EXPECT_EQ(trace::guest_error_count() - errors, 7u);

  EXPECT_EQ(readb(Pl061::kGPIODIR), 0x01);
  EXPECT_EQ(readb(Pl061::kGPIOIE), 0x0F);
  EXPECT_EQ(ris(), 0);
  EXPECT_EQ(readl(0xFE0), 0x61u);
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl061Test, HostileRegisterSweepNeverCrashes) {
  for (uint64_t off = 0; off < Pl061::kMmioSize; off += 4) {
    uint64_t v;
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      if (off % size == 0 && off + size <= Pl061::kMmioSize) {
        space_.write(kBase + off, size, 0xFFFF'FFFF'FFFF'FFFFull);
        space_.read(kBase + off, size, &v);
      }
    }
  }
  // The final state is consistent: the interrupt output follows MIS.
  EXPECT_EQ(irq_.level(), mis() != 0);
}

TEST_F(Pl061Test, ConcurrentInputsAndGuestAccessesStayConsistent) {
  set_type(3, IrqType::kBoth);
  unmask(3);
  std::thread outside([this] {
    for (int i = 0; i < 20000; ++i)
      gpio_.set_input(3, i & 1);
  });
  for (int i = 0; i < 20000; ++i) {
    if (mis() & bitn(3)) ack(3);
  }
  outside.join();
  EXPECT_EQ(irq_.level(), mis() != 0);
  ack(3);
  EXPECT_FALSE(irq_.level());
}

class PowerButtonTest : public Pl061Test {
 protected:
  ManualTimers timers_;
  PowerButton button_{gpio_, timers_};
};

TEST_F(PowerButtonTest, PressIsAHundredMillisecondPulseOnLine3) {
  // gpio-keys asks for both edges on the power key line.
  direction_input(3);
  set_type(3, IrqType::kBoth);
  unmask(3);

  button_.press();
  EXPECT_TRUE(button_.held());
  EXPECT_TRUE(get(3));
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(mis(), bitn(3));
  ack(3);
  EXPECT_FALSE(irq_.level());

  timers_.advance(PowerButton::kPulseNs - 1);
  EXPECT_TRUE(get(3));
  EXPECT_FALSE(irq_.level());
  timers_.advance(1);
  EXPECT_FALSE(get(3));
  EXPECT_FALSE(button_.held());
  EXPECT_TRUE(irq_.level());  // the release edge
  EXPECT_EQ(mis(), bitn(3));
  ack(3);
  EXPECT_EQ(irq_.rising_edges(), 2u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(PowerButtonTest, RisingEdgeOnlyInterruptsOnPress) {
  set_type(3, IrqType::kRising);
  unmask(3);
  button_.press();
  EXPECT_TRUE(irq_.level());
  ack(3);
  timers_.advance(PowerButton::kPulseNs);
  EXPECT_FALSE(get(3));
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(ris(), 0);
}

TEST_F(PowerButtonTest, SecondPressRestartsThePulse) {
  set_type(3, IrqType::kRising);
  unmask(3);
  button_.press();
  ack(3);
  timers_.advance(60'000'000);
  button_.press();  // still high: no new edge
  EXPECT_FALSE(irq_.level());
  timers_.advance(60'000'000);  // 120 ms after the first press
  EXPECT_TRUE(get(3));
  timers_.advance(40'000'000 - 1);
  EXPECT_TRUE(get(3));
  timers_.advance(1);  // 100 ms after the second press
  EXPECT_FALSE(get(3));
  EXPECT_EQ(irq_.rising_edges(), 1u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(PowerButtonTest, ResetReleasesTheButton) {
  button_.press();
  button_.reset();
  EXPECT_FALSE(get(3));
  EXPECT_FALSE(button_.held());
  timers_.advance(PowerButton::kPulseNs);  // a stale timer must not act
  EXPECT_FALSE(get(3));
  button_.press();
  EXPECT_TRUE(get(3));
}

TEST_F(PowerButtonTest, OtherLineAndBadLine) {
  PowerButton other(gpio_, timers_, 5);
  other.press();
  EXPECT_TRUE(get(5));
  EXPECT_FALSE(get(3));
  EXPECT_THROW(PowerButton(gpio_, timers_, 8), std::invalid_argument);
}

}  // namespace
}  // namespace vmapple
