// Fuzzes the PL011 with a sequence of operations:
//   0 bus read   u16 offset, u8 size (1 << (size & 3))
//   1 bus write  u16 offset, u8 size, u32 value
//   2 raw call   u16 offset, u8 size (any), u8 read/write, u32 value (no bus checks)
//   3 input      u8 length (< 64), bytes from the backend
//   4 reset
//   5 input_ready from the backend
// After every operation the interrupt line must equal UARTMIS != 0; at the
// end a guest that enables the receiver and drains it must empty the
// backend's queue (no input stuck or lost behind a missed notification).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/irq_line.h"
#include "base/log.h"
#include "fuzz/fuzz_input.h"
#include "hw/char/pl011.h"
#include "memory/address_space.h"

namespace {

using vmapple::Pl011;
constexpr uint64_t kBase = 0x2001'0000;

class FuzzBackend final : public vmapple::CharBackend {
 public:
  void write(std::span<const uint8_t> bytes) override { written += bytes.size(); }
  void send(std::span<const uint8_t> bytes) { queue_input(bytes); }
  size_t waiting() const { return queued_input(); }
  uint64_t written = 0;
};

using vmapple::fuzz::check;
using vmapple::fuzz::Input;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::fuzz::silence_traces();
  vmapple::GuestMemory memory;
  vmapple::AddressSpace space(memory);
  vmapple::LatchIrqLine irq;
  FuzzBackend backend;
  Pl011 uart(irq, backend);
  space.add_mmio("pl011", kBase, Pl011::kMmioSize, uart, vmapple::kPrimeCellRules);

  Input in{data, size};
  while (!in.empty()) {
    switch (unsigned op = in.u8() % 6) {
      case 0:
      case 1:
      case 2:
        vmapple::fuzz::mmio_op(in, op, space, uart, kBase);
        break;
      case 3: {
        uint8_t buf[64];
        size_t len = in.u8() % sizeof buf;
        for (size_t i = 0; i < len; ++i)
          buf[i] = in.u8();
        backend.send({buf, len});
        break;
      }
      case 4:
        uart.reset();
        break;
      case 5:
        backend.input_ready();
        break;
    }
    check(irq.level() == (uart.read(Pl011::kUARTMIS, 4) != 0), "irq == (MIS != 0)");
  }

  // A driver taking over: receiver on, FIFOs on, drain until empty.
  uart.write(Pl011::kUARTLCR_H, 4, Pl011::kLCRH_FEN | Pl011::kLCRH_WLEN8);
  uart.write(Pl011::kUARTCR, 4, Pl011::kCR_UARTEN | Pl011::kCR_RXE | Pl011::kCR_TXE);
  for (size_t i = 0; i < size + 64 && !(uart.read(Pl011::kUARTFR, 4) & Pl011::kFR_RXFE); ++i)
    uart.read(Pl011::kUARTDR, 4);
  check(uart.read(Pl011::kUARTFR, 4) & Pl011::kFR_RXFE, "receive FIFO drains");
  check(backend.waiting() == 0, "backend input delivered");
  return 0;
}
