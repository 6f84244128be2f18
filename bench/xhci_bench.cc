// Input latency through the xHCI controller: the time from a key press
// injected through the HID keyboard's host input API to (a) the Transfer
// Event TRB being visible in the event ring and (b) the controller's INTx
// line being asserted, with the macOS-style configuration: interrupters 1
// and 2 programmed, the keyboard's interrupt endpoint targeting interrupter
// 1 and EP0 interrupter 2, the function in INTx mode and
// conditional-intr-mapping on (the vmapple machine default), so the event
// lands on ring 0 and raises the line at once.
//
// The path is the whole device model: UsbKeyboard builds the report and
// calls the controller's notifier, the controller runs the endpoint's
// transfer ring (a Normal TRB queued beforehand, as a driver keeps one
// outstanding), DMAs the report into guest RAM, writes the event TRB,
// applies the interrupter rules and drives the INTx line through the PCI
// function and GPEX to a LatchIrqLine. Delivery of the interrupt into a
// running vCPU (GIC, vCPU kick) is outside this measurement. The untimed part
// of each iteration acknowledges the interrupt (IMAN.IP, ERDP/EHB) and
// queues the next TRB, as the guest's handler would.
//
// Counters: event_ns = press -> event TRB visible, intx_ns = press -> line
// high (both means over the iterations); the iteration time is the later of
// the two.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "base/manual_timers.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "unit/hw/xhci_rig.h"

namespace vmapple {
namespace {

namespace x = test::xhci;
using Clock = std::chrono::steady_clock;

struct KeyboardRig {
  explicit KeyboardRig(bool macos_targets) : rig(options()) {
    rig.xhci().attach(5, kbd);
    test::XhciDriver::Options o;
    o.interrupters = 3;
    test::XhciDriver& drv = rig.start(o);
    unsigned ep0_target = macos_targets ? 2 : 0, int_target = macos_targets ? 1 : 0;
    drv.set_routing([](unsigned) { return 0u; });  // conditional mapping: all on ring 0
    drv.reset_port(5);
    dev = &drv.enable_and_address(5);
    drv.read_device_descriptor(*dev);
    std::vector<uint8_t> cfg(34);
    drv.control(*dev, 0x80, 6, 0x0200, 0, cfg, ep0_target);
    if (drv.configure_interrupt_in(*dev, 0x81, 8, 10, int_target) != x::kCcSuccess)
      throw std::runtime_error("Configure Endpoint failed");
    drv.control(*dev, 0x00, 9, 1, 0, {}, ep0_target);     // SET_CONFIGURATION(1)
    drv.control(*dev, 0x21, 0x0A, 0, 0, {}, ep0_target);  // SET_IDLE(0)
    buffer = rig.arena().alloc(8, 64);
    drv.service(0);
    drv.pending(0).clear();
  }
  static usb::XhciOptions options() {
    usb::XhciOptions o;
    o.conditional_intr_mapping = true;
    return o;
  }

  ManualTimers hid_timers;
  usb::UsbKeyboard kbd{hid_timers};
  test::XhciRig rig;
  test::XhciDriver::Device* dev = nullptr;
  uint64_t buffer = 0;
};

void run(benchmark::State& state, bool macos_targets) {
  KeyboardRig k(macos_targets);
  test::XhciDriver& drv = k.rig.driver();
  test::EventRing& ring = drv.event_ring(0);
  const GuestMemory& mem = k.rig.memory();
  const LatchIrqLine& line = k.rig.intx();
  double event_total = 0, intx_total = 0;
  bool down = false;
  for (auto _ : state) {
    uint64_t trb = drv.queue_normal(*k.dev, x::dci(1, true), k.buffer, 8);
    uint64_t slot = ring.dequeue_address();
    uint32_t want = ring.cycle() ? 1u : 0u;
    down = !down;
    auto t0 = Clock::now();
    if (down)
      k.kbd.key_down(0x04);
    else
      k.kbd.key_up(0x04);
    Clock::time_point t_event{}, t_line{};
    while (t_event == Clock::time_point{} || t_line == Clock::time_point{}) {
      auto now = Clock::now();
      if (t_event == Clock::time_point{} &&
          (mem.read_le<uint32_t>(slot + 12).value_or(0) & 1) == want)
        t_event = now;
      if (t_line == Clock::time_point{} && line.level()) t_line = now;
      if (now - t0 > std::chrono::seconds(1)) {
        state.SkipWithError("no event or no INTx within 1 s");
        return;
      }
    }
    double ev = std::chrono::duration<double>(t_event - t0).count();
    double ln = std::chrono::duration<double>(t_line - t0).count();
    state.SetIterationTime(std::max(ev, ln));
    event_total += ev;
    intx_total += ln;
    // Untimed: the guest's interrupt handler.
    test::Trb e = drv.wait_transfer(*k.dev, trb, 0);
    if (e.completion_code() != x::kCcSuccess) {
      state.SkipWithError("transfer did not succeed");
      return;
    }
  }
  double n = static_cast<double>(state.iterations());
  state.counters["event_ns"] = event_total / n * 1e9;
  state.counters["intx_ns"] = intx_total / n * 1e9;
}

void BM_KeyPressMacosTargets(benchmark::State& state) {
  run(state, true);
}
void BM_KeyPressRing0Targets(benchmark::State& state) {
  run(state, false);
}
BENCHMARK(BM_KeyPressMacosTargets)->UseManualTime();
BENCHMARK(BM_KeyPressRing0Targets)->UseManualTime();

}  // namespace
}  // namespace vmapple
