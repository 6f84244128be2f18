// Fuzzes the PL031 with a sequence of operations:
//   0 bus read   u16 offset, u8 size (1 << (size & 3))
//   1 bus write  u16 offset, u8 size, u32 value
//   2 raw call   u16 offset, u8 size (any), u8 read/write, u32 value (no bus checks)
//   3 advance    u32 amount, u8 shift (ns = amount << (shift % 40))
//   4 reset
// Invariants: the interrupt line equals RTCMIS != 0, at most one match timer
// is pending, and a match set ahead of the counter fires when time reaches it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/irq_line.h"
#include "base/log.h"
#include "base/manual_timers.h"
#include "fuzz/fuzz_input.h"
#include "hw/rtc/pl031.h"
#include "memory/address_space.h"

namespace {

using vmapple::Pl031;
constexpr uint64_t kBase = 0x2005'0000;
constexpr uint64_t kSecond = 1'000'000'000;

using vmapple::fuzz::check;
using vmapple::fuzz::Input;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::fuzz::silence_traces();
  Input in{data, size};
  vmapple::GuestMemory memory;
  vmapple::AddressSpace space(memory);
  vmapple::ManualTimers timers;
  vmapple::LatchIrqLine irq;
  Pl031 rtc(in.u32(), timers, irq);
  space.add_mmio("pl031", kBase, Pl031::kMmioSize, rtc, vmapple::kPrimeCellRules);

  while (!in.empty()) {
    switch (unsigned op = in.u8() % 5) {
      case 0:
      case 1:
      case 2:
        vmapple::fuzz::mmio_op(in, op, space, rtc, kBase);
        break;
      case 3: {
        uint64_t amount = in.u32();
        unsigned shift = in.u8() % 40;
        uint64_t now = timers.clock().now_ns();
        uint64_t step = amount << shift;
        if (step > UINT64_MAX / 2 - now) step = UINT64_MAX / 2 - now;  // keep clear of the end
        timers.advance(step);
        break;
      }
      case 4:
        rtc.reset();
        break;
    }
    check(irq.level() == (rtc.read(Pl031::kRTCMIS, 4) != 0), "irq == (MIS != 0)");
    check(timers.pending() <= 1, "one match timer");
  }

  // A match a few seconds ahead fires exactly when the counter gets there.
  rtc.write(Pl031::kRTCICR, 4, Pl031::kRTCINTR);
  rtc.write(Pl031::kRTCIMSC, 4, Pl031::kRTCINTR);
  uint32_t now = static_cast<uint32_t>(rtc.read(Pl031::kRTCDR, 4));
  rtc.write(Pl031::kRTCMR, 4, now + 3);
  timers.advance(2 * kSecond);
  check(!irq.level(), "no match before its second");
  timers.advance(kSecond);
  check(irq.level(), "match at its second");
  check(static_cast<uint32_t>(rtc.read(Pl031::kRTCDR, 4)) == now + 3, "counter at the match");
  return 0;
}
