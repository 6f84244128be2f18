// Fuzzes the AES engine with a sequence of operations:
//   0 bus read   u16 offset, u8 size        (region 1)
//   1 bus write  u16 offset, u8 size, u32 value
//   2 raw call   u16 offset, u8 size, u8 read/write, u32 value (no bus checks)
//   3 FIFO words u8 count (% 12), then count u32 words
//   4 DATA into RAM: u8 head (key ctx, IV ctx, ECB/CBC...), u16 length, u16 src, u16 dst
//   5 region 2 read or write: u16 offset, u8 size, u32 value
//   6 reset
// Invariants: the interrupt equals IRQ_STATUS & IRQ_ENABLE != 0, STATUS and
// Q_STATUS never change, and the FIFO never wedges: after any history, at
// most 25 FLAG words bring a FLAG through to FLAG_INFO.
#include <cstdint>

#include "base/irq_line.h"
#include "fuzz/fuzz_input.h"
#include "hw/vmapple/aes.h"
#include "memory/address_space.h"

namespace {

using vmapple::AesEngine;
using vmapple::fuzz::check;
using vmapple::fuzz::Input;
constexpr uint64_t kBase = 0x3022'0000;
constexpr uint64_t kBase2 = 0x3023'0000;
constexpr uint64_t kRam = 0x7000'0000;
constexpr uint64_t kRamSize = 1 << 20;

uint32_t reg(AesEngine& aes, uint64_t offset) {
  return static_cast<uint32_t>(aes.read(offset, 4));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::fuzz::silence_traces();
  Input in{data, size};
  vmapple::GuestMemory memory;
  memory.add_region("ram", kRam, kRamSize);
  vmapple::AddressSpace space(memory);
  vmapple::LatchIrqLine irq;
  AesEngine aes(memory, irq);
  space.add_mmio("aes", kBase, AesEngine::kMmioSize, aes, AesEngine::kRules);
  space.add_mmio("aes-2", kBase2, AesEngine::kMmioSize, aes.region2(), AesEngine::kRules);

  while (!in.empty()) {
    switch (unsigned op = in.u8() % 7) {
      case 0:
      case 1:
      case 2:
        vmapple::fuzz::mmio_op(in, op, space, aes, kBase);
        break;
      case 3:
        for (unsigned n = in.u8() % 12; n > 0; --n)
          aes.write(AesEngine::kFIFO, 4, in.u32());
        break;
      case 4: {
        uint32_t head = in.u8();
        uint32_t length = in.u16();
        uint64_t src = kRam + in.u16() * 16ull, dst = kRam + in.u16() * 16ull;
        aes.write(AesEngine::kFIFO, 4, AesEngine::kOpData << 28 | head << 24 | length);
        aes.write(AesEngine::kFIFO, 4, 0);
        aes.write(AesEngine::kFIFO, 4, static_cast<uint32_t>(src));
        aes.write(AesEngine::kFIFO, 4, static_cast<uint32_t>(dst));
        break;
      }
      case 5:
        vmapple::fuzz::mmio_op(in, in.u8() & 1, space, aes.region2(), kBase2);
        break;
      case 6:
        aes.reset();
        break;
    }
    uint32_t status = reg(aes, AesEngine::kIRQ_STATUS), enable = reg(aes, AesEngine::kIRQ_ENABLE);
    check(irq.level() == ((status & enable) != 0), "irq == (IRQ_STATUS & IRQ_ENABLE) != 0");
    check(reg(aes, AesEngine::kSTATUS) == AesEngine::kStatusValue, "STATUS constant");
    check(reg(aes, AesEngine::kQ_STATUS) == AesEngine::kQStatusValue, "Q_STATUS constant");
  }

  for (int i = 0; i < 25; ++i)
    aes.write(AesEngine::kFIFO, 4, AesEngine::kOpFlag << 28 | 0x5A);
  check(reg(aes, AesEngine::kFLAG_INFO) == 0x5A, "the FIFO never wedges");
  return 0;
}
